#!/usr/bin/env bash
# Zero-downtime blue-green switching for ERP Engine behind nginx.
#
#   bluegreen.sh status
#   bluegreen.sh deploy RELEASE_DIR [EXPECTED_COMMIT]   start the idle colour on RELEASE_DIR,
#                                                       wait until ready (and on that commit),
#                                                       switch nginx, stop the old colour later
#   bluegreen.sh switch blue|green                      point nginx at a colour (must be ready)
#   bluegreen.sh rollback                               back to the previous colour, in seconds
#                                                       (started again first if it was stopped)
#   bluegreen.sh reap PORT TOKEN                        (internal) stop PORT's colour after the
#                                                       drain unless it is active again
#
# Blue listens on $BLUE_PORT (8000), green on $GREEN_PORT (8001). Every setting below can be
# overridden from the environment (the tests run nginx and the instances unprivileged).
# The active colour's unit is enabled and the other disabled, so a reboot brings back
# exactly what served before it; $ERP_HOME/current follows the active colour's release (the
# outbox relay runs from it). nginx serves the web UI of the release that ERP_RELEASE_FILE
# names, with that release's X-Engine-* headers; the file switches with the upstream.
set -euo pipefail

ERP_HOME=${ERP_HOME:-/opt/erp-engine}
ERP_STATE_DIR=${ERP_STATE_DIR:-/var/lib/erp-engine}
ERP_UPSTREAM_FILE=${ERP_UPSTREAM_FILE:-/etc/nginx/erp-engine/upstream.conf}
# What the static locations of erp.conf include: the live release's web root and headers.
ERP_RELEASE_FILE=${ERP_RELEASE_FILE:-$(dirname "$ERP_UPSTREAM_FILE")/release.conf}
ERP_NGINX_RELOAD=${ERP_NGINX_RELOAD:-"nginx -t -q && nginx -s reload"}
ERP_START=${ERP_START:-"systemctl start erp-engine@{port}"}
ERP_STOP=${ERP_STOP:-"systemctl stop erp-engine@{port}"}
ERP_ENABLE=${ERP_ENABLE:-"systemctl enable --quiet erp-engine@{port}"}
ERP_DISABLE=${ERP_DISABLE:-"systemctl disable --quiet erp-engine@{port}"}
# The relay runs from $ERP_HOME/current: restart it (only if it runs) when that moves.
ERP_RELAY_RESTART=${ERP_RELAY_RESTART:-"systemctl try-restart erp-relay.service"}
BLUE_PORT=${BLUE_PORT:-8000}
GREEN_PORT=${GREEN_PORT:-8001}
READY_TIMEOUT=${READY_TIMEOUT:-90}
# A colour that answers but cannot serve the schema is given up on after this long.
SCHEMA_GRACE=${SCHEMA_GRACE:-10}
# The old colour keeps running this long after a switch: requests in flight finish (nginx
# allows exports 600 s), and a rollback within it is instant.
DRAIN_SECONDS=${DRAIN_SECONDS:-600}
# How long a run waits for another one (deploy, switch, rollback) to finish.
LOCK_TIMEOUT=${LOCK_TIMEOUT:-0}
HEALTH_HOST=${HEALTH_HOST:-127.0.0.1}
# The site as clients reach it (e.g. http://127.0.0.1): when set, a switch returns only once
# requests through nginx reach the new colour. `nginx -s reload` returns at once, while the
# new configuration takes a moment to replace the old one.
ERP_SITE_URL=${ERP_SITE_URL:-}
STATE_FILE="$ERP_STATE_DIR/bluegreen.state"
LOCK_FILE="$ERP_STATE_DIR/bluegreen.lock"

