#!/usr/bin/env bash
# Render deploy/nginx/erp.conf with this installation's values.
#   LISTEN=80 SERVER_NAME=erp.example.com WEB_ROOT=/opt/erp-engine/current/web/dist \
#   UPSTREAM_FILE=/etc/nginx/erp-engine/upstream.conf SNIPPETS_DIR=/etc/nginx/erp-engine \
#   deploy/render-nginx.sh > /etc/nginx/conf.d/erp-engine.conf
# SNIPPETS_DIR must hold deploy/nginx/security-headers.conf (installed there by the guide).
# RELEASE_FILE (default: release.conf beside UPSTREAM_FILE, where bluegreen.sh writes it)
# must exist before `nginx -t`; it may be empty until the first switch.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${LISTEN:=80}" "${SERVER_NAME:=_}" "${WEB_ROOT:=/opt/erp-engine/current/web/dist}"
: "${UPSTREAM_FILE:=/etc/nginx/erp-engine/upstream.conf}" "${SNIPPETS_DIR:=/etc/nginx/erp-engine}"
: "${RELEASE_FILE:=$(dirname "$UPSTREAM_FILE")/release.conf}"
sed -e "s|@@LISTEN@@|${LISTEN}|g" -e "s|@@SERVER_NAME@@|${SERVER_NAME}|g" \
    -e "s|@@WEB_ROOT@@|${WEB_ROOT}|g" -e "s|@@UPSTREAM_FILE@@|${UPSTREAM_FILE}|g" \
    -e "s|@@SNIPPETS_DIR@@|${SNIPPETS_DIR}|g" -e "s|@@RELEASE_FILE@@|${RELEASE_FILE}|g" \
    "$here/nginx/erp.conf"
