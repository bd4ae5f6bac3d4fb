"""Fixtures of the audio tests: the referral backend's databases and logins, clips in the test's own folder."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.core.config import get_settings
from tests.api.cases.fixtures import client, factory, postgres_url, seeded, sqlite_template  # noqa: F401


@pytest.fixture(autouse=True)
def audio_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Clips go under the test's folder, never under var/."""
    folder = tmp_path / "audio"
    monkeypatch.setenv("AUDIO_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
