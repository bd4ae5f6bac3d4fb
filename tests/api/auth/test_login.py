"""Operator login: Argon2 hashes, sessions, lockout after five failures, rate limit, roles, the admin CLI."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import cli
from api.auth.accounts import AccountLocked, authenticate, create_operator
from api.auth.passwords import verify_password
from api.cases.errors import Conflict, Unauthorized
from api.cases.models import AuditEvent, Operator, utcnow
from tests.api.cases.fixtures import PASSWORD, login


def test_the_right_password_opens_a_session_and_me_names_the_operator(client, seeded) -> None:
    login(client, "OP.A@example.org ")
    me = client.get("/api/v1/auth/me").json()
    assert me["email"] == "op.a@example.org" and me["role"] == "operator" and "hashed_password" not in me


def test_a_wrong_password_is_refused_with_a_code(client, seeded) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "op.a@example.org", "password": "wrong"})
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"
    unknown = client.post("/api/v1/auth/login", json={"email": "nobody@example.org", "password": "wrong"})
    assert unknown.json() == response.json()


def test_five_failures_lock_the_account_for_fifteen_minutes_even_for_the_right_password(factory, seeded) -> None:
    start = utcnow()
    with factory() as session:
        for _ in range(5):
            with pytest.raises(Unauthorized):
                authenticate(session, "op.a@example.org", "wrong password", now=start)
        with pytest.raises(AccountLocked):
            authenticate(session, "op.a@example.org", PASSWORD, now=start + timedelta(minutes=14))
        operator = authenticate(session, "op.a@example.org", PASSWORD, now=start + timedelta(minutes=16))
        assert operator.failed_login_count == 0 and operator.locked_until is None
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_operator_id == operator.id)))
    assert actions.count("login_failed") == 5 and "account_locked" in actions and actions[-1] == "login"


def test_a_locked_account_answers_423_over_http(client, seeded) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/login", json={"email": "op.a@example.org", "password": "wrong"})
    response = client.post("/api/v1/auth/login", json={"email": "op.a@example.org", "password": PASSWORD})
    assert response.status_code == 423 and response.json()["code"] == "account_locked"


def test_login_attempts_are_rate_limited_per_address(client, seeded, monkeypatch) -> None:
    monkeypatch.setenv("LOGIN_RATE_LIMIT", "3/minute")
    from api.core.config import get_settings
    get_settings.cache_clear()
    codes = [client.post("/api/v1/auth/login", json={"email": "op.b@example.org", "password": "x"}).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    assert client.post("/api/v1/auth/login", json={"email": "op.b@example.org", "password": "x"}).json()["code"] \
        == "rate_limited"


def test_passwords_are_stored_as_argon2_hashes_and_weak_ones_refused(factory, seeded) -> None:
    with factory() as session:
        operator = create_operator(session, "new@example.org", "a long enough secret", "operator", seeded.assoc_a,
                                   ["fr", "wo"])
        assert operator.hashed_password.startswith("$argon2")
        assert verify_password("a long enough secret", operator.hashed_password)
        with pytest.raises(Conflict):
            create_operator(session, "weak@example.org", "short", "operator", seeded.assoc_a)
        with pytest.raises(Conflict):
            create_operator(session, "NEW@example.org", "a long enough secret", "operator", seeded.assoc_a)


def test_only_an_admin_creates_accounts(client, seeded) -> None:
    body = {"email": "fresh@example.org", "password": "another long secret", "role": "operator", "languages": ["ln"]}
    supervisor = login(client, "sup.a@example.org")
    refused = supervisor.post("/api/v1/auth/operators", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    admin = login(TestClient(client.app), "admin.a@example.org")
    created = admin.post("/api/v1/auth/operators", json=body)
    assert created.status_code == 201 and created.json()["association_id"] == seeded.assoc_a


def test_logout_ends_the_session(client, seeded) -> None:
    login(client, "op.a@example.org")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_create_admin_reads_the_password_from_stdin_never_from_arguments(factory, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a very long admin password\n"))
    status = cli.main(["create-admin", "--email", "Boss@example.org", "--association", "Caritas Oujda",
                       "--password-stdin"])
    assert status == 0
    output = capsys.readouterr().out
    assert "a very long admin password" not in output
    with factory() as session:
        admin = session.scalars(select(Operator).where(Operator.email == "boss@example.org")).one()
        assert admin.role == "admin" and admin.association_id is not None
        assert verify_password("a very long admin password", admin.hashed_password)
    with pytest.raises(SystemExit):
        cli.main(["create-admin", "--email", "x@example.org", "--password", "visible"])
