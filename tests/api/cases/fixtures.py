"""Shared fixtures of the referral backend tests: a migrated SQLite or PostgreSQL database, seeded data, logins."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from api.auth.passwords import hash_password
from api.cases.models import Association, Operator, Queue
from api.db import make_engine
from tests.support.app_db import app_settings, migrate

SERVICE_TOKEN = "test-service-token-0123456789"
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
APP_TABLES = ("operator_session", "login_throttle", "directory_place", "audit_event", "case_message", "case_note",
              "case_referral", "live_event", "hotline_case", "operator", "case_queue", "association",
              "outbound_message", "inbound_message", "channel_identity", "case_statistic", "captured_contact",
              "person_erasure", "media_deletion", "offered_choice", "audio_clip", "case_satisfaction")


@lru_cache
def password_hash() -> str:
    """One Argon2 hash reused by every seeded operator (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "app.db"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema migrated with Alembic, dropped at the end of the session."""
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"test_cases_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """An empty migrated database of the backend the fixture's parameter names: a fresh SQLite copy, or the
    session's PostgreSQL schema emptied."""
    if request.param == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "app.db")
        return f"sqlite:///{tmp_path / 'app.db'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(APP_TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def factory(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[sessionmaker[Session]]:
    """A session factory on an empty migrated database (SQLite always, PostgreSQL with TEST_DATABASE_URL)."""
    with app_settings({"DATABASE_URL": empty_database_url(request, tmp_path, sqlite_template),
                       "SERVICE_TOKEN": SERVICE_TOKEN, "LOGIN_RATE_LIMIT": "1000/minute",
                       "WEBCHAT_ENABLED": "false"}) as made:
        yield made


@dataclass
class Seeded:
    """Two associations with one queue each, and their staff."""

    assoc_a: int
    assoc_b: int
    queue_a: int
    queue_b: int
    operator_a: int
    operator_a2: int
    supervisor_a: int
    admin_a: int
    operator_b: int


def add_operator(session: Session, email: str, association_id: int | None, role: str = "operator") -> Operator:
    """An active operator with the shared test password."""
    operator = Operator(email=email, hashed_password=password_hash(), role=role, association_id=association_id,
                        languages=["fr", "en"])
    session.add(operator)
    session.flush()
    return operator


@pytest.fixture
def seeded(factory: sessionmaker[Session]) -> Seeded:
    """Association A (Oujda, default queue) and B (Rabat), with operators, a supervisor and an admin in A."""
    with factory() as session:
        a, b = Association(name="Association A"), Association(name="Association B")
        session.add_all([a, b])
        session.flush()
        qa = Queue(association_id=a.id, name="Oujda", cities=["oujda", "berkane"], is_default=True)
        qb = Queue(association_id=b.id, name="Rabat", cities=["rabat"])
        session.add_all([qa, qb])
        session.flush()
        ids = Seeded(a.id, b.id, qa.id, qb.id,
                     add_operator(session, "op.a@example.org", a.id).id,
                     add_operator(session, "op.a2@example.org", a.id).id,
                     add_operator(session, "sup.a@example.org", a.id, "supervisor").id,
                     add_operator(session, "admin.a@example.org", a.id, "admin").id,
                     add_operator(session, "op.b@example.org", b.id).id)
        session.commit()
    return ids


def referral_body(**overrides: Any) -> dict[str, Any]:
    """A referral as the action server sends it."""
    body: dict[str, Any] = {
        "conversation_id": f"tg-{uuid.uuid4().hex[:16]}", "channel": "tg", "language": "fr",
        "topic": "rights_free_care", "city": "Oujda", "consent": True,
        "triage": {"emergency": False, "pregnant": False, "child": False, "violence": False, "no_medication": False},
        "contact": "chat",
    }
    body.update(overrides)
    return body


def service_headers(key: str | None = None) -> dict[str, str]:
    """The action server's headers for a referral."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": key or str(uuid.uuid4())}


@pytest.fixture
def client(factory: sessionmaker[Session]) -> TestClient:
    """The real app on the test database, with the login rate limiter's counts forgotten."""
    from api.auth.limiter import get_limiter
    from api.main import create_app

    get_limiter().reset()  # the limiter lives for the process; each test starts with no attempts counted
    return TestClient(create_app())


def login(client: TestClient, email: str) -> TestClient:
    """Log in through the API and send the CSRF token on every later request."""
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def create_case(client: TestClient, **overrides: Any) -> dict[str, Any]:
    """POST a referral and return the JSON of the created case."""
    response = client.post("/api/v1/referrals", json=referral_body(**overrides), headers=service_headers())
    assert response.status_code == 201, response.text
    return response.json()
