"""Liveness and readiness: is the process up, and do the database, Rasa and the action server answer."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.core.config import get_settings
from api.core.http_client import http_client
from api.db import get_engine
from api.gateways.rasa_auth import rasa_api_params

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


async def _http_ok(url: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> bool:
    try:
        return (await http_client().get(url, params=params, headers=headers, timeout=3)).status_code == 200
    except httpx.HTTPError:
        return False


def _database_ok() -> bool:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not ready"
        return False


@router.get("/readyz", responses={503: {"description": "a dependency does not answer (named in `failing`)"}})
async def readyz() -> JSONResponse:
    """Every dependency answers; otherwise 503 naming the ones that do not."""
    settings = get_settings()
    database, rasa, actions = await asyncio.gather(
        asyncio.to_thread(_database_ok),
        # Both answer only with their secrets, so "ready" also means the secrets agree.
        _http_ok(f"{settings.rasa_url}/status", params=rasa_api_params()),
        _http_ok(f"{settings.action_server_url}/health",
                 headers={"Authorization": f"Bearer {settings.action_server_token}"}),
    )
    checks = {"database": database, "rasa": rasa, "action_server": actions}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ready" if not failing else "not_ready", "checks": checks, "failing": failing}
    return JSONResponse(body, status_code=200 if not failing else 503)
