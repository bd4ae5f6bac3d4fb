"""App-side unit tests run in development mode (the laptop secrets); tests of the refusal set APP_ENV themselves."""

import os

os.environ["APP_ENV"] = "development"

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_audio_index_across_tests():
    """Each test has its own database: the clip index of the previous one must not answer for it."""
    from api.audio.index import forget_index

    forget_index()
    yield
    forget_index()
