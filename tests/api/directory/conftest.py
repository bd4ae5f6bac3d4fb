"""Fixtures of the directory tests: the referral backend's databases (SQLite, PostgreSQL) and logins."""

import pytest

from api.directory.curated import curated_sync
from tests.api.cases.fixtures import client, factory, postgres_url, seeded, sqlite_template  # noqa: F401


@pytest.fixture(autouse=True)
def curated_synced_again() -> None:
    """Each test's database starts empty: the curated file must be synced into it again."""
    curated_sync.forget()
