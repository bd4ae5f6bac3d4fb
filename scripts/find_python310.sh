#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs it), or explains what to install.
set -euo pipefail
for candidate in "${PYTHON310:-}" "$(command -v python3.10 || true)"; do
  if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
done
roots=()
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
for root in "${roots[@]}"; do
  for candidate in "$root"/versions/3.10.*/bin/python; do
    [ -x "$candidate" ] && { echo "$candidate"; exit 0; }
  done
done
cat >&2 <<'MSG'
error: Python 3.10 was not found, and the Rasa 3.6 side of the assistant needs it.
Install it, then run the command again, for example:
  - with pyenv:          pyenv install 3.10
  - on Debian/Ubuntu:    apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - or point to one:     PYTHON310=/path/to/python3.10 make run
MSG
exit 1
