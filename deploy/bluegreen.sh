#!/usr/bin/env bash
# Zero-downtime blue-green switching for ERP Engine behind nginx.
#
#   bluegreen.sh status
#   bluegreen.sh deploy RELEASE_DIR [EXPECTED_COMMIT]   start the idle colour on RELEASE_DIR,
#                                                       wait until ready (and on that commit),
#                                                       switch nginx, stop the old colour later
#   bluegreen.sh switch blue|green                      point nginx at a colour (must be ready)
#   bluegreen.sh rollback                               back to the previous colour, in seconds
#   bluegreen.sh reap PORT                              stop PORT's colour unless it is active
#
# Blue listens on $BLUE_PORT (8000), green on $GREEN_PORT (8001). Every setting below can be
# overridden from the environment (the tests run nginx and the instances unprivileged).
set -euo pipefail

ERP_HOME=${ERP_HOME:-/opt/erp-engine}
ERP_STATE_DIR=${ERP_STATE_DIR:-/var/lib/erp-engine}
ERP_UPSTREAM_FILE=${ERP_UPSTREAM_FILE:-/etc/nginx/erp-engine/upstream.conf}
ERP_NGINX_RELOAD=${ERP_NGINX_RELOAD:-"nginx -t -q && nginx -s reload"}
ERP_START=${ERP_START:-"systemctl start erp-engine@{port}"}
ERP_STOP=${ERP_STOP:-"systemctl stop erp-engine@{port}"}
BLUE_PORT=${BLUE_PORT:-8000}
GREEN_PORT=${GREEN_PORT:-8001}
READY_TIMEOUT=${READY_TIMEOUT:-90}
DRAIN_SECONDS=${DRAIN_SECONDS:-60}
HEALTH_HOST=${HEALTH_HOST:-127.0.0.1}
STATE_FILE="$ERP_STATE_DIR/bluegreen.state"

