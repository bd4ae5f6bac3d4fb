#!/usr/bin/env bash
# Installs what the tests need from Debian: headless Chromium (console browser test) and the
# DejaVu fonts (the rights card image draws Arabic with them); HAProxy for the production-profile tests.
set -euo pipefail
"$(dirname "$0")/setup_load_balancer.sh"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "==> installing from Debian for the tests: ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "error: the tests need these Debian packages: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
