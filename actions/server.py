"""Starts the action server privately: `python -m actions.server` (what deploy/profile.py and the tests run).

rasa_sdk has no authentication of its own and `rasa run actions` listens on 0.0.0.0, so anyone
who reached it could post a made-up tracker with `next_action: action_forget_me` and erase a
person's cases. Here the same Sanic app only answers requests carrying
`Authorization: Bearer $ACTION_SERVER_TOKEN` (Rasa sends it: bot/endpoints.yml), binds
ACTIONS_HOST (127.0.0.1 by default), refuses weak secrets outside development mode, creates its
files (the outbox) owner-only, and never echoes a request body in an error (it holds the tracker).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Any

from actions.config import get_settings, require_strong_secrets

logger = logging.getLogger(__name__)
ACTIONS_PACKAGE = "actions"
OWNER_ONLY_UMASK = 0o077


def bearer_matches(authorization: str, expected: str) -> bool:
    """Whether `Authorization: Bearer <token>` carries `expected` (constant-time)."""
    scheme, _, token = authorization.partition(" ")
    return scheme.lower() == "bearer" and bool(token) and hmac.compare_digest(token.encode(), expected.encode())


def create_private_app(token: str) -> Any:
    """rasa_sdk's app for our actions, behind the token check and a body-free error handler."""
    from rasa_sdk.endpoint import create_app
    from sanic import response

    app = create_app(ACTIONS_PACKAGE, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Any) -> Any:
        if not bearer_matches(request.headers.get("authorization", ""), token):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    async def internal_error(request: Any, exception: Exception) -> Any:
        # rasa_sdk's own handler answers with the whole request body (a tracker: messages, slots).
        logger.error("action_server_error type=%s", type(exception).__name__)
        return response.json({"error": "internal_error"}, status=500)

    app.error_handler.add(Exception, internal_error)
    return app


def main(argv: list[str] | None = None) -> None:
    """`python -m actions.server [--port N] [--interface HOST]`."""
    from rasa_sdk import utils

    settings = get_settings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--interface", default=settings.host, help="address to bind (default 127.0.0.1)")
    args = parser.parse_args(argv)
    require_strong_secrets({"ACTION_SERVER_TOKEN": settings.action_server_token,
                            "SERVICE_TOKEN": settings.service_token}, "The action server")
    os.umask(OWNER_ONLY_UMASK)
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    app = create_private_app(settings.action_server_token)
    logger.info("action_server_started interface=%s port=%s", args.interface, args.port)
    app.run(args.interface, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