say() { printf '%s bluegreen: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

port_of() { case "$1" in blue) echo "$BLUE_PORT" ;; green) echo "$GREEN_PORT" ;; *) die "unknown colour $1" ;; esac; }
other() { [ "$1" = blue ] && echo green || echo blue; }
colour_of_port() { [ "$1" = "$BLUE_PORT" ] && echo blue || echo green; }
run_for() { local cmd=${1//\{port\}/$2}; bash -c "$cmd"; }

active() { [ -f "$STATE_FILE" ] && sed -n 's/^active=//p' "$STATE_FILE" || true; }
previous() { [ -f "$STATE_FILE" ] && sed -n 's/^previous=//p' "$STATE_FILE" || true; }

# Prints "<http status> <commit>" of a colour's /readyz ("000 -" when it does not answer).
probe() {
  local port; port=$(port_of "$1")
  curl -s -m 2 -o /tmp/erp-bg-probe.$$ -w '%{http_code}\n' "http://$HEALTH_HOST:$port/readyz" 2>/dev/null \
    | { read -r code; commit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["engine"]["commit"])' /tmp/erp-bg-probe.$$ 2>/dev/null || echo -); echo "${code:-000} $commit"; }
  rm -f /tmp/erp-bg-probe.$$
}

ready() {  # ready COLOUR [COMMIT]
  local code commit; read -r code commit < <(probe "$1")
  [ "$code" = 200 ] && { [ -z "${2:-}" ] || [ "$commit" = "$2" ]; }
}

wait_ready() {  # wait_ready COLOUR [COMMIT]
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    ready "$@" && return 0
    sleep 0.2
  done
  return 1
}

write_state() {  # write_state ACTIVE PREVIOUS
  mkdir -p "$ERP_STATE_DIR"
  printf 'active=%s\nprevious=%s\n' "$1" "$2" > "$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

point_nginx_at() {  # point_nginx_at COLOUR
  local port; port=$(port_of "$1")
  mkdir -p "$(dirname "$ERP_UPSTREAM_FILE")"
  printf 'server %s:%s;\n' "$HEALTH_HOST" "$port" > "$ERP_UPSTREAM_FILE.tmp"
  mv "$ERP_UPSTREAM_FILE.tmp" "$ERP_UPSTREAM_FILE"
  bash -c "$ERP_NGINX_RELOAD" || die "nginx refused the new upstream"
}

switch_to() {  # switch_to COLOUR — refuses a colour that is not ready
  local target=$1 current; current=$(active)
  ready "$target" || die "$target is not ready (/readyz on port $(port_of "$target")); traffic stays on ${current:-nothing}"
  point_nginx_at "$target"
  write_state "$target" "${current:-}"
  say "traffic now on $target (port $(port_of "$target"))"
}

schedule_reap() {  # stop COLOUR after the grace period, if it is still not active then
  local port; port=$(port_of "$1")
  mkdir -p "$ERP_STATE_DIR"
  setsid nohup "$0" reap "$port" >/dev/null 2>&1 < /dev/null &
  echo $! > "$ERP_STATE_DIR/reap-$port.pid"
}

cmd_status() {
  local a; a=$(active)
  echo "active: ${a:-none}  previous: $(previous)"
  for colour in blue green; do
    local port code commit release
    port=$(port_of $colour); read -r code commit < <(probe $colour)
    release=$(readlink "$ERP_HOME/ports/$port" 2>/dev/null || echo -)
    echo "$colour: port=$port readyz=$code commit=$commit release=$release"
  done
}

cmd_deploy() {
  local release=${1:?usage: deploy RELEASE_DIR [EXPECTED_COMMIT]} expected=${2:-}
  [ -d "$release" ] || die "no release at $release"
  local current idle port
  current=$(active); idle=$(other "${current:-green}")
  port=$(port_of "$idle")
  say "deploying $release to $idle (port $port); active is ${current:-none}"
  mkdir -p "$ERP_HOME/ports"
  ln -sfn "$(cd "$release" && pwd)" "$ERP_HOME/ports/$port"
  run_for "$ERP_STOP" "$port" >/dev/null 2>&1 || true
  run_for "$ERP_START" "$port" || die "could not start $idle"
  if ! wait_ready "$idle" "$expected"; then
    run_for "$ERP_STOP" "$port" >/dev/null 2>&1 || true
    die "$idle did not become ready${expected:+ on commit $expected} within ${READY_TIMEOUT}s; traffic stays on ${current:-nothing}"
  fi
  switch_to "$idle"
  if [ -n "$current" ]; then
    say "draining $current; it stops in ${DRAIN_SECONDS}s unless rolled back to"
    schedule_reap "$current"
  fi
}

cmd_rollback() {
  local target; target=$(previous)
  [ -n "$target" ] || die "nothing to roll back to"
  local started=$SECONDS
  if ! ready "$target"; then
    say "$target is stopped; starting it again"
    run_for "$ERP_START" "$(port_of "$target")" || die "could not start $target"
    wait_ready "$target" || die "$target did not become ready; traffic stays on $(active)"
  fi
  local left; left=$(active)
  switch_to "$target"
  say "rolled back to $target in $((SECONDS - started))s"
  schedule_reap "$left"
}

cmd_reap() {
  local port=${1:?usage: reap PORT}
  sleep "$DRAIN_SECONDS"
  if [ "$(active)" != "$(colour_of_port "$port")" ]; then
    run_for "$ERP_STOP" "$port" || true
    say "stopped $(colour_of_port "$port") (port $port) after draining"
  fi
  rm -f "$ERP_STATE_DIR/reap-$port.pid"
}

case "${1:-}" in
  status) cmd_status ;;
  deploy) shift; cmd_deploy "$@" ;;
  switch) shift; switch_to "${1:?usage: switch blue|green}" ;;
  rollback) cmd_rollback ;;
  reap) shift; cmd_reap "$@" ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
