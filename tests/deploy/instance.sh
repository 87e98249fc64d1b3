#!/usr/bin/env bash
# What `systemctl start|stop|enable|disable erp-engine@PORT` does in production, for
# unprivileged tests: run the release that $ERP_HOME/ports/PORT points at, with the shared
# env file and the release's own stamp, as a real `erp serve` process. "Enabled" is a file.
# shellcheck disable=SC1090,SC1091  # the env files are the caller's
set -euo pipefail
action=$1 port=$2
mkdir -p "$ERP_STATE_DIR"
pidfile="$ERP_STATE_DIR/instance-$port.pid"
case "$action" in
  start)
    release="$ERP_HOME/ports/$port"
    set -a; . "$ERP_ENV_FILE"; . "$release/release.env"; set +a
    cd "$release"
    python="$release/.venv/bin/python"   # a release installed by deploy.sh has its own
    [ -x "$python" ] || python="$ERP_PYTHON"
    # A test release that carries its own code (tests/deploy/releases.py) runs that code.
    if [ -d "$release/src/erp_engine" ]; then export PYTHONPATH="$release/src"; fi
    setsid nohup "$python" -m erp_engine serve --host 127.0.0.1 --port "$port" \
      --workers "${ERP_WORKERS:-2}" >> "$ERP_STATE_DIR/instance-$port.log" 2>&1 < /dev/null &
    echo $! > "$pidfile"
    ;;
  stop)
    [ -f "$pidfile" ] || exit 0
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    ;;
  enable) touch "$ERP_STATE_DIR/enabled-$port" ;;
  disable) rm -f "$ERP_STATE_DIR/enabled-$port" ;;
esac