say() { printf '%s bluegreen: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

port_of() { case "$1" in blue) echo "$BLUE_PORT" ;; green) echo "$GREEN_PORT" ;; *) die "unknown colour $1" ;; esac; }
other() { [ "$1" = blue ] && echo green || echo blue; }
colour_of_port() { [ "$1" = "$BLUE_PORT" ] && echo blue || echo green; }
# Commands run without the lock's descriptor: a server they start must not hold the lock.
run_for() { local cmd=${1//\{port\}/$2}; bash -c "$cmd" 9>&-; }

state() { if [ -f "$STATE_FILE" ]; then sed -n "s/^$1=//p" "$STATE_FILE"; fi; }
active() { state active; }
previous() { state previous; }

# One deploy, switch, rollback or reap at a time: two overlapping runs would each think the
# other's colour is idle. The lock is released when the process exits.
take_lock() {  # take_lock SECONDS
  mkdir -p "$ERP_STATE_DIR"
  exec 9>>"$LOCK_FILE"
  flock -w "$1" 9 || die "another bluegreen.sh run is in progress (lock: $LOCK_FILE)"
}

# Prints "<http status> <commit> <schema_ok>" of a colour's /readyz ("000 - -" when it does
# not answer).
probe() {
  local port; port=$(port_of "$1")
  { curl -s -m 2 -w '\n%{http_code}' "http://$HEALTH_HOST:$port/readyz" 2>/dev/null || true; } \
    | python3 -c '
import json, sys
*body, code = sys.stdin.read().split("\n")
try:
    data = json.loads("\n".join(body))
    commit, schema_ok = data["engine"]["commit"], str(data.get("schema_ok")).lower()
except (ValueError, KeyError, TypeError):
    commit, schema_ok = "-", "-"
print(code if code.isdigit() else "000", commit, schema_ok)'
}

ready() {  # ready COLOUR [COMMIT]
  local code commit schema_ok; read -r code commit schema_ok < <(probe "$1")
  [ "$code" = 200 ] && { [ -z "${2:-}" ] || [ "$commit" = "$2" ]; }
}

why_not_ready() {  # a few words on why COLOUR is not ready, for error messages
  local code commit schema_ok; read -r code commit schema_ok < <(probe "$1")
  case "$code:$schema_ok" in
    000:*) echo "it does not answer on port $(port_of "$1")" ;;
    *:false) echo "/readyz $code: its code cannot serve the database's schema (a migration past what it supports)" ;;
    200:*) echo "it runs commit $commit" ;;
    *) echo "/readyz answers $code" ;;
  esac
}

wait_ready() {  # wait_ready COLOUR [COMMIT]
  local deadline=$((SECONDS + READY_TIMEOUT)) unfit_since="" code commit schema_ok
  while [ $SECONDS -lt $deadline ]; do
    read -r code commit schema_ok < <(probe "$1")
    [ "$code" = 200 ] && { [ -z "${2:-}" ] || [ "$commit" = "$2" ]; } && return 0
    # Up, but its code cannot serve the schema: the migrations ran before it started, so
    # waiting will not change that. Give up after SCHEMA_GRACE, not READY_TIMEOUT.
    if [ "$schema_ok" = false ]; then
      unfit_since=${unfit_since:-$SECONDS}
      [ $((SECONDS - unfit_since)) -lt "$SCHEMA_GRACE" ] || return 1
    else
      unfit_since=""
    fi
    sleep 0.2
  done
  return 1
}

