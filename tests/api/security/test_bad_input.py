"""Inputs that used to give a 500 get a clear 4xx now: huge ids and `after=`, a lone surrogate, NUL, a missing association."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.cases.fixtures import login

HUGE = 10**30


@pytest.mark.parametrize("path", [f"/api/v1/cases/{HUGE}", f"/api/v1/cases/{2**63}/messages",
                                  f"/api/v1/cases/1/messages?after={HUGE}", f"/console/cases/{HUGE}"])
def test_ids_beyond_the_database_integer_are_a_422_not_a_500(client: TestClient, seeded, path: str) -> None:
    login(client, "op.a@example.org")
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_request"


def test_a_huge_transfer_target_is_refused(client: TestClient, seeded) -> None:
    login(client, "op.a@example.org")
    response = client.post("/api/v1/cases/1/transfer", json={"queue_id": HUGE})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "queue_id"]


def test_the_chat_refuses_a_huge_after_and_text_no_database_can_store(client: TestClient, seeded) -> None:
    token = {"X-Chat-Token": "t" * 32}
    assert client.get(f"/chat/api/updates?after={HUGE}", headers=token).status_code == 422
    for text in ('"a\\ud800b"', '"a\\u0000b"'):
        body = '{"token": "%s", "text": %s}' % ("t" * 32, text)
        response = client.post("/chat/api/messages", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == ["body", "text"]


def test_an_operator_for_an_association_that_does_not_exist_is_a_404(client: TestClient, seeded) -> None:
    admin = login(client, "admin.a@example.org")
    response = admin.post("/api/v1/auth/operators", json={"email": "x@example.org", "password": "long enough pw",
                                                          "association_id": 424242})
    assert response.status_code == 404 and response.json()["code"] == "association_not_found"


def test_a_validation_error_never_echoes_what_was_sent(client: TestClient, seeded) -> None:
    secret = "my-secret-password-0001"
    response = client.post("/api/v1/auth/login", json={"email": ["not", "a", "string"], "password": secret,
                                                      "extra": secret})
    assert response.status_code == 422
    assert secret not in response.text and "input" not in response.json()["errors"][0]
    wrong_type = client.post("/api/v1/auth/login", json={"email": "a@example.org", "password": 12345678901})
    assert wrong_type.status_code == 422 and "12345678901" not in wrong_type.text


def test_strict_types_no_coercion(client: TestClient, seeded) -> None:
    response = client.post("/chat/api/messages", json={"token": "t" * 32, "text": "x", "latitude": 0.0,
                                                       "longitude": False})
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "longitude"]
