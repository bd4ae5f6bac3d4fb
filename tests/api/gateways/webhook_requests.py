"""Test apps for the webhook routes, and requests signed the way Twilio does (its own RequestValidator)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from twilio.request_validator import RequestValidator

from api.console import install_console
from api.core.error_responses import install_error_responses
from api.gateways.telegram import shutdown_shared_application
from tests.api.gateways.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN


@contextlib.asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    await shutdown_shared_application()  # the webhook's Application lives in the app's event loop


def gateway_app(*routers) -> FastAPI:  # type: ignore[no-untyped-def]
    """A FastAPI app with the given routers, set up as the API sets itself up."""
    app = FastAPI(lifespan=_lifespan)
    install_error_responses(app)  # the API's JSON error shape
    install_console(app)  # and its session cookie check on writes
    for router in routers:
        app.include_router(router)
    return app


def signed_post(client: TestClient, path: str, params: dict[str, str], token: str = TWILIO_TOKEN,
                signature: str | None = None) -> Response:
    """POST form `params` to `path` (query string included) with the signature Twilio would compute."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(PUBLIC_BASE_URL + path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(path, data=params, headers=headers)
