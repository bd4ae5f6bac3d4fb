"""App-side unit tests run in development mode (the laptop secrets); tests of the refusal set APP_ENV themselves."""

import os

os.environ["APP_ENV"] = "development"

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

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
