"""The fake Rasa server of tests/support plus the tracker-events endpoint gateways use to set slots."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.server import serving
from tests.support.fake_rasa import FakeRasa


@dataclass
class FakeRasaWithEvents(FakeRasa):
    """Also accepts `POST /conversations/{id}/tracker/events`: slot events update `slots`."""

    events: list[tuple[str, dict]] = field(default_factory=list)

    def app(self) -> Starlette:
        app = super().app()

        async def append_events(request: Request) -> JSONResponse:
            body = await request.json()
            for event in body if isinstance(body, list) else [body]:
                self.events.append((request.path_params["sender"], event))
                if event.get("event") == "slot":
                    self.slots[event["name"]] = event["value"]
                elif event.get("event") == "action":
                    self.latest_action_name = event["name"]
            return JSONResponse({"sender_id": request.path_params["sender"], "slots": self.slots})

        app.router.routes.append(Route("/conversations/{sender}/tracker/events", append_events,
                                       methods=["POST"]))
        return app


@contextmanager
def running_fake_rasa() -> Iterator[FakeRasaWithEvents]:
    """Serve a FakeRasaWithEvents on a free local port."""
    fake = FakeRasaWithEvents()
    with serving(fake.app()) as url:
        fake.url = url
        yield fake
