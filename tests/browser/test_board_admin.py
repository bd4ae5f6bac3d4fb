"""Service levels, the supervisor board, capacity, administration and the Arabic console in a real Chromium.

A real API process (uvicorn, SQLite); cases come through the referral API as the action server sends
them. The run saves screenshots of the queue, the supervisor board and the stats page in docs/screenshots/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from api.cases.models import Case, Operator
from api.console.clock import in_zone
from api.core.clock import utcnow
from api.db import make_engine
from tests.browser.test_console import PASSWORD, SERVICE_TOKEN, log_in
from tests.support.api_process import ApiProcess, api_environment, create_operator, running_api

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
ASSOCIATION = "Cellule d'écoute Oujda"
ADMIN, SUPERVISOR, OPERATOR = "admin@example.org", "supervisor@example.org", "operator@example.org"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """A migrated SQLite file, an admin, a supervisor and an operator made with the CLI, the API on a free port."""
    workdir = tmp_path_factory.mktemp("board")
    env = api_environment(workdir, SERVICE_TOKEN=SERVICE_TOKEN, LOG_LEVEL="WARNING")
    for email, role in ((ADMIN, "admin"), (SUPERVISOR, "supervisor"), (OPERATOR, "operator")):
        create_operator(workdir, env, email, PASSWORD, role=role, association=ASSOCIATION, languages="fr,ar")
    with running_api(workdir, env) as running:
        yield running


def refer(api: ApiProcess, **overrides: object) -> dict:
    """The action server escalates a person (service token, fresh idempotency key)."""
    body = {"conversation_id": f"web-{uuid.uuid4().hex[:16]}", "channel": "web", "language": "fr",
            "topic": "rights_free_care", "city": "Oujda", "consent": True, "contact": "chat", **overrides}
    response = httpx.post(f"{api.url}/api/v1/referrals", json=body, headers={
        "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def age_case(api: ApiProcess, case_id: int, waited: timedelta) -> None:
    """Pretend the case arrived `waited` ago (as if nobody had taken it since)."""
    engine = make_engine(api.env["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(update(Case).where(Case.id == case_id).values(created_at=utcnow() - waited))
    engine.dispose()


def set_capacity(api: ApiProcess, email: str, limit: int | None) -> None:
    """The operator's maximum of cases held at once."""
    engine = make_engine(api.env["DATABASE_URL"])
    with engine.begin() as connection:
        connection.execute(update(Operator).where(Operator.email == email).values(max_cases=limit))
    engine.dispose()


def test_an_sla_breach_is_highlighted_live_in_the_queue_and_shown_on_the_board(api: ApiProcess, browser) -> None:
    breaching = refer(api, triage={"violence": True}, language="wo", city="Berkane")  # target 10 minutes
    calm = refer(api, language="ar", summary="‮evil override " + "x" * 400)
    # Breaches in a few seconds, while the page is open: the highlight must come without a reload.
    age_case(api, breaching["case_id"], timedelta(minutes=10) - timedelta(seconds=4))
    age_case(api, calm["case_id"], timedelta(minutes=30))
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        log_in(page, api, SUPERVISOR)
        row = page.locator("#queue-rows tr", has_text=breaching["reference"])
        row.wait_for()
        page.locator(f"#queue-rows tr.sla-breach[data-reference='{breaching['reference']}']").wait_for(timeout=30000)
        assert row.locator(".sla-flag").is_visible() and "past target" in row.inner_text()
        calm_row = page.locator("#queue-rows tr", has_text=calm["reference"])
        assert "sla-breach" not in (calm_row.get_attribute("class") or "")
        assert not calm_row.locator(".sla-flag").is_visible()
        # One clock: the live-rendered time is the server's wall time of the operator's zone.
        shown = row.locator("time[datetime]")
        created = datetime.fromisoformat(shown.get_attribute("datetime") or "")
        assert in_zone(created, "Africa/Casablanca").strftime("%H:%M") in shown.inner_text()
        page.screenshot(path=str(SCREENSHOTS / "queue.png"), full_page=True)

        page.select_option("#queue-filters select[name=language]", "wo")
        expect(page.locator("#queue-rows tr")).to_have_count(1, timeout=15000)
        assert breaching["reference"] in page.locator("#queue-rows").inner_text()
        assert "language=wo" in page.url

        page.goto(f"{api.url}/console/board")
        page.locator("#breach-rows tr", has_text=breaching["reference"]).wait_for()
        assert page.locator("#tile-breaches").inner_text() == "1"
        charts = page.locator("svg.chart[role=img]")
        assert charts.count() == 3
        for index in range(3):
            labelled_by = charts.nth(index).get_attribute("aria-labelledby") or ""
            assert all(page.locator(f"[id='{part}']").count() == 1 for part in labelled_by.split())
        # Live: a new emergency appears on the board without a reload.
        refer(api, triage={"emergency": True})
        expect(page.locator("#tile-waiting")).to_have_text("3", timeout=30000)
        page.screenshot(path=str(SCREENSHOTS / "board.png"), full_page=True)
        page.goto(f"{api.url}/console/stats")
        page.locator("svg.chart").first.wait_for()
        page.screenshot(path=str(SCREENSHOTS / "stats.png"), full_page=True)
    finally:
        context.close()


