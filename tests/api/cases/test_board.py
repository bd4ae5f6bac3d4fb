"""The supervisor board: waiting per level and language, service-level breaches, holders, answer time."""

from __future__ import annotations

from datetime import timedelta

from api.cases.models import Case
from api.core.clock import utcnow
from tests.api.cases.fixtures import create_case, login


def _age(factory, case_id: int, minutes: float) -> None:  # type: ignore[no-untyped-def]
    with factory() as session:
        session.get(Case, case_id).created_at = utcnow() - timedelta(minutes=minutes)
        session.commit()


def test_a_case_past_its_levels_target_is_a_breach_in_the_queue_and_on_the_board(client, factory, seeded) -> None:
    late = create_case(client, triage={"violence": True}, language="wo")   # target 10 min
    early = create_case(client, triage={"violence": True})                # 9 minutes: not yet
    other = create_case(client, language="ar")                            # target 240 min
    _age(factory, late["case_id"], 11)
    _age(factory, early["case_id"], 9)
    _age(factory, other["case_id"], 200)
    login(client, "sup.a@example.org")
    rows = {row["reference"]: row for row in client.get("/api/v1/cases").json()}
    assert rows[late["reference"]]["sla_breached"] and rows[late["reference"]]["sla_minutes"] == 10
    assert not rows[early["reference"]]["sla_breached"] and not rows[other["reference"]]["sla_breached"]
    board = client.get("/api/v1/board").json()
    assert [b["reference"] for b in board["breaches"]] == [late["reference"]]
    assert board["breaches_by_level"] == {"emergency": 0, "violence": 1, "vulnerable": 0, "other": 0}
    assert board["waiting_by_level"]["violence"] == 2 and board["waiting_by_language"] == {"fr": 1, "wo": 1, "ar": 1}
    assert board["sla_targets"] == {"emergency": 2, "violence": 10, "vulnerable": 30, "other": 240}


def test_a_claimed_case_no_longer_breaches_and_counts_for_its_holder(client, factory, seeded) -> None:
    case = create_case(client, triage={"emergency": True})
    _age(factory, case["case_id"], 5)
    operator = login(type(client)(client.app), "op.a@example.org")
    assert operator.post(f"/api/v1/cases/{case['case_id']}/claim").status_code == 200
    login(client, "sup.a@example.org")
    board = client.get("/api/v1/board").json()
    assert board["breaches"] == [] and board["answered_last_24h"] == 1
    assert 4.5 <= board["median_answer_minutes"] <= 6
    holders = {h["email"]: h for h in board["holders"]}
    assert holders["op.a@example.org"]["references"] == [case["reference"]]
    assert holders["op.a2@example.org"]["held"] == 0
    assert "op.b@example.org" not in holders


def test_targets_follow_the_settings(client, factory, seeded, monkeypatch) -> None:
    from api.core.config import get_settings

    monkeypatch.setenv("SLA_OTHER_MINUTES", "5")
    get_settings.cache_clear()
    case = create_case(client)
    _age(factory, case["case_id"], 6)
    login(client, "sup.a@example.org")
    assert client.get("/api/v1/board").json()["breaches"][0]["sla_minutes"] == 5
    get_settings.cache_clear()


def test_only_supervisors_and_admins_see_the_board(client, seeded) -> None:
    login(client, "op.a@example.org")
    assert client.get("/api/v1/board").status_code == 403
    assert client.get("/console/board").status_code == 403
    admin = login(type(client)(client.app), "admin.a@example.org")
    assert admin.get("/api/v1/board").status_code == 200
    page = admin.get("/console/board")
    assert page.status_code == 200 and 'id="chart-level"' in page.text
