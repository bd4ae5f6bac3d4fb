#!/usr/bin/env bash
# Creates or updates the two virtual environments, pinned by requirements/{app,bot}.lock (the versions the
# tests last passed with); reinstalls only when pyproject.toml or a lock file changed.
# `make lock` (LOCK=refresh) installs the newest versions pyproject.toml allows instead, then rewrites the locks.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=${LOCK:-use}
stamp_of() { cat pyproject.toml requirements/*.lock 2>/dev/null | sha256sum | cut -c1-16; }
stamp=$(stamp_of)

ensure_env() {  # dir python extras lockfile
  local dir=$1 python=$2 extras=$3 lock=$4
  if [ "$LOCK" = use ] && [ -f "$dir/.installed-$stamp" ]; then return 0; fi
  echo "==> preparing $dir ($extras) with $($python --version 2>&1)"
  [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip<24.1" setuptools wheel
  local constraints=()
  if [ "$LOCK" = use ] && [ -f "$lock" ]; then constraints=(--constraint "$lock"); fi
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${constraints[@]}" \
    $([ "$LOCK" = refresh ] && echo --upgrade --upgrade-strategy eager) -e ".[$extras]"
  if [ "$LOCK" = refresh ]; then
    { echo "# $dir (.[$extras]) with $("$dir/bin/python" --version 2>&1): the versions the tests passed with."
      echo "# Written by \`make lock\`; scripts/setup_envs.sh installs exactly these (pip --constraint)."
      "$dir/bin/python" -m pip freeze --disable-pip-version-check --exclude-editable | LC_ALL=C sort -f; } > "$lock"
    echo "==> wrote $lock"
  fi
  rm -f "$dir"/.installed-*; touch "$dir/.installed-$(stamp_of)"
}

APP_PYTHON=${APP_PYTHON:-python3}
"$APP_PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || {
  echo "error: the app side needs Python 3.11 or newer as 'python3' (or set APP_PYTHON=/path/to/python3.11)." >&2; exit 1; }
mkdir -p requirements
ensure_env .venv-app "$APP_PYTHON" "app,dev" requirements/app.lock
ensure_env .venv-bot "$(scripts/find_python310.sh)" "bot" requirements/bot.lock
