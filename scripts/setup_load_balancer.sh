#!/usr/bin/env bash
# Installs the production profile's load balancer, HAProxy, from Debian (the end-to-end tests start it too).
set -euo pipefail
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing HAProxy from Debian for the production profile"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  # Debian starts a system haproxy on install; the profile runs its own under supervisord.
  if command -v systemctl >/dev/null && systemctl is-active --quiet haproxy 2>/dev/null; then systemctl stop haproxy; fi
else
  echo "error: the production profile needs HAProxy: sudo apt-get install haproxy" >&2
  exit 1
fi
