"""Writes strong local secrets to .env (git-ignored, owner-only) the first time `make run` starts.

Keys already in the file are kept (a new SECRET_KEY or encryption key would orphan stored data);
missing ones are added. The file also sets APP_ENV=development: this is a laptop's file. A
deployment sets its own secrets in its environment and leaves APP_ENV unset.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path

ENV_FILE = Path(__file__).resolve().parents[1] / ".env"


def fresh_values() -> dict[str, str]:
    """A new value for every setting the processes refuse to start without (outside development)."""
    return {
        "APP_ENV": "development",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # a Fernet key
        "SERVICE_TOKEN": secrets.token_urlsafe(32),
        "RASA_AUTH_TOKEN": secrets.token_urlsafe(32),
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "NLG_TOKEN": secrets.token_urlsafe(32),
    }


def existing_keys(text: str) -> set[str]:
    keys = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            keys.add(line.split("=", 1)[0].removeprefix("export ").strip())
    return keys


def main() -> int:
    text = ENV_FILE.read_text() if ENV_FILE.exists() else ""
    missing = {k: v for k, v in fresh_values().items() if k not in existing_keys(text)}
    if missing:
        header = "" if text else ("# Local secrets written by `make run` (scripts/make_env.py). Never commit this "
                                  "file.\n# Changing SECRET_KEY or ENCRYPTION_KEYS orphans stored data: see README.\n")
        lines = "".join(f"{key}={value}\n" for key, value in missing.items())
        separator = "" if not text or text.endswith("\n") else "\n"
        fd = os.open(ENV_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as env_file:
            env_file.write(header + separator + lines)
        print(f"wrote {', '.join(missing)} to .env (local secrets, development mode)", file=sys.stderr)
    os.chmod(ENV_FILE, 0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
