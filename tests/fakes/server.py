"""Serve a small ASGI app on a free local port in a background thread for the duration of a test."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

from tests.support.ports import free_port


@contextmanager
def serving(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Run `app` with uvicorn (on `port`, else a free one) and yield its base URL; stop it afterwards."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def reset_state(fake: object, keep: tuple[str, ...] = ("url",)) -> None:
    """Put a fake's dataclass fields back to their defaults (except `keep`), so one server serves many tests."""
    for spec in dataclasses.fields(fake):  # type: ignore[arg-type]
        if spec.name in keep:
            continue
        if spec.default_factory is not dataclasses.MISSING:
            setattr(fake, spec.name, spec.default_factory())
        elif spec.default is not dataclasses.MISSING:
            setattr(fake, spec.name, spec.default)
