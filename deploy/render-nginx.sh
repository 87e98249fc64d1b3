#!/usr/bin/env bash
# Render deploy/nginx/erp.conf with this installation's values.
#   LISTEN=80 SERVER_NAME=erp.example.com WEB_ROOT=/opt/erp-engine/current/web/dist \
#   UPSTREAM_FILE=/etc/nginx/erp-engine/upstream.conf deploy/render-nginx.sh > erp.conf
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${LISTEN:=80}" "${SERVER_NAME:=_}" "${WEB_ROOT:=/opt/erp-engine/current/web/dist}"
: "${UPSTREAM_FILE:=/etc/nginx/erp-engine/upstream.conf}"
sed -e "s|@@LISTEN@@|${LISTEN}|g" -e "s|@@SERVER_NAME@@|${SERVER_NAME}|g" \
    -e "s|@@WEB_ROOT@@|${WEB_ROOT}|g" -e "s|@@UPSTREAM_FILE@@|${UPSTREAM_FILE}|g" \
    "$here/nginx/erp.conf"
