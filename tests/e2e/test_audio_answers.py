"""An editor records and uploads a French answer in the console (real headless Chromium, fake microphone);
the person's next answer in the web chat comes through the real Rasa with a player that plays it.

Runs on the shared real stack: Rasa's own REST channel hands the NLG endpoint's attachment on as
an item of its own, and the gateway puts it back on its text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.nlg.render import render_response
from tests.api.audio.recordings import tone
from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack
from tests.support.browsers import create_operator, headless_chromium, log_in

pytestmark = pytest.mark.browser

EDITOR = "audio.editor@example.org"
PASSWORD = "a long audio-editor password"
GREETING = "utter_greet_choose_language"
RECORDED_SECONDS = 1.5


@pytest.fixture(scope="module")
def editor(stack: Stack) -> str:
    """An editor account in the stack's database, made with the command line as an admin would."""
    return create_operator(stack.env(), EDITOR, PASSWORD)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium with a fake microphone (a beep) that needs no permission prompt."""
    with headless_chromium("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                           "--autoplay-policy=no-user-gesture-required") as chromium:
        yield chromium


def clip_urls(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all("#audio-rows audio", "nodes => nodes.map(n => n.src)")


def test_an_editor_records_a_french_answer_and_the_web_chat_plays_it(
        stack: Stack, editor: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR", permissions=["microphone"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, stack.api_url, editor, PASSWORD, lands_on="**/console/directory")
        page.goto(f"{stack.api_url}/console/audio")
        page.wait_for_selector("#audio-rows td.hint")  # the list has loaded: nothing recorded yet

        # A refused upload says why, from the console catalog, in French.
        bad = tmp_path / "notes.ogg"
        bad.write_bytes(b"not a recording at all")
        page.select_option("#audio-msgid", GREETING)
        page.select_option("#audio-language", "fr")
        page.set_input_files("#audio-file", str(bad))
        page.click("#audio-form button[type=submit]")
        page.wait_for_selector("#flash.error:has-text(\"Ce n'est pas un enregistrement audio\")")

        # Recorded in the browser: MediaRecorder's WebM/Opus from the fake microphone.
        page.click("#record-start")
        page.wait_for_selector("#record-stop:not([disabled])")
        page.wait_for_function(f"() => performance.now() > {page.evaluate('performance.now()')} + "
                               f"{RECORDED_SECONDS * 1000}")  # the length of the recording, not a synchronisation
        page.click("#record-stop")
        page.wait_for_selector("#record-upload:not([disabled])")
        page.click("#record-upload")
        page.wait_for_function("() => document.querySelectorAll('#audio-rows audio').length === 1")
        assert "webm" in httpx.get(f"{stack.api_url}/api/v1/audio/clips", cookies={
            c["name"]: c["value"] for c in context.cookies()}).json()[0]["source_type"]
        recorded = clip_urls(page)[0]
        page.screenshot(path=str(tmp_path / "console-audio.png"), full_page=True)

        # Replaced by a file from the editor's computer: a new URL; the old one is gone.
        good = tmp_path / "greeting.ogg"
        good.write_bytes(tone("ogg", seconds=2.0))
        page.set_input_files("#audio-file", str(good))
        page.click("#audio-form button[type=submit]")
        page.wait_for_function(f"() => [...document.querySelectorAll('#audio-rows audio')]"
                               f".some(a => a.src !== {recorded!r})")
        uploaded = clip_urls(page)[0]
        assert httpx.get(recorded).status_code == 404

        # The person's web chat: the greeting comes with a player that the browser can play.
        chat = context.new_page()
        chat.on("pageerror", lambda error: errors.append(str(error)))
        chat.goto(f"{stack.api_url}/chat?lang=fr")
        chat.fill("#text", "bonjour")
        chat.press("#text", "Enter")
        player = chat.locator("li.msg.bot audio.recording").first
        player.wait_for()
        assert player.get_attribute("src") == uploaded.replace(stack.api_url, "")
        duration = player.evaluate("""node => new Promise((resolve, reject) => {
            node.addEventListener('loadedmetadata', () => resolve(node.duration));
            node.addEventListener('error', () => reject(new Error('cannot play')));
            node.preload = 'metadata'; node.load(); })""")
        assert 1.8 <= duration <= 2.3
        text = chat.locator("li.msg.bot", has=chat.locator("audio.recording")).first.inner_text()
        assert render_response(GREETING, "fr", {}).text.split("\n")[0] in text
        chat.screenshot(path=str(tmp_path / "chat-audio.png"), full_page=True)
        # Another language is not given the French recording.
        replies = WebChatPerson(stack).say("hello")
        assert not any(r.get("audio") for r in replies)
    finally:
        # The stack is shared by every end-to-end test: later ones expect the greeting without a recording.
        page.goto(f"{stack.api_url}/console/audio")
        removed = page.evaluate("""async (path) => {
            const token = document.querySelector('meta[name=csrf-token]').content;
            const response = await fetch(path, { method: 'DELETE', credentials: 'same-origin',
                                                 headers: { 'X-CSRF-Token': token } });
            return response.status; }""", f"/api/v1/audio/clips/fr/{GREETING}")
        context.close()
    assert removed in (204, 404)
    assert errors == []
