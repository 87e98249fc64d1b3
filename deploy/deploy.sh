#!/usr/bin/env bash
# Build and ship one release of ERP Engine, then switch traffic to it with blue-green.
#
#   deploy/deploy.sh                      install under /opt/erp-engine on this machine
#   deploy/deploy.sh erp@app1:/opt/erp-engine   rsync to a server, then activate it there
#   deploy/deploy.sh --activate RELEASE   (run on the server) venv, migrate, blue-green
#
# Steps: build the web UI, stamp ENGINE_COMMIT_SHA (git rev-parse --short HEAD) into the
# release, install it into releases/<commit>, create its virtualenv from uv.lock, run the
# database migrations (they must be backward compatible: the old colour keeps serving while
# they apply — see docs/operations/blue-green.md), then bluegreen.sh deploy.
set -euo pipefail

ERP_HOME=${ERP_HOME:-/opt/erp-engine}
ERP_ENV_FILE=${ERP_ENV_FILE:-/etc/erp-engine/erp.env}
SKIP_WEB=${SKIP_WEB:-0}
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

say() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

uv_bin() { command -v uv || echo "$HOME/.local/bin/uv"; }

build() {  # build STAGING_DIR COMMIT — a clean tree of HEAD plus the built UI and the stamp
  local staging=$1 commit=$2
  [ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
    say "warning: uncommitted changes are not part of the release (it is built from HEAD)"
  mkdir -p "$staging"
  git -C "$repo" archive --format=tar HEAD | tar -x -C "$staging"
  if [ "$SKIP_WEB" != 1 ]; then
    say "building the web UI"
    (cd "$staging/web" && npm ci --no-audit --no-fund --loglevel=error && npm run build)
    rm -rf "$staging/web/node_modules"
  fi
  printf 'ENGINE_COMMIT_SHA=%s\n' "$commit" > "$staging/release.env"
}

activate() {  # activate RELEASE_DIR — on the server that will run it
  local release; release="$(cd "$1" && pwd)"
  local commit; commit=$(sed -n 's/^ENGINE_COMMIT_SHA=//p' "$release/release.env")
  [ -n "$commit" ] || die "$release/release.env has no ENGINE_COMMIT_SHA"
  say "creating the virtualenv of $commit"
  (cd "$release" && UV_PROJECT_ENVIRONMENT="$release/.venv" "$(uv_bin)" sync --frozen --no-dev --quiet)
  say "running migrations"
  (set -a; [ -f "$ERP_ENV_FILE" ] && . "$ERP_ENV_FILE"; . "$release/release.env"; set +a
   cd "$release" && .venv/bin/erp migrate)
  "$release/deploy/bluegreen.sh" deploy "$release" "$commit"
  ln -sfn "$release" "$ERP_HOME/current"
  if command -v systemctl >/dev/null && systemctl list-unit-files erp-relay.service >/dev/null 2>&1; then
    systemctl restart erp-relay.service || say "warning: could not restart erp-relay"
  fi
  say "release $commit is live"
}

main() {
  if [ "${1:-}" = "--activate" ]; then
    activate "${2:?usage: deploy.sh --activate RELEASE_DIR}"
    return
  fi
  local target=${1:-$ERP_HOME} commit
  commit=$(git -C "$repo" rev-parse --short HEAD)
  staging=$(mktemp -d)
  trap 'rm -rf "${staging:-}"' EXIT
  build "$staging/$commit" "$commit"
  if [[ "$target" == *:* ]]; then
    local host=${target%%:*} dir=${target#*:}
    say "shipping $commit to $host:$dir/releases/$commit"
    rsync -a --delete "$staging/$commit/" "$host:$dir/releases/$commit/"
    ssh "$host" "ERP_HOME='$dir' '$dir/releases/$commit/deploy/deploy.sh' --activate '$dir/releases/$commit'"
  else
    mkdir -p "$target/releases"
    rm -rf "${target:?}/releases/$commit"
    cp -a "$staging/$commit" "$target/releases/$commit"
    ERP_HOME="$target" activate "$target/releases/$commit"
  fi
}

main "$@"
