"""Starts delivering referrals left in the outbox when the action server starts (e.g. after a crash)."""

from __future__ import annotations

import logging
from typing import Any

from actions.config import get_settings
from actions.http_client import close_backend_client
from actions.outbox import default_outbox, delivery_task

logger = logging.getLogger(__name__)
SDK_APP_NAME = "rasa_sdk"  # the name rasa_sdk.endpoint.create_app gives its Sanic app


async def resume_outbox_delivery(app: Any, loop: Any) -> None:
    """Sanic listener: deliver whatever an earlier run of the server could not."""
    outbox = default_outbox()
    if outbox.next_attempt_at() is not None:
        logger.info("outbox_resume")
        delivery_task.ensure_running(outbox, get_settings())


async def stop_outbox_delivery(app: Any, loop: Any) -> None:
    """Sanic listener: stop retrying on shutdown (undelivered referrals stay in the outbox), close the client."""
    await delivery_task.stop()
    await close_backend_client()


def register_with_action_server() -> bool:
    """Hook the listener into the running action server's app; False outside `rasa run actions`."""
    try:
        from sanic import Sanic
        app = Sanic.get_app(SDK_APP_NAME)
    except Exception:  # no app of that name: imported by tests or tools, nothing to hook into
        return False
    app.register_listener(resume_outbox_delivery, "after_server_start")
    app.register_listener(stop_outbox_delivery, "before_server_stop")
    return True


register_with_action_server()
