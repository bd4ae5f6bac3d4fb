"""Searching the queue: each filter narrows the cases in SQL, bad parameters are refused with a 422."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.cases.models import Case
from api.core.clock import utcnow
from tests.api.cases.fixtures import create_case, login


def _references(client, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/cases", params=params)
    assert response.status_code == 200, response.text
    return [row["reference"] for row in response.json()]


@pytest.fixture
def three_cases(client, factory, seeded) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    cases = {"wolof": create_case(client, language="wo", city="Berkane", triage={"violence": True}),
             "arabic": create_case(client, language="ar", city="Oujda"),
             "old": create_case(client, language="fr", city="Oujda", triage={"child": True})}
    with factory() as session:
        session.get(Case, cases["old"]["case_id"]).created_at = utcnow() - timedelta(days=3)
        session.commit()
    login(client, "op.a@example.org")
    return cases


def test_each_filter_narrows_the_queue(client, three_cases) -> None:
    refs = {name: case["reference"] for name, case in three_cases.items()}
    assert set(_references(client)) == set(refs.values())
    assert _references(client, language="wo") == [refs["wolof"]]
    assert set(_references(client, city="  OUJDA ")) == {refs["arabic"], refs["old"]}
    assert _references(client, level="vulnerable") == [refs["old"]]
    assert _references(client, reference=refs["arabic"].lower()) == [refs["arabic"]]
    assert _references(client, reference=refs["arabic"][:-1], language="ar") == [refs["arabic"]]
    today = utcnow().date()
    assert set(_references(client, since=today.isoformat())) == {refs["wolof"], refs["arabic"]}
    assert _references(client, until=(today - timedelta(days=1)).isoformat()) == [refs["old"]]
    assert _references(client, city="") == _references(client)


def test_status_filter_finds_closed_cases_the_queue_hides(client, three_cases) -> None:
    case = three_cases["arabic"]
    assert client.post(f"/api/v1/cases/{case['case_id']}/claim").status_code == 200
    assert _references(client, status="claimed") == [case["reference"]]
    client.post(f"/api/v1/cases/{case['case_id']}/close", json={"outcome": "informed"})
    assert case["reference"] not in _references(client)
    assert _references(client, status="resolved") == [case["reference"]]
    assert case["reference"] in _references(client, status="all")


def test_another_associations_cases_stay_out_of_every_search(client, three_cases) -> None:
    create_case(client, city="Rabat", language="ln")
    assert _references(client, language="ln") == []
    assert _references(client, status="all", city="rabat") == []


@pytest.mark.parametrize("params", [
    {"language": "xx"}, {"level": "urgent"}, {"status": "lost"}, {"since": "yesterday"},
    {"until": "0"}, {"since": "2026-5-1"}, {"since": "2026-05-02", "until": "2026-05-01"}, {"reference": "MS-7K'; --"}, {"reference": "A" * 17},
    {"limit": "0"}, {"colour": "red"}])
def test_bad_search_parameters_are_refused_with_a_clear_error(client, three_cases, params) -> None:
    response = client.get("/api/v1/cases", params=params)
    assert response.status_code == 422, response.text
