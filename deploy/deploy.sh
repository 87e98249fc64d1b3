#!/usr/bin/env bash
# Build and ship one release of ERP Engine, then switch traffic to it with blue-green.
#
#   deploy/deploy.sh                              install under /opt/erp-engine on this machine
#   deploy/deploy.sh root@app1                    build here, rsync to app1:/opt/erp-engine,
#   deploy/deploy.sh root@app1:/srv/erp-engine      then activate it there over ssh
#   deploy/deploy.sh --activate STAGED_DIR        (run on the server) install, venv, migrate,
#                                                 blue-green
#   DEPLOY_REF=v1.2 deploy/deploy.sh root@app1    a commit other than HEAD
#
# Steps: build the web UI (here, never on the server: it needs Node 20), stamp
# ENGINE_COMMIT_SHA (git rev-parse --short HEAD) into the release, install it into
# releases/<commit>, create its virtualenv from uv.lock, run the database migrations (they
# must be backward compatible: the old colour keeps serving while they apply — see
# docs/operations/blue-green.md), then bluegreen.sh deploy, which also moves `current`.
#
# The remote side runs as root over ssh (key authentication): activating starts and stops
# systemd units and reloads nginx, and a sudo rule for a deploy user that may write the
# release it runs would be root anyway. See docs/operations/deployment.md.
set -euo pipefail

ERP_HOME=${ERP_HOME:-/opt/erp-engine}
ERP_ENV_FILE=${ERP_ENV_FILE:-/etc/erp-engine/erp.env}
SKIP_WEB=${SKIP_WEB:-0}
DEPLOY_REF=${DEPLOY_REF:-HEAD}
KEEP_RELEASES=${KEEP_RELEASES:-5}
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

say() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

uv_bin() { command -v uv || echo "$HOME/.local/bin/uv"; }

build() {  # build STAGING_DIR COMMIT — a clean tree of the commit plus the built UI and stamp
  local staging=$1 commit=$2
  [ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
    say "warning: uncommitted changes are not part of the release (it is built from $DEPLOY_REF)"
  mkdir -p "$staging"
  git -C "$repo" archive --format=tar "$commit" | tar -x -C "$staging"
  if [ "$SKIP_WEB" != 1 ]; then
    command -v npm >/dev/null || die "npm not found: the web UI is built here, with Node 20 or newer"
    say "building the web UI"
    (cd "$staging/web" && npm ci --no-audit --no-fund --loglevel=error && npm run build)
    rm -rf "$staging/web/node_modules"
  fi
  printf 'ENGINE_COMMIT_SHA=%s\n' "$commit" > "$staging/release.env"
}

serving() {  # serving RELEASE_DIR — true if a colour or `current` points at it
  local release link; release=$(readlink -f "$1")
  for link in "$ERP_HOME"/ports/* "$ERP_HOME/current"; do
    [ -L "$link" ] && [ "$(readlink -f "$link")" = "$release" ] && return 0
  done
  return 1
}

install_release() {  # install_release STAGED_DIR COMMIT — prints the release directory
  local staged=$1 commit=$2 release="$ERP_HOME/releases/$2"
  mkdir -p "$ERP_HOME/releases"
  if [ -d "$release" ] && serving "$release"; then
    # Redeploying what serves: never delete files under a running colour. The same commit
    # builds the same release, so the installed one is used again.
    say "releases/$commit is serving; using it as installed"
    rm -rf "$staged"
  else
    rm -rf "$release"
    mv -T "$staged" "$release"
  fi
  echo "$release"
}

prune_releases() {  # keep the newest KEEP_RELEASES, and every release a link points at
  local release
  find "$ERP_HOME/releases" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' \
    | sort -rn | tail -n +"$((KEEP_RELEASES + 1))" | cut -d' ' -f2- \
    | while read -r release; do
        serving "$release" || { say "removing old release $(basename "$release")"; rm -rf "$release"; }
      done
}

activate() {  # activate STAGED_DIR — on the server that will run it
  local staged; staged="$(cd "$1" && pwd)"
  local commit; commit=$(sed -n 's/^ENGINE_COMMIT_SHA=//p' "$staged/release.env")
  [ -n "$commit" ] || die "$staged/release.env has no ENGINE_COMMIT_SHA"
  [ -f "$ERP_ENV_FILE" ] || die "no settings at $ERP_ENV_FILE (see docs/operations/deployment.md)"
  local release; release=$(install_release "$staged" "$commit")
  say "creating the virtualenv of $commit"
  # The system's Python: one uv downloaded would live under root's home, which the
  # service cannot read (ProtectHome=yes).
  (cd "$release" && UV_PROJECT_ENVIRONMENT="$release/.venv" UV_PYTHON_DOWNLOADS=never \
     "$(uv_bin)" sync --frozen --no-dev --quiet)
  say "running migrations"
  # shellcheck source=/dev/null
  (set -a; . "$ERP_ENV_FILE"; . "$release/release.env"; set +a
   cd "$release" && .venv/bin/erp migrate)
  ERP_HOME="$ERP_HOME" "$release/deploy/bluegreen.sh" deploy "$release" "$commit"
  prune_releases
  say "release $commit is live"
}

main() {
  if [ "${1:-}" = "--activate" ]; then
    activate "${2:?usage: deploy.sh --activate STAGED_DIR}"
    return
  fi
  local target=${1:-$ERP_HOME} commit host="" dir
  commit=$(git -C "$repo" rev-parse --short "$DEPLOY_REF^{commit}")
  if [[ "$target" == *:* ]]; then
    host=${target%%:*} dir=${target#*:}
  elif [[ "$target" =~ ^[^/]+@[^/]+$ ]]; then
    host=$target dir=/opt/erp-engine
  fi
  staging=$(mktemp -d)
  trap 'rm -rf "${staging:-}"' EXIT
  build "$staging/$commit" "$commit"
  if [ -n "$host" ]; then
    local incoming="$dir/releases/.incoming-$commit"
    say "shipping $commit to $host:$incoming"
    # shellcheck disable=SC2029  # expanded here on purpose: the paths are the server's
    ssh "$host" "mkdir -p '$dir/releases'"
    # Owned by root on the server, whoever built it, and readable by the service: a
    # release another local user could write would run as erp, and bluegreen.sh as root.
    rsync -a --no-owner --no-group --chmod=go+rX,go-w --delete "$staging/$commit/" "$host:$incoming/"
    # shellcheck disable=SC2029
    ssh "$host" "ERP_HOME='$dir' '$incoming/deploy/deploy.sh' --activate '$incoming'"
  else
    local incoming="$target/releases/.incoming-$commit"
    mkdir -p "$target/releases"
    rm -rf "$incoming"
    cp -a "$staging/$commit" "$incoming"
    ERP_HOME="$target" activate "$incoming"
  fi
}

main "$@"