write_state() {  # write_state ACTIVE PREVIOUS
  mkdir -p "$ERP_STATE_DIR"
  printf 'active=%s\nprevious=%s\n' "$1" "$2" > "$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

replace_link() {  # replace_link TARGET LINK — atomically (ln -sfn unlinks first)
  ln -sfn "$1" "$2.tmp"
  mv -T "$2.tmp" "$2"
}

# The release file for COLOUR: `root` at its release's web/dist, and the X-Engine-* headers
# its app sends, read from its own /readyz (so the schema is the one it serves now, and
# ENGINE_HEADERS=false leaves them out). Refuses a value nginx could not carry as written.
release_snippet() {  # release_snippet COLOUR
  local port release; port=$(port_of "$1")
  release=$(readlink -e "$ERP_HOME/ports/$port") || die "no release linked at $ERP_HOME/ports/$port"
  { curl -s -m 5 -D - -o /dev/null "http://$HEALTH_HOST:$port/readyz" 2>/dev/null || true; } \
    | python3 -c '
import re, sys
colour, port, root = sys.argv[1:]
unsafe = re.compile(r"[\x00-\x1f\x7f\"\\$]")  # would end, escape or interpolate the string
lines = sys.stdin.read().splitlines()
if not lines or not lines[0].startswith("HTTP/"):
    sys.exit(f"{colour} (port {port}) stopped answering")
if unsafe.search(root):
    sys.exit(f"the release path {root!r} cannot be written into nginx config")
out = [f"# Written by bluegreen.sh: {colour} (port {port}) is live. Rewritten on every switch.",
       f"root \"{root}\";"]
for line in lines[1:]:
    name, colon, value = line.partition(":")
    name, value = name.strip().lower(), value.strip()
    if not colon or not re.fullmatch(r"x-engine-[a-z]+", name):
        continue
    if unsafe.search(value):
        sys.exit(f"{name}: {value!r} cannot be written into nginx config")
    title = "-".join(part.capitalize() for part in name.split("-"))
    out.append(f"add_header {title} \"{value}\" always;")
print("\n".join(out))' "$1" "$port" "$release/web/dist"
}

# Rewrites the upstream and the release file for COLOUR and reloads nginx: one reload moves
# the API, the web UI and its headers together. Both files are restored if nginx refuses.
point_nginx_at() {  # point_nginx_at COLOUR
  local port snippet file; port=$(port_of "$1")
  snippet=$(release_snippet "$1") || die "cannot switch to $1; traffic stays where it was"
  for file in "$ERP_UPSTREAM_FILE" "$ERP_RELEASE_FILE"; do
    mkdir -p "$(dirname "$file")"
    rm -f "$file.previous"
    if [ -f "$file" ]; then cp -p "$file" "$file.previous"; fi
  done
  printf 'server %s:%s;\n' "$HEALTH_HOST" "$port" > "$ERP_UPSTREAM_FILE.tmp"
  printf '%s\n' "$snippet" > "$ERP_RELEASE_FILE.tmp"
  mv "$ERP_UPSTREAM_FILE.tmp" "$ERP_UPSTREAM_FILE"
  mv "$ERP_RELEASE_FILE.tmp" "$ERP_RELEASE_FILE"
  if ! run_for "$ERP_NGINX_RELOAD" "$port"; then
    # Left in place, the new files would go live at the next reload of anything.
    for file in "$ERP_UPSTREAM_FILE" "$ERP_RELEASE_FILE"; do
      if [ -f "$file.previous" ]; then mv "$file.previous" "$file"; else rm -f "$file"; fi
    done
    die "nginx refused the reload; $ERP_UPSTREAM_FILE and $ERP_RELEASE_FILE restored, traffic stays where it was"
  fi
  rm -f "$ERP_UPSTREAM_FILE.previous" "$ERP_RELEASE_FILE.previous"
}

# Point `current` at the active colour's release and make the active colour the one that
# starts at boot. Failures here are warnings: traffic has already moved.
follow_active() {  # follow_active COLOUR
  local port other_port release
  port=$(port_of "$1"); other_port=$(port_of "$(other "$1")")
  release=$(readlink -f "$ERP_HOME/ports/$port" 2>/dev/null || true)
  if [ -n "$release" ] && [ "$(readlink -f "$ERP_HOME/current" 2>/dev/null || true)" != "$release" ]; then
    replace_link "$release" "$ERP_HOME/current"
    run_for "$ERP_RELAY_RESTART" "$port" || say "warning: could not restart the outbox relay"
  fi
  run_for "$ERP_ENABLE" "$port" || say "warning: could not enable $1 (port $port) at boot"
  run_for "$ERP_DISABLE" "$other_port" || say "warning: could not disable port $other_port at boot"
}

# Wait until requests through nginx reach COLOUR (its commit in /readyz) and its web UI
# (X-Engine-Commit of /index.html), when ERP_SITE_URL says where the site is; a warning, not
# a failure, if that takes over 10 s. The static check matters when the upstream did not
# change (the first deploy, a switch to the active colour): the API alone cannot tell the
# new configuration from the old then. With ENGINE_HEADERS=false there is no header to see.
wait_for_nginx() {  # wait_for_nginx COLOUR
  [ -n "$ERP_SITE_URL" ] || return 0
  local expected seen static=0 deadline=$((SECONDS + 10))
  read -r _ expected _ < <(probe "$1")
  if grep -q '^add_header X-Engine-Commit ' "$ERP_RELEASE_FILE"; then static=1; fi
  while [ $SECONDS -lt $deadline ]; do
    seen=$(curl -s -m 2 "$ERP_SITE_URL/readyz" 2>/dev/null \
      | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["engine"]["commit"])
except Exception: print("-")' || true)
    if [ "$static" = 1 ] && [ "$seen" = "$expected" ]; then
      seen=$({ curl -s -m 2 -o /dev/null -D - "$ERP_SITE_URL/index.html" 2>/dev/null || true; } \
        | tr -d '\r' | sed -n 's/^x-engine-commit: *//Ip')
    fi
    [ "$seen" = "$expected" ] && return 0
    sleep 0.05
  done
  say "warning: $ERP_SITE_URL does not answer from $1 (commit $expected) yet"
}

switch_to() {  # switch_to COLOUR — refuses a colour that is not ready
  local target=$1 current; current=$(active)
  ready "$target" || die "$target is not ready ($(why_not_ready "$target")); traffic stays on ${current:-nothing}"
  point_nginx_at "$target"
  wait_for_nginx "$target"
  if [ "$current" = "$target" ]; then write_state "$target" "$(previous)"; else write_state "$target" "${current:-}"; fi
  follow_active "$target"
  say "traffic now on $target (port $(port_of "$target"))"
}

# A pending stop is a detached `bluegreen.sh reap PORT TOKEN` plus reap-PORT (its pid and
# token). The reaper acts only if the file still holds its token once it has the lock, so
# a later run cancels it by removing the file, whether or not the kill arrives in time.
schedule_reap() {  # schedule_reap COLOUR
  local port token; port=$(port_of "$1"); token="$$-$RANDOM-$(date +%s%N)"
  cancel_reap "$1"
  setsid nohup "$0" reap "$port" "$token" >/dev/null 2>&1 < /dev/null 9>&- &
  printf '%s %s\n' "$!" "$token" > "$ERP_STATE_DIR/reap-$port"
}

cancel_reap() {  # cancel_reap COLOUR — an earlier run's pending stop of COLOUR, if any
  local port file pid token; port=$(port_of "$1"); file="$ERP_STATE_DIR/reap-$port"
  [ -f "$file" ] || return 0
  read -r pid token < "$file" || true
  rm -f "$file"
  # The reaper is a session leader (setsid): end it and its sleep, if the pid is still it.
  if [ -n "${pid:-}" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "reap $port $token"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    say "cancelled the pending stop of $1 (port $port)"
  fi
}

cmd_status() {
  local a; a=$(active)
  echo "active: ${a:-none}  previous: $(previous)  current: $(readlink "$ERP_HOME/current" 2>/dev/null || echo -)"
  for colour in blue green; do
    local port code commit schema_ok release pending=""
    port=$(port_of $colour); read -r code commit schema_ok < <(probe $colour)
    release=$(readlink "$ERP_HOME/ports/$port" 2>/dev/null || echo -)
    [ -f "$ERP_STATE_DIR/reap-$port" ] && pending=" (stops after the drain)"
    echo "$colour: port=$port readyz=$code commit=$commit schema_ok=$schema_ok release=$release$pending"
  done
}

cmd_deploy() {
  local release=${1:?usage: deploy RELEASE_DIR [EXPECTED_COMMIT]} expected=${2:-}
  [ -d "$release" ] || die "no release at $release"
  take_lock "$LOCK_TIMEOUT"
  local current idle port
  current=$(active); idle=$(other "${current:-green}")
  port=$(port_of "$idle")
  say "deploying $release to $idle (port $port); active is ${current:-none}"
  cancel_reap "$idle"  # an earlier deploy's drain must not stop what we start now
  mkdir -p "$ERP_HOME/ports"
  replace_link "$(cd "$release" && pwd)" "$ERP_HOME/ports/$port"
  run_for "$ERP_STOP" "$port" >/dev/null 2>&1 || true
  run_for "$ERP_START" "$port" || die "could not start $idle"
  if ! wait_ready "$idle" "$expected"; then
    local reason; reason=$(why_not_ready "$idle")
    run_for "$ERP_STOP" "$port" >/dev/null 2>&1 || true
    die "$idle did not become ready${expected:+ on commit $expected} within ${READY_TIMEOUT}s ($reason); traffic stays on ${current:-nothing}"
  fi
  switch_to "$idle"
  if [ -n "$current" ]; then
    say "draining $current; it stops in ${DRAIN_SECONDS}s unless rolled back to"
    schedule_reap "$current"
  fi
}

cmd_switch() {
  local target=${1:?usage: switch blue|green}
  port_of "$target" >/dev/null
  take_lock "$LOCK_TIMEOUT"
  cancel_reap "$target"
  switch_to "$target"
}

cmd_rollback() {
  take_lock "$LOCK_TIMEOUT"
  local target; target=$(previous)
  [ -n "$target" ] || die "nothing to roll back to"
  local started=$SECONDS left; left=$(active)
  cancel_reap "$target"
  if ! ready "$target"; then
    local code _commit _ok; read -r code _commit _ok < <(probe "$target")
    # Up but not ready (its code cannot serve the schema, or its database is down):
    # starting it again would not help.
    [ "$code" = 000 ] || die "$target is running but not ready ($(why_not_ready "$target")); traffic stays on $left"
    say "$target is stopped; starting it again (a cold start: seconds, not instant)"
    run_for "$ERP_START" "$(port_of "$target")" || die "could not start $target"
    wait_ready "$target" || {
      local reason; reason=$(why_not_ready "$target")
      run_for "$ERP_STOP" "$(port_of "$target")" >/dev/null 2>&1 || true
      die "$target did not become ready ($reason); traffic stays on $left"
    }
  fi
  switch_to "$target"
  say "rolled back to $target in $((SECONDS - started))s"
  schedule_reap "$left"
}

cmd_reap() {
  local port=${1:?usage: reap PORT TOKEN} token=${2:?usage: reap PORT TOKEN}
  local file="$ERP_STATE_DIR/reap-$port" pid mine
  sleep "$DRAIN_SECONDS"
  take_lock $((READY_TIMEOUT + 120))
  read -r pid mine < "$file" 2>/dev/null || exit 0
  [ "$mine" = "$token" ] || exit 0  # cancelled or replaced by a later run
  rm -f "$file"
  if [ "$(active)" != "$(colour_of_port "$port")" ]; then
    run_for "$ERP_STOP" "$port" || true
    say "stopped $(colour_of_port "$port") (port $port) after draining"
  fi
}

case "${1:-}" in
  status) cmd_status ;;
  deploy) shift; cmd_deploy "$@" ;;
  switch) shift; cmd_switch "$@" ;;
  rollback) cmd_rollback ;;
  reap) shift; cmd_reap "$@" ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
