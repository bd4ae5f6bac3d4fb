"""The whole app (web chat included) on a migrated test database, for the security tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.cases.fixtures import factory, postgres_url, seeded, sqlite_template  # noqa: F401
from tests.support.app_db import reset_caches


@pytest.fixture
def client(factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:  # noqa: F811
    """The real app with every router, the login limiter's counts forgotten."""
    from api.auth.limiter import get_limiter
    from api.main import create_app

    monkeypatch.setenv("WEBCHAT_ENABLED", "true")
    reset_caches()
    get_limiter().reset()
    yield TestClient(create_app())
