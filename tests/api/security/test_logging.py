"""What the app's own logs may say: route templates not URLs, no SQL parameters, no library URL logging."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from api.core.logging import QUIET_LOGGERS, configure_logging
from api.db import make_engine


def test_a_database_error_does_not_carry_the_statement_parameters(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE account (email TEXT UNIQUE, hashed_password TEXT)"))
        connection.execute(text("INSERT INTO account VALUES ('a@example.org', '$argon2id$secret')"))
    with pytest.raises(IntegrityError) as error, engine.begin() as connection:
        connection.execute(text("INSERT INTO account VALUES (:email, :hash)"),
                           {"email": "a@example.org", "hash": "$argon2id$other-secret"})
    assert "a@example.org" not in str(error.value) and "argon2" not in str(error.value)
    engine.dispose()


def test_the_access_log_names_the_route_never_the_url(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    token = "chat-token-that-must-not-be-logged-0001"
    with caplog.at_level(logging.INFO, logger="api.access"):
        client.get("/chat/api/updates", params={"after": 0, "token": token}, headers={"X-Chat-Token": token})
        client.get(f"/api/v1/cases/12345?secret={token}")
    lines = [record.fields for record in caplog.records if record.name == "api.access"]  # type: ignore[attr-defined]
    assert {"method": "GET", "route": "/chat/api/updates", "status": 200} == {k: lines[0][k] for k in
                                                                               ("method", "route", "status")}
    assert lines[1]["route"] == "/api/v1/cases/{case_id:int}" and lines[1]["status"] == 401
    assert token not in caplog.text and "12345" not in caplog.text


def test_libraries_that_log_urls_are_kept_quiet() -> None:
    configure_logging("INFO")
    for name in QUIET_LOGGERS:
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
