"""App-side unit tests run in development mode (the laptop secrets); tests of the refusal set APP_ENV themselves."""

import os

os.environ["APP_ENV"] = "development"

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from tests.support.app_db import migrated_sqlite  # noqa: E402
from tests.support.fake_rasa import FakeRasa, running_fake_rasa  # noqa: E402


@pytest.fixture(autouse=True)
def _no_audio_index_across_tests():
    """Each test has its own database: the clip index of the previous one must not answer for it."""
    from api.audio.index import forget_index

    forget_index()
    yield
    forget_index()


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    """A plain fake Rasa of the test's own (tests/support/fake_rasa.py), for tests that read what it received."""
    with running_fake_rasa() as fake:
        yield fake


@pytest.fixture
def webchat_client(tmp_path: Path, rasa: FakeRasa) -> Iterator[TestClient]:
    """The whole app on its own migrated SQLite database, with this test's fake Rasa (`rasa`) behind the web chat;
    `client.factory` makes sessions on that database."""
    from api.main import create_app

    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, ACTION_SERVER_URL=rasa.url) as factory:
        with TestClient(create_app()) as test_client:
            test_client.factory = factory  # type: ignore[attr-defined]
            yield test_client
