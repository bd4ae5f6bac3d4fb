"""Fixtures of the editors' workspace tests: a copy of the catalogs to edit, the referral backend's databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.core.config import PROJECT_ROOT, get_settings
from tests.api.cases.fixtures import client, factory, postgres_url, seeded, sqlite_template  # noqa: F401


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's catalogs copied to a temporary folder, which the settings point at."""
    copy = tmp_path / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", copy, ignore=shutil.ignore_patterns("*.mo", "audio"))
    monkeypatch.setenv("LOCALES_DIR", str(copy))
    get_settings.cache_clear()
    yield copy
    get_settings.cache_clear()
