"""Starts the API under uvicorn the safe way: `python -m api.server` (what deploy/profile.py and the tests run).

- Binds API_HOST:API_PORT (127.0.0.1:8000 by default).
- Believes X-Forwarded-For / X-Forwarded-Proto only from FORWARDED_ALLOW_IPS (default: nobody).
  uvicorn on its own trusts them from 127.0.0.1, so anyone on the host could pick the address the
  login limits key on.
- uvicorn's access log is off: its request line carries the query string. The app logs its own
  (api/core/logging.py: route template, status, duration).
- Files the process creates (SQLite database and WAL, logs) are readable by its user only.
- Refuses to start with weak secrets outside development mode (api/core/secrets.py).
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from api.core.config import Settings, get_settings
from api.core.secrets import require_strong_secrets

OWNER_ONLY_UMASK = 0o077


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """The keyword arguments for `uvicorn.run` from the settings."""
    trusted = settings.forwarded_allow_ips.strip()
    return {"host": settings.api_host, "port": settings.api_port, "proxy_headers": bool(trusted),
            "forwarded_allow_ips": trusted or "", "access_log": False, "server_header": False,
            "log_config": None}


def main(argv: list[str] | None = None) -> None:
    """Check the secrets, restrict file modes, serve `api.main:app` (`--host`/`--port` override the settings)."""
    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings.api_host)
    parser.add_argument("--port", type=int, default=settings.api_port)
    args = parser.parse_args(argv)
    require_strong_secrets(settings, "The API")
    os.umask(OWNER_ONLY_UMASK)
    options = uvicorn_options(settings) | {"host": args.host, "port": args.port}
    uvicorn.run("api.main:app", **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
