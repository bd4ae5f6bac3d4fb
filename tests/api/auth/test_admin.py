"""Administration by admins: accounts of their association, associations and queues; nobody else may."""

from __future__ import annotations

import pytest

from api.cases.models import AuditEvent, Operator
from tests.api.cases.fixtures import PASSWORD, login


def test_an_admin_creates_an_operator_with_languages_and_capacity_who_can_log_in(client, factory, seeded) -> None:
    login(client, "admin.a@example.org")
    response = client.post("/api/v1/admin/operators", json={
        "email": "New.Op@example.org", "password": "a fresh password", "role": "operator",
        "languages": ["ar", "ary", "ar"], "max_cases": 3})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["email"] == "new.op@example.org" and created["languages"] == ["ar", "ary"]
    assert created["max_cases"] == 3 and created["association_id"] == seeded.assoc_a
    other = type(client)(client.app)
    assert other.post("/api/v1/auth/login", json={"email": "new.op@example.org",
                                                  "password": "a fresh password"}).status_code == 200


def test_an_admin_changes_role_languages_and_capacity_and_a_role_change_ends_sessions(client, seeded) -> None:
    operator = login(type(client)(client.app), "op.a@example.org")
    login(client, "admin.a@example.org")
    response = client.patch(f"/api/v1/admin/operators/{seeded.operator_a}",
                            json={"role": "supervisor", "languages": ["wo"], "max_cases": 2})
    assert response.status_code == 200 and response.json()["max_cases"] == 2
    assert operator.get("/api/v1/auth/me").status_code == 401
    cleared = client.patch(f"/api/v1/admin/operators/{seeded.operator_a}", json={"max_cases": None})
    assert cleared.json()["max_cases"] is None and cleared.json()["role"] == "supervisor"


def test_deactivating_and_reactivating_an_account(client, seeded) -> None:
    login(client, "admin.a@example.org")
    assert client.patch(f"/api/v1/admin/operators/{seeded.operator_a2}", json={"active": False}).json()["active"] is False
    refused = type(client)(client.app).post("/api/v1/auth/login", json={"email": "op.a2@example.org", "password": PASSWORD})
    assert refused.status_code == 401
    assert client.patch(f"/api/v1/admin/operators/{seeded.operator_a2}", json={"active": True}).json()["active"] is True
    assert client.patch(f"/api/v1/admin/operators/{seeded.admin_a}", json={"active": False}).status_code == 409


def test_a_password_reset_uses_the_hash_ends_sessions_and_is_audited(client, factory, seeded) -> None:
    operator = login(type(client)(client.app), "op.a@example.org")
    login(client, "admin.a@example.org")
    assert client.post(f"/api/v1/admin/operators/{seeded.operator_a}/password",
                       json={"new_password": "short"}).status_code == 422
    assert client.post(f"/api/v1/admin/operators/{seeded.operator_a}/password",
                       json={"new_password": "another long password"}).status_code == 200
    assert operator.get("/api/v1/auth/me").status_code == 401
    with factory() as session:
        stored = session.get(Operator, seeded.operator_a).hashed_password
        assert stored.startswith("$argon2") and "another long password" not in stored
        assert session.query(AuditEvent).filter_by(action="password_reset_by_admin").count() == 1
    own = client.post(f"/api/v1/admin/operators/{seeded.admin_a}/password", json={"new_password": "taken over now!"})
    assert own.status_code == 409 and client.get("/api/v1/auth/me").status_code == 200


def test_queues_and_associations(client, seeded) -> None:
    login(client, "admin.a@example.org")
    queue = client.post("/api/v1/admin/queues", json={"name": "Berkane", "cities": [" Berkane", "Ahfir", ""]})
    assert queue.status_code == 201 and queue.json()["cities"] == ["berkane", "ahfir"]
    renamed = client.patch(f"/api/v1/admin/queues/{queue.json()['id']}", json={"cities": ["nador"]})
    assert renamed.json()["cities"] == ["nador"] and renamed.json()["name"] == "Berkane"
    assert client.patch(f"/api/v1/admin/queues/{seeded.queue_b}", json={"name": "mine"}).status_code == 404
    assert client.post("/api/v1/admin/associations", json={"name": "Caritas Tanger", "cities": ["tanger"]}).status_code == 201
    assert client.post("/api/v1/admin/associations", json={"name": "Caritas Tanger"}).status_code == 409
    assert "Caritas Tanger" in [a["name"] for a in client.get("/api/v1/admin/associations").json()]


def test_another_associations_accounts_are_out_of_reach(client, seeded) -> None:
    login(client, "admin.a@example.org")
    assert client.patch(f"/api/v1/admin/operators/{seeded.operator_b}", json={"active": False}).status_code == 404
    assert client.post(f"/api/v1/admin/operators/{seeded.operator_b}/password",
                       json={"new_password": "another long password"}).status_code == 404


@pytest.mark.parametrize("body", [{"languages": ["xx"]}, {"role": "boss"}, {"max_cases": 0}, {"max_cases": "3"}])
def test_bad_changes_are_refused_with_a_clear_error(client, seeded, body) -> None:
    login(client, "admin.a@example.org")
    response = client.patch(f"/api/v1/admin/operators/{seeded.operator_a}", json=body)
    assert response.status_code in (409, 422) and response.json()["detail"]


@pytest.mark.parametrize("email", ["op.a@example.org", "sup.a@example.org"])
def test_only_admins_administer(client, seeded, email) -> None:
    login(client, email)
    assert client.get("/api/v1/admin/operators").status_code == 403
    assert client.post("/api/v1/admin/queues", json={"name": "x"}).status_code == 403
    assert client.get("/console/admin").status_code == 403


def test_admin_writes_need_the_csrf_token(client, seeded) -> None:
    login(client, "admin.a@example.org")
    del client.headers["X-CSRF-Token"]
    assert client.post("/api/v1/admin/queues", json={"name": "x"}).status_code == 403
