"""Operator login: Argon2 hashes, server-side sessions, lockout per client and account, one rate limit, roles, CLI."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api import cli
from api.auth.accounts import INVALID_CREDENTIALS, authenticate, create_operator
from api.auth.deps import SESSION_COOKIE
from api.auth.models import LoginThrottle
from api.auth.passwords import verify_password
from api.auth.throttle import lockout_seconds
from api.cases.models import AuditEvent, Operator
from api.core.clock import utcnow
from api.core.errors import Conflict, Unauthorized
from tests.api.cases.fixtures import PASSWORD, login

ATTACKER = "198.51.100.7"
OPERATOR_DESK = "192.0.2.10"


def test_the_right_password_opens_a_session_and_me_names_the_operator(client, seeded) -> None:
    login(client, "OP.A@example.org ")
    me = client.get("/api/v1/auth/me").json()
    assert me["email"] == "op.a@example.org" and me["role"] == "operator" and "hashed_password" not in me


REFUSED = {"code": "invalid_credentials", "detail": INVALID_CREDENTIALS}


def try_login(client: TestClient, email: str, password: str) -> tuple[int, dict]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    return response.status_code, response.json()


def test_wrong_unknown_deactivated_and_locked_accounts_get_the_same_answer(client, seeded, factory) -> None:
    with factory() as session:
        session.get(Operator, seeded.operator_b).active = False
        session.commit()
    wrong = try_login(client, "op.a@example.org", "wrong")
    unknown = try_login(client, "nobody@example.org", "wrong")
    deactivated = try_login(client, "op.b@example.org", PASSWORD)
    for _ in range(5):
        try_login(client, "op.a2@example.org", "wrong")
    locked = try_login(client, "op.a2@example.org", PASSWORD)
    assert wrong == unknown == deactivated == locked == (401, REFUSED)


def test_five_failures_lock_only_that_client_and_the_wait_doubles(factory, seeded) -> None:
    start = utcnow()
    with factory() as session:
        for _ in range(5):
            with pytest.raises(Unauthorized):
                authenticate(session, "op.a@example.org", "wrong password", ATTACKER, now=start)
        # The attacker's client waits 60 s even with the right password; the operator's own client does not.
        with pytest.raises(Unauthorized):
            authenticate(session, "op.a@example.org", PASSWORD, ATTACKER, now=start + timedelta(seconds=59))
        assert authenticate(session, "op.a@example.org", PASSWORD, OPERATOR_DESK, now=start).id == seeded.operator_a
        # One more guess after the wait doubles it: 120 s from then.
        with pytest.raises(Unauthorized):
            authenticate(session, "op.a@example.org", "wrong again", ATTACKER, now=start + timedelta(seconds=61))
        with pytest.raises(Unauthorized):
            authenticate(session, "op.a@example.org", PASSWORD, ATTACKER, now=start + timedelta(seconds=180))
        operator = authenticate(session, "op.a@example.org", PASSWORD, ATTACKER, now=start + timedelta(seconds=182))
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_operator_id == operator.id)))
    assert actions.count("login_failed") == 8 and "login_locked_for_client" in actions and actions[-1] == "login"


def test_the_lock_grows_to_its_cap_and_a_login_forgets_it(factory, seeded) -> None:
    assert [lockout_seconds(n) for n in (4, 5, 6, 7)] == [0, 60, 120, 240]
    assert lockout_seconds(40) == 3600
    with factory() as session:
        for _ in range(3):
            with pytest.raises(Unauthorized):
                authenticate(session, "op.a@example.org", "wrong", ATTACKER)
        authenticate(session, "op.a@example.org", PASSWORD, ATTACKER)
        assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_an_attacker_locking_an_account_over_http_does_not_lock_the_operator_out(client, seeded) -> None:
    attacker = TestClient(client.app, client=(ATTACKER, 40000))
    for _ in range(6):
        assert try_login(attacker, "op.a@example.org", "guess")[0] == 401
    assert try_login(attacker, "op.a@example.org", PASSWORD) == (401, REFUSED)
    desk = TestClient(client.app, client=(OPERATOR_DESK, 40000))
    assert try_login(desk, "op.a@example.org", PASSWORD)[0] == 200


def test_both_login_routes_share_one_limit_per_address(client, seeded, monkeypatch) -> None:
    monkeypatch.setenv("LOGIN_RATE_LIMIT", "3/minute")
    from api.core.config import get_settings
    get_settings.cache_clear()
    form = {"email": "op.b@example.org", "password": "x"}
    codes = [try_login(client, "op.b@example.org", "x")[0],
             client.post("/console/login", data=form).status_code,
             try_login(client, "op.b@example.org", "x")[0],
             client.post("/console/login", data=form).status_code]
    assert codes == [401, 401, 401, 429]
    assert try_login(client, "op.b@example.org", "x") == (429, {"code": "rate_limited",
                                                                "detail": "Too many attempts; wait a minute."})


def test_x_forwarded_for_does_not_give_a_fresh_limit(client, seeded, monkeypatch) -> None:
    monkeypatch.setenv("LOGIN_RATE_LIMIT", "2/minute")
    from api.core.config import get_settings
    get_settings.cache_clear()
    codes = [client.post("/api/v1/auth/login", json={"email": "op.b@example.org", "password": "x"},
                         headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]
    assert codes == [401, 401, 429]


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


def test_a_logged_out_cookie_is_refused_even_when_replayed(client, seeded) -> None:
    login(client, "op.a@example.org")
    stolen = client.cookies.get(SESSION_COOKIE)
    assert stolen and client.get("/api/v1/auth/me").status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    replay = TestClient(client.app, cookies={SESSION_COOKIE: stolen})
    assert replay.get("/api/v1/auth/me").status_code == 401
    assert replay.get("/console/queue", follow_redirects=False).headers["location"] == "/console/login"


def test_the_cookie_is_a_random_value_httponly_and_samesite_strict(client, seeded) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "op.a@example.org", "password": PASSWORD})
    header = response.headers["set-cookie"]
    assert "HttpOnly" in header and "samesite=strict" in header.lower() and "Path=/" in header
    value = client.cookies.get(SESSION_COOKIE)
    assert len(value) >= 40 and "operator" not in value and "." not in value  # no signed payload to forge


def test_a_password_change_ends_every_other_session(client, seeded) -> None:
    laptop = login(TestClient(client.app), "op.a@example.org")
    phone = login(TestClient(client.app), "op.a@example.org")
    wrong = laptop.post("/api/v1/auth/password", json={"current_password": "not it", "new_password": "x" * 12})
    assert (wrong.status_code, wrong.json()) == (401, REFUSED)
    changed = laptop.post("/api/v1/auth/password",
                          json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert changed.status_code == 200, changed.text
    laptop.headers["X-CSRF-Token"] = changed.json()["csrf_token"]
    assert phone.get("/api/v1/auth/me").status_code == 401
    assert laptop.get("/api/v1/auth/me").status_code == 200
    assert try_login(TestClient(client.app), "op.a@example.org", PASSWORD)[0] == 401
    assert try_login(TestClient(client.app), "op.a@example.org", "a brand new passphrase")[0] == 200


def test_deactivating_an_account_ends_its_sessions_at_once(client, seeded) -> None:
    operator = login(TestClient(client.app), "op.a@example.org")
    admin = login(TestClient(client.app), "admin.a@example.org")
    assert admin.post(f"/api/v1/auth/operators/{seeded.operator_b}/deactivate").status_code == 404
    assert admin.post(f"/api/v1/auth/operators/{seeded.admin_a}/deactivate").status_code == 409
    done = admin.post(f"/api/v1/auth/operators/{seeded.operator_a}/deactivate")
    assert done.status_code == 200 and done.json()["id"] == seeded.operator_a
    assert operator.get("/api/v1/auth/me").status_code == 401
    assert try_login(TestClient(client.app), "op.a@example.org", PASSWORD) == (401, REFUSED)


def test_an_admin_creates_accounts_only_in_an_association_that_exists_and_is_theirs(client, seeded) -> None:
    admin = login(client, "admin.a@example.org")
    body = {"email": "new.one@example.org", "password": "another long secret"}
    for association_id in (999999, seeded.assoc_b):
        refused = admin.post("/api/v1/auth/operators", json=body | {"association_id": association_id})
        assert refused.status_code == 404 and refused.json()["code"] == "association_not_found"


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
