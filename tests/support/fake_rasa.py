"""A local stand-in for the Rasa server's REST channel and tracker API, for gateway unit tests."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.ports import free_port


@dataclass
class FakeRasa:
    """Answers each message with `replies`, records what it received, can be switched off.

    `webhook_up` False fails only the message endpoint (Rasa up, failing on a message);
    `parses` maps a text to the intent `POST /model/parse` gives it (default `greet`);
    `latest_action_name` is what the tracker says Rasa did last.
    """

    replies: list[dict] = field(default_factory=lambda: [{"text": "hello"}])
    received: list[dict] = field(default_factory=list)
    slots: dict = field(default_factory=lambda: {"language": "fr"})
    up: bool = True
    webhook_up: bool = True
    parses: dict[str, str] = field(default_factory=dict)
    parsed: list[str] = field(default_factory=list)
    latest_action_name: str = "action_listen"
    url: str = ""
    # When set, a message is answered only once the event is set (a turn still in progress).
    gate: threading.Event | None = None
    # When set, called (on a thread) while a message is being answered: what others do during a turn.
    during_turn: Callable[[], None] | None = None

    def app(self) -> Starlette:
        async def webhook(request: Request) -> JSONResponse:
            if not self.up or not self.webhook_up:
                return JSONResponse({"error": "down"}, status_code=503 if not self.up else 500)
            body = await request.json()
            self.received.append(body)
            if self.gate is not None:
                await asyncio.to_thread(self.gate.wait, 60)
            if self.during_turn is not None:
                await asyncio.to_thread(self.during_turn)
            return JSONResponse([dict(r, recipient_id=body["sender"]) for r in self.replies])

        async def tracker(request: Request) -> JSONResponse:
            if not self.up:
                return JSONResponse({"error": "down"}, status_code=503)
            return JSONResponse({"sender_id": request.path_params["sender"], "slots": self.slots,
                                 "latest_action_name": self.latest_action_name})

        async def parse(request: Request) -> JSONResponse:
            if not self.up:
                return JSONResponse({"error": "down"}, status_code=503)
            text = (await request.json())["text"]
            self.parsed.append(text)
            return JSONResponse({"text": text, "intent": {"name": self.parses.get(text, "greet"), "confidence": 0.9}})

        async def status(_request: Request) -> JSONResponse:
            return JSONResponse({"model_file": "fake"}, status_code=200 if self.up else 503)

        return Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                                 Route("/conversations/{sender}/tracker", tracker),
                                 Route("/model/parse", parse, methods=["POST"]),
                                 Route("/status", status), Route("/health", status)])


@contextmanager
def running_fake_rasa() -> Iterator[FakeRasa]:
    """Serve a FakeRasa on a free local port in a background thread."""
    fake = FakeRasa()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=5)
