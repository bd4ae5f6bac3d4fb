"""The case page in a real headless Chromium against a real API process: context, media, replies, handover.

The API runs as in production (`python -m api.server`, SQLite) with the web chat on, Telegram
pointed at the local fake Bot API (tests/fakes/telegram.py) and Rasa's tracker store as a SQLite
file shaped like Rasa's, filled here with the turns a conversation leaves in it.
"""

from __future__ import annotations

import io
import json
import math
import struct
import subprocess
import sys
import time
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.nlg.render import render_response
from tests.browser.test_console import PASSWORD, SERVICE_TOKEN, log_in, person_receives, person_writes, refer
from tests.fakes.telegram import FakeTelegram, running_fake_telegram
from tests.support.api_process import ApiProcess, api_environment, create_operator, free_port, running_api

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "case.operator@example.org"
COLLEAGUE = "case.colleague@example.org"
SUPERVISOR = "case.supervisor@example.org"
TELEGRAM_TOKEN = "424242:browser-token-for-the-fake-bot-api"
TELEGRAM_SECRET = "browser-telegram-webhook-secret"
SCREENSHOTS = ROOT / "docs" / "screenshots"
EVENTS_DDL = ("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) "
              "NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")


def one_second_of_tone() -> bytes:
    """A real, playable WAV file (440 Hz, 1 s, 8 kHz mono)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 8000)))
                                 for n in range(8000)))
    return buffer.getvalue()


@dataclass
class Stack(ApiProcess):
    """The API plus its tracker store file and fake Telegram."""

    tracker_url: str
    telegram: FakeTelegram

    def conversation_id(self, channel: str, user_key: str) -> str:
        """The pseudonymous id the API derives (with its own secret) for a channel's user."""
        code = f"from api.gateways.conversation import conversation_id_for; print(conversation_id_for({channel!r}, {user_key!r}))"
        return subprocess.run([sys.executable, "-c", code], env=self.env, cwd=ROOT, check=True, text=True,
                              capture_output=True).stdout.strip()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("case-page")
    tracker_url = f"sqlite:///{workdir / 'tracker.db'}"
    engine = create_engine(tracker_url)
    with engine.begin() as connection:
        connection.execute(text(EVENTS_DDL))
    engine.dispose()
    port = free_port()
    with running_fake_telegram(TELEGRAM_TOKEN) as telegram:
        telegram.file_content = one_second_of_tone()
        env = api_environment(
            workdir, SERVICE_TOKEN=SERVICE_TOKEN, LOG_LEVEL="WARNING", RASA_TRACKER_URL=tracker_url,
            PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
            TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET, TELEGRAM_API_BASE_URL=telegram.base_url,
            TELEGRAM_API_FILE_URL=f"{telegram.url}/file/bot", TELEGRAM_USE_WEBHOOK="true")
        for email, role in ((EMAIL, "operator"), (COLLEAGUE, "operator"), (SUPERVISOR, "supervisor")):
            create_operator(workdir, env, email, PASSWORD, role=role, association="Cellule d'écoute Oujda",
                            languages="fr,ar")
        with running_api(workdir, env, port=port) as running:
            yield Stack(running.url, running.env, running.log, running.process, tracker_url, telegram)


def bot_said(stack: Stack, conversation_id: str, turns: list[tuple[str, str]]) -> None:
    """What Rasa stores for a conversation: user and bot events, a second apart, ending now."""
    engine = create_engine(stack.tracker_url)
    now = time.time()
    with engine.begin() as connection:
        for n, (type_name, said) in enumerate(turns):
            connection.execute(text("INSERT INTO events (sender_id, type_name, timestamp, data) "
                                    "VALUES (:s, :t, :at, :d)"),
                               {"s": conversation_id, "t": type_name, "at": now - len(turns) + n,
                                "d": json.dumps({"event": type_name, "text": said})})
    engine.dispose()


