"""The operator console in a real headless Chromium against a real API process (uvicorn, SQLite).

An operator logs in, claims a case, sees the person's message arrive live (the person writes
through the web chat gateway), replies (the person receives it), closes the case (the person
gets the closing notice), and markup sent by the person shows as text, never runs.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.nlg.render import render_response
from tests.support import browsers
from tests.support.api_process import ApiProcess, api_environment, create_operator, running_api

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "browser-test-service-token-0123456789abcdef"
EMAIL = "operator@example.org"
COLLEAGUE = "colleague@example.org"
PASSWORD = "a long browser-test password"
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """A migrated SQLite file, two operators made with the CLI, and the API served on a free port."""
    workdir = tmp_path_factory.mktemp("browser")
    # Nothing listens at the Rasa address: a held case never needs the bot.
    env = api_environment(workdir, SERVICE_TOKEN=SERVICE_TOKEN, LOG_LEVEL="WARNING")
    for email in (EMAIL, COLLEAGUE):
        create_operator(workdir, env, email, PASSWORD, role="operator", association="Cellule d'écoute Oujda")
    with running_api(workdir, env) as running:
        yield running



def refer(api: ApiProcess, conversation_id: str, **overrides: object) -> dict:
    """The action server escalates the person (service token, fresh idempotency key)."""
    body = {"conversation_id": conversation_id, "channel": "web", "language": "fr", "topic": "rights_free_care",
            "city": "Oujda", "consent": True, "contact": "chat", **overrides}
    response = httpx.post(f"{api.url}/api/v1/referrals", json=body, headers={
        "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    return response.json()


def log_in(page, api: ApiProcess, email: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the login form and land on the live queue."""
    browsers.log_in(page, api.url, email, PASSWORD, lands_on="**/console/queue")
    page.wait_for_selector("body[data-live=connected]")


def person_writes(api: ApiProcess, token: str, text: str) -> dict:
    """The person types in the web chat (the same gateway path as Telegram or WhatsApp)."""
    response = httpx.post(f"{api.url}/chat/api/messages", json={"token": token, "text": text}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def person_receives(api: ApiProcess, token: str, expected: str, timeout: float = 15.0) -> list[str]:
    """Wait until the outbox delivered `expected` to the person's web chat; returns what they got."""
    deadline = time.monotonic() + timeout
    texts: list[str] = []
    while time.monotonic() < deadline:
        texts = [m["text"] for m in httpx.get(f"{api.url}/chat/api/updates",
                                              headers={"X-Chat-Token": token}).json()]
        if expected in texts:
            return texts
        time.sleep(0.3)
    raise AssertionError(f"the person never received {expected!r}; got {texts!r}")


def test_an_operator_claims_talks_live_with_the_person_and_closes_the_case(api: ApiProcess, browser) -> None:
    token = uuid.uuid4().hex
    # The person first writes to the assistant (the bot is down: their message is kept), then is escalated.
    conversation_id = person_writes(api, token, "bonjour")["conversation_id"]
    referral = refer(api, conversation_id, triage={"pregnant": True}, summary=XSS)
    reference = referral["reference"]

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        log_in(page, api, EMAIL)
        row = page.locator("#queue-rows tr", has_text=reference)
        row.wait_for()
        assert "vulnerable" in row.inner_text().lower() and "fr" in row.inner_text()

        row.get_by_role("button", name="Claim").click()
        page.wait_for_url(f"**/console/cases/{referral['case_id']}")
        page.wait_for_selector("body[data-live=connected]")
        assert page.locator("dd.pre").inner_text() == XSS  # the summary, escaped by the template
        person_receives(api, token, render_response("case.operator_connected", "fr", {}).text)

        person_writes(api, token, XSS)
        incoming = page.locator("#messages li.msg.in .text", has_text="alert(1)")
        incoming.wait_for(timeout=15000)
        assert incoming.inner_text() == XSS
        assert page.locator("#messages script").count() == 0

        page.fill("#reply-text", "Bonjour, je suis là pour vous aider.")
        page.click("#reply-form button[type=submit]")
        page.locator("#messages li.msg.out .text", has_text="je suis là").wait_for()
        person_receives(api, token, "Bonjour, je suis là pour vous aider.")

        page.select_option("#close-outcome", "informed")
        page.click("#close-form button[type=submit]")
        page.locator(".badge.status", has_text="resolved").wait_for()
        person_receives(api, token, render_response("case.closed_notice", "fr", {"reference": reference}).text)
        assert page.locator("#reply-form").count() == 0
        # Back with the bot: the next message is not the operator's any more (the bot is down here,
        # so the gateway answers with its "answer later" text instead of storing it on the case).
        after = person_writes(api, token, "merci")
        assert [r["text"] for r in after["replies"]] == [render_response("channel.delayed_reply", "fr", {}).text]
        assert page.locator("#messages li.msg.in").count() == 1
    finally:
        context.close()
    assert dialogs == []


def test_an_emergency_alerts_every_connected_operator_at_once(api: ApiProcess, browser) -> None:
    contexts = [browser.new_context(locale="en-US") for _ in (EMAIL, COLLEAGUE)]
    pages = [context.new_page() for context in contexts]
    try:
        for page, email in zip(pages, (EMAIL, COLLEAGUE), strict=True):
            log_in(page, api, email)
        for page in pages:
            assert page.locator("#emergency-banner").is_hidden()
        emergency = refer(api, f"web-{uuid.uuid4().hex[:20]}", triage={"emergency": True})
        for page in pages:
            page.locator("#emergency-banner").wait_for(state="visible", timeout=15000)
            assert page.locator("#emergency-link").inner_text() == emergency["reference"]
            page.locator("#queue-rows tr", has_text=emergency["reference"]).wait_for()
    finally:
        for context in contexts:
            context.close()


def test_the_queue_shows_whether_an_operator_on_duty_speaks_each_cases_language(api: ApiProcess, browser,
                                                                                  tmp_path: Path) -> None:
    english = refer(api, f"web-{uuid.uuid4().hex[:12]}", language="en")["reference"]
    wolof = refer(api, f"web-{uuid.uuid4().hex[:12]}", language="wo")["reference"]
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        log_in(page, api, EMAIL)  # speaks fr and en: now on duty
        for reference, mark in ((english, "spoken"), (wolof, "unspoken")):
            row = page.locator("#queue-rows tr", has_text=reference)
            row.wait_for()
            indicator = row.locator(f".language-on-duty.{mark}")
            assert indicator.count() == 1, row.inner_html()
        spoken = page.locator("#queue-rows tr", has_text=english).locator(".language-on-duty")
        assert spoken.get_attribute("title") == "An operator on duty speaks this language"
        page.screenshot(path=str(tmp_path / "queue-languages.png"), full_page=True)
    finally:
        context.close()