def test_capacity_refuses_a_claim_beyond_the_limit(api: ApiProcess, browser) -> None:
    set_capacity(api, OPERATOR, 1)
    first, second = refer(api), refer(api)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        log_in(page, api, OPERATOR)
        page.locator("#queue-rows tr", has_text=first["reference"]).get_by_role("button", name="Claim").click()
        page.wait_for_url(f"**/console/cases/{first['case_id']}")
        page.goto(f"{api.url}/console/queue")
        page.locator("#queue-rows tr", has_text=second["reference"]).get_by_role("button", name="Claim").click()
        flash = page.locator("#flash.error")
        flash.wait_for()
        assert "capacity" in flash.inner_text()
        assert page.url.endswith("/console/queue")
        expect(page.locator("#flash")).to_be_hidden(timeout=15000)
        page.click("#claim-next")
        expect(page.locator("#flash")).to_contain_text("capacity")
        assert page.url.endswith("/console/queue")
        status = page.locator("#queue-rows tr", has_text=second["reference"]).inner_text()
        assert "queued" in status
    finally:
        context.close()
        set_capacity(api, OPERATOR, None)


def test_an_admin_creates_an_operator_with_languages_in_the_browser(api: ApiProcess, browser) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        log_in(page, api, ADMIN)
        # Every menu item an admin has fits in the header: it wraps the menu rather than squeezing the
        # account's name one letter per line, and nothing runs past the window's edge.
        who = page.locator(".topbar .who")
        line_height = who.evaluate("(node) => parseFloat(getComputedStyle(node).lineHeight)")
        assert (who.bounding_box() or {"height": 0})["height"] < 2 * line_height
        assert page.locator("html").evaluate("(node) => node.scrollWidth <= node.clientWidth + 1")
        page.click("a[href='/console/admin']")
        page.wait_for_url("**/console/admin")
        form = page.locator("#new-operator")
        form.get_by_label("Email").fill("new.listener@example.org")
        form.get_by_label("Password (at least 10 characters)").fill("the new listener's password")
        form.get_by_label("Role").select_option("operator")
        form.get_by_label("Capacity (cases at once, empty: no limit)").fill("2")
        form.locator("#new-ar").check()
        form.locator("#new-wo").check()
        form.get_by_role("button", name="Create the account").click()
        row = page.locator("#operator-rows tr[data-email='new.listener@example.org']")
        row.wait_for()
        assert "ar, wo" in row.inner_text() and "2" in row.inner_text()
    finally:
        context.close()
    login = httpx.post(f"{api.url}/api/v1/auth/login",
                       json={"email": "new.listener@example.org", "password": "the new listener's password"})
    assert login.status_code == 200 and login.json()["operator"]["languages"] == ["ar", "wo"]


def test_the_console_in_arabic_is_right_to_left_and_survives_a_bidi_override(api: ApiProcess, browser) -> None:
    spoof = refer(api, language="ar", city="\u202eadjuo" + "و" * 110)  # a right-to-left override, a very long word
    context = browser.new_context(locale="ar-MA", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        page.goto(f"{api.url}/console/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.fill("input[name=email]", OPERATOR)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/console/queue*")
        page.wait_for_selector("body[data-live=connected]")
        assert page.locator("html").get_attribute("lang") == "ar"
        assert page.locator("h1").inner_text() == "قائمة الانتظار"
        assert page.locator("#claim-next").inner_text() == "أخذ الحالة التالية"
        row = page.locator("#queue-rows tr", has_text=spoof["reference"])
        row.wait_for()
        assert row.locator("bdi").count() == 1
        assert row.get_by_role("button").inner_text() == "أخذ"
        # The page is laid out right to left, and no text makes it wider than the window.
        assert page.locator("body").evaluate("(node) => getComputedStyle(node).direction") == "rtl"
        page.screenshot(path=str(SCREENSHOTS / "queue-ar.png"), full_page=True)
        assert page.locator("html").evaluate("(node) => node.scrollWidth <= node.clientWidth + 1")
        # The operator keeps Arabic as their own choice, then goes back to French.
        page.select_option("#console-language", "fr")
        page.wait_for_load_state()
        expect(page.locator("html")).to_have_attribute("dir", "ltr")
        expect(page.locator("h1")).to_have_text("File d'attente")
    finally:
        context.close()