def telegram_update(stack: Stack, chat_id: int, **message: object) -> None:
    """Telegram pushes an update to the webhook (with the secret header)."""
    body = {"update_id": int(time.time() * 1000) % 2**31, "message": {
        "message_id": 1, "date": int(time.time()), "from": {"id": chat_id, "is_bot": False, "first_name": "P"},
        "chat": {"id": chat_id, "type": "private"}, **message}}
    response = httpx.post(f"{stack.url}/webhooks/telegram", json=body, timeout=30,
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 200, response.text


def open_case(page, stack: Stack, case_id: int) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{stack.url}/console/cases/{case_id}")
    page.wait_for_selector("body[data-live=connected]")


def claim(page) -> None:  # type: ignore[no-untyped-def]
    """Claim the open case; the page reloads as the holder's (wait for its script to be live again)."""
    page.click("#claim-this")
    page.wait_for_selector("#reply-form")
    page.wait_for_selector("body[data-live=connected]")


def test_a_new_case_shows_what_the_person_and_the_bot_said_before_redacted(stack: Stack, browser) -> None:
    token = uuid.uuid4().hex
    conversation_id = person_writes(stack, token, "bonjour")["conversation_id"]
    bot_said(stack, conversation_id, [
        ("user", "Bonjour, je suis enceinte et je n'ai pas de papiers, mon numéro [☎]"),
        ("bot", "Les consultations de grossesse sont gratuites dans les centres de santé."),
        ("user", "je veux parler à quelqu'un")])
    referral = refer(stack, conversation_id, triage={"pregnant": True})
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        log_in(page, stack, EMAIL)
        open_case(page, stack, referral["case_id"])
        turns = page.locator("#bot-context li")
        assert turns.count() == 3
        assert "enceinte" in turns.nth(0).inner_text() and "[☎]" in turns.nth(0).inner_text()
        assert "gratuites" in turns.nth(1).inner_text() and "bot" in (turns.nth(1).get_attribute("class") or "")
    finally:
        context.close()


def test_an_operator_reading_french_sends_an_approved_reply_the_person_receives_in_arabic(stack: Stack, browser) -> None:
    token = uuid.uuid4().hex
    conversation_id = person_writes(stack, token, "مرحبا")["conversation_id"]
    bot_said(stack, conversation_id, [("user", "أريد التحدث مع شخص"),
                                      ("bot", "يمكنني أن أنقل طلبك إلى مداومة الجمعية.")])
    referral = refer(stack, conversation_id, language="ar", triage={"child": True})
    expected = render_response("canned.greeting", "ar", {"reference": referral["reference"]}).text
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    try:
        log_in(page, stack, EMAIL)
        open_case(page, stack, referral["case_id"])
        claim(page)
        # Keyboard only: "/" in the empty reply box, the first reply, Enter to preview, Enter to send.
        page.focus("#reply-text")
        page.keyboard.press("/")
        page.locator("#canned-panel").wait_for(state="visible")
        page.keyboard.press("ArrowDown")
        assert page.locator("#canned-list li[aria-selected=true]").get_attribute("data-key") == "canned.greeting"
        preview = page.locator(".canned-preview[data-key='canned.greeting']")
        assert referral["reference"] in preview.locator("p.pre").first.inner_text()  # the French the operator reads
        assert preview.locator(".person-text").inner_text() == expected
        assert preview.locator(".person-text").get_attribute("dir") == "rtl"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "case.png"), full_page=True)
        # The three columns fit a 1280-pixel window: long place and queue names wrap, no sideways scrolling.
        assert page.locator("html").evaluate("(node) => node.scrollWidth <= node.clientWidth + 1")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.locator("#messages li.msg.out .text", has_text=referral["reference"]).wait_for()
        assert page.locator("#canned-panel").is_hidden()
        person_receives(stack, token, expected)
        # Ctrl+K opens the list from anywhere on the page too.
        page.click("h1")
        page.keyboard.press("Control+k")
        page.locator("#canned-panel").wait_for(state="visible")
        page.keyboard.press("Escape")
        assert page.locator("#canned-panel").is_hidden()
    finally:
        context.close()


def test_a_voice_note_arrives_live_and_plays_inline(stack: Stack, browser) -> None:
    chat_id = 5_550_000 + int(time.time()) % 10_000
    conversation_id = stack.conversation_id("tg", str(chat_id))
    referral = refer(stack, conversation_id, channel="tg")
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        log_in(page, stack, EMAIL)
        open_case(page, stack, referral["case_id"])
        claim(page)
        telegram_update(stack, chat_id, voice={"file_id": "VOICE-B1", "file_unique_id": "vb1", "duration": 1})
        audio = page.locator("#messages li.msg.in audio")
        audio.wait_for(state="attached", timeout=20000)
        assert audio.get_attribute("src") == f"{stack.url}/media/telegram/VOICE-B1"
        # The browser fetches the file with the operator's session and can decode and play it.
        duration = page.evaluate("""async () => {
            const a = document.querySelector('#messages li.msg.in audio');
            a.muted = true; a.preload = 'auto'; a.load();
            await new Promise((ok, ko) => { a.onloadedmetadata = ok; a.onerror = () => ko(a.error && a.error.code); });
            await a.play();
            return a.duration; }""")
        assert 0.9 < duration < 1.1
        # Reloaded, the page renders the same player server-side.
        page.reload()
        assert page.locator("#messages li.msg.in audio[controls]").count() == 1
    finally:
        context.close()


