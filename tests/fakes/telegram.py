"""A fake Telegram Bot API server: serves queued updates and records every method the bot calls."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import serving

MAX_LONG_POLL_SECONDS = 2.0
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Sante", "username": "sante_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class FakeTelegram:
    """`calls` holds (method, params) in order; `updates` is what getUpdates hands out."""

    token: str
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""
    file_content: bytes = b"OggS fake voice note"
    # Errors the next send* calls get instead of success: (HTTP status, Bot API error body).
    failures: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(100))

    @property
    def base_url(self) -> str:
        """What python-telegram-bot's `base_url` should be."""
        return f"{self.url}/bot"

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        """The parameters of every call of `method`."""
        return [params for name, params in self.calls if name == method]

    def queue_update(self, update: dict[str, Any]) -> int:
        """Add an update for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, **update})
        return update_id

    def fail_next_sends(self, count: int, status: int = 502, retry_after: int | None = None) -> None:
        """Make the next `count` send* calls fail like Telegram does (502 Bad Gateway, 429 Too Many Requests)."""
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": f"fake failure {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self.failures.extend([(status, body)] * count)

    def app(self) -> Starlette:
        async def method(request: Request) -> JSONResponse:
            if request.path_params["token"] != self.token:
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"},
                                    status_code=401)
            name = request.path_params["method"]
            params = await _params(request)
            if name.startswith("send") and self.failures:
                status, body = self.failures.pop(0)
                self.calls.append((f"{name}:failed", params))
                return JSONResponse(body, status_code=status)
            self.calls.append((name, params))
            return JSONResponse({"ok": True, "result": await self._result(name, params)})

        async def download(request: Request) -> Response:
            if request.path_params["token"] != self.token:
                return Response(status_code=401)
            self.calls.append(("download", {"file_path": request.path_params["path"]}))
            return Response(self.file_content, media_type="application/octet-stream")

        return Starlette(routes=[Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
                                 Route("/file/bot{token}/{path:path}", download)])

    async def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name == "getUpdates":
            offset = int(params.get("offset") or 0)
            # A real long poll: wait (up to the bot's `timeout`, capped) until there is something to hand out.
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), MAX_LONG_POLL_SECONDS)
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or time.monotonic() >= deadline:
                    break
                await asyncio.sleep(0.05)
            if not self.updates:
                await asyncio.sleep(0.05)  # even a zero timeout must not turn into a busy loop
            return self.updates[:100]
        if name in ("sendMessage", "sendPhoto", "sendVoice"):
            message = {"message_id": next(self._message_ids), "date": int(time.time()),
                       "chat": {"id": int(params["chat_id"]), "type": "private"}, "from": BOT_USER}
            if name == "sendMessage":
                message["text"] = params.get("text", "")
            elif name == "sendVoice":
                message["voice"] = {"file_id": "voice-out", "file_unique_id": "vo", "duration": 1}
            else:
                message["photo"] = [{"file_id": "photo-out", "file_unique_id": "po", "width": 1, "height": 1}]
            return message
        if name == "getFile":
            return {"file_id": params["file_id"], "file_unique_id": "unique-" + params["file_id"],
                    "file_size": 1234, "file_path": f"voice/{params['file_id']}.oga"}
        return True  # answerCallbackQuery, setWebhook, deleteWebhook, ...


async def _params(request: Request) -> dict[str, Any]:
    """python-telegram-bot sends form fields whose complex values are JSON strings."""
    if request.headers.get("content-type", "").startswith("application/json"):
        raw = await request.json()
    else:
        raw = dict((await request.form()).multi_items())
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in "[{":
            try:
                value = json.loads(value)
            except ValueError:
                pass
        params[key] = value
    return params


@contextmanager
def running_fake_telegram(token: str, port: int | None = None) -> Iterator[FakeTelegram]:
    """Serve a FakeTelegram on `port` (else a free local port)."""
    fake = FakeTelegram(token=token)
    with serving(fake.app(), port) as url:
        fake.url = url
        yield fake
