#!/usr/bin/env bash
# Creates or updates the two virtual environments; reinstalls only when pyproject.toml changed.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp_of() { sha256sum pyproject.toml | cut -c1-16; }
stamp=$(stamp_of)

ensure_env() {  # name python extras
  local dir=$1 python=$2 extras=$3
  if [ -f "$dir/.installed-$stamp" ]; then return 0; fi
  echo "==> preparing $dir ($extras) with $($python --version 2>&1)"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<24.1" setuptools wheel
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[$extras]"
  rm -f "$dir"/.installed-*; touch "$dir/.installed-$stamp"
}

APP_PYTHON=${APP_PYTHON:-python3}
"$APP_PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || {
  echo "error: the app side needs Python 3.11 or newer as 'python3' (or set APP_PYTHON=/path/to/python3.11)." >&2; exit 1; }
ensure_env .venv-app "$APP_PYTHON" "app,dev"
ensure_env .venv-bot "$(scripts/find_python310.sh)" "bot"