def test_a_case_handed_to_a_colleague_with_a_note_and_the_person_told(stack: Stack, browser) -> None:
    token = uuid.uuid4().hex
    conversation_id = person_writes(stack, token, "hello")["conversation_id"]
    referral = refer(stack, conversation_id, language="en")
    contexts = [browser.new_context(locale="fr-FR") for _ in (EMAIL, COLLEAGUE)]
    mine, theirs = (context.new_page() for context in contexts)
    try:
        log_in(mine, stack, EMAIL)
        open_case(mine, stack, referral["case_id"])
        claim(mine)
        option = mine.locator("#transfer-colleagues option", has_text=COLLEAGUE)
        option.wait_for(state="attached")
        mine.select_option("#transfer-target", option.get_attribute("value"))
        mine.fill("#transfer-note", "Speaks English; asked about pregnancy follow-up in Oujda.")
        mine.click("#transfer-form button[type=submit]")
        mine.wait_for_url("**/console/queue")
        person_receives(stack, token, render_response("case.transferred_notice", "en",
                                                      {"reference": referral["reference"]}).text)

        log_in(theirs, stack, COLLEAGUE)
        row = theirs.locator("#queue-rows tr", has_text=referral["reference"])
        row.wait_for()
        open_case(theirs, stack, referral["case_id"])
        assert "pregnancy follow-up" in theirs.locator("#notes").inner_text()
        history = theirs.locator("#history li[data-action=case_transferred]").inner_text()
        assert EMAIL in history and COLLEAGUE in history
        theirs.wait_for_selector("#reply-form")  # the colleague now holds it and can write
    finally:
        for context in contexts:
            context.close()


def test_after_closing_the_person_answers_did_this_help_and_the_supervisor_sees_it(stack: Stack, browser) -> None:
    token = uuid.uuid4().hex
    conversation_id = person_writes(stack, token, "salam")["conversation_id"]
    referral = refer(stack, conversation_id, language="ary")
    contexts = [browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 1400}) for _ in range(2)]
    page, board = (context.new_page() for context in contexts)
    try:
        log_in(page, stack, EMAIL)
        open_case(page, stack, referral["case_id"])
        claim(page)
        page.select_option("#close-outcome", "informed")
        page.click("#close-form button[type=submit]")
        page.wait_for_selector("#reply-form", state="detached")  # closed: the page reloads without the reply box
        question = render_response("case.csat_question", "ary", {})
        person_receives(stack, token, question.text)
        updates = httpx.get(f"{stack.url}/chat/api/updates", headers={"X-Chat-Token": token}).json()
        asked = next(m for m in updates if m["text"] == question.text)
        assert [b["title"] for b in asked["buttons"]] == ["1", "2", "3", "4", "5"]
        # The person taps "5" (the web chat sends the button's payload).
        answer = httpx.post(f"{stack.url}/chat/api/messages", timeout=30,
                            json={"token": token, "text": asked["buttons"][4]["payload"]}).json()
        assert [r["text"] for r in answer["replies"]] == [render_response("case.csat_thanks", "ary", {}).text]

        log_in(board, stack, SUPERVISOR)
        board.goto(f"{stack.url}/console/stats?lang=en")
        summary = board.locator("#csat-summary").inner_text()
        assert "Answered: 1" in summary
        assert "ary" in board.locator("#csat").inner_text() and "5.0" in board.locator("#csat").inner_text()
        assert EMAIL in board.locator("#csat").inner_text()
        board.locator("#csat").scroll_into_view_if_needed()
        board.screenshot(path=str(SCREENSHOTS / "stats-csat.png"), full_page=True)
    finally:
        for context in contexts:
            context.close()
