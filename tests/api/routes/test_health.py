"""Liveness and readiness say which dependency does not answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from tests.support.app_db import migrated_sqlite
from tests.support.fake_rasa import FakeRasa, running_fake_rasa


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


def test_healthz_answers_while_the_process_lives(tmp_path: Path) -> None:
    with migrated_sqlite(tmp_path), TestClient(create_app()) as client:
        assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_when_every_dependency_answers(tmp_path: Path, rasa: FakeRasa) -> None:
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, ACTION_SERVER_URL=rasa.url), \
            TestClient(create_app()) as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["failing"] == []


def test_readyz_names_the_services_that_do_not_answer(tmp_path: Path, rasa: FakeRasa) -> None:
    rasa.up = False
    with migrated_sqlite(tmp_path, RASA_URL=rasa.url, ACTION_SERVER_URL="http://127.0.0.1:9"), \
            TestClient(create_app()) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["rasa", "action_server"]
    assert response.json()["checks"]["database"] is True
