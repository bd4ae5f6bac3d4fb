"""A fake Twilio REST API: records the messages the gateway sends and the media it deletes, can fail on demand."""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import serving


@dataclass
class FakeTwilio:
    """Accepts `POST /2010-04-01/Accounts/{sid}/Messages.json` with the right basic auth."""

    account_sid: str
    auth_token: str
    messages: list[dict] = field(default_factory=list)
    # Paths of recordings and message media deleted through the REST API (DELETE …/Recordings/RE….json).
    deleted: list[str] = field(default_factory=list)
    failures_to_serve: int = 0
    url: str = ""
    # Message media and recordings it serves: path (…/Media/ME… or …/Recordings/RE…) -> (bytes, content type).
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def bodies(self) -> list[str]:
        """The bodies received, in order."""
        return [m.get("Body", "") for m in self.messages]

    def app(self) -> Starlette:
        ids = itertools.count(1)
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()

        def refusal(request: Request) -> JSONResponse | None:
            """Twilio's answer to a request without the account's credentials, or a failure the test asked for."""
            if request.headers.get("authorization") != expected:
                return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
            if self.failures_to_serve > 0:
                self.failures_to_serve -= 1
                return JSONResponse({"code": 20500, "message": "Internal error", "status": 500}, status_code=500)
            return None

        async def create_message(request: Request) -> JSONResponse:
            if (refused := refusal(request)) is not None:
                return refused
            form = await request.form()
            message = {key: value for key, value in form.multi_items() if key != "MediaUrl"}
            message["MediaUrl"] = form.getlist("MediaUrl")
            self.messages.append(message)
            sid = f"SM{next(ids):032d}"
            return JSONResponse({"sid": sid, "account_sid": request.path_params["sid"], "status": "queued",
                                 "to": message.get("To"), "from": message.get("From"),
                                 "body": message.get("Body"), "num_segments": "1"}, status_code=201)

        async def delete_media(request: Request) -> Response:
            if (refused := refusal(request)) is not None:
                return refused
            self.deleted.append(request.url.path.removesuffix(".json"))
            return Response(status_code=204)

        async def get_media(request: Request) -> Response:
            if request.headers.get("authorization") != expected:
                return JSONResponse({"code": 20003, "message": "Authenticate", "status": 401}, status_code=401)
            if request.url.path not in self.files:
                return JSONResponse({"code": 20404, "message": "Not found", "status": 404}, status_code=404)
            return Response(status_code=307, headers={"location": f"/files{request.url.path}"})

        async def get_file(request: Request) -> Response:
            content, content_type = self.files[request.url.path.removeprefix("/files")]
            return Response(content, media_type=content_type)

        return Starlette(routes=[
            Route("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}", get_media, methods=["GET"]),
            Route("/2010-04-01/Accounts/{sid}/Recordings/{recording}", get_media, methods=["GET"]),
            Route("/files/{path:path}", get_file, methods=["GET"]),
            Route("/2010-04-01/Accounts/{sid}/Messages.json", create_message, methods=["POST"]),
            Route("/2010-04-01/Accounts/{sid}/Recordings/{recording}.json", delete_media, methods=["DELETE"]),
            Route("/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}.json", delete_media,
                  methods=["DELETE"]),
        ])


@contextmanager
def running_fake_twilio(account_sid: str, auth_token: str, port: int | None = None) -> Iterator[FakeTwilio]:
    """Serve a FakeTwilio on `port` (else a free local port)."""
    fake = FakeTwilio(account_sid=account_sid, auth_token=auth_token)
    with serving(fake.app(), port) as url:
        fake.url = url
        yield fake
