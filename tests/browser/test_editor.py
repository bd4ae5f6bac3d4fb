"""The editors' workspace in a real headless Chromium against the real stack (trained model, Rasa, actions, API).

An editor logs in, edits the Wolof text of a message and marks it reviewed; the person's next Wolof
reply in the web chat is that text, with no restart (nor in a second API process reading the same
catalogs); the .po file on disk holds it, no longer fuzzy; a second editor, whose page was opened
before the first one saved, is refused with the console's message and the first text stays.
"""

from __future__ import annotations

import subprocess
from io import BytesIO

import httpx
import pytest
from babel.messages.pofile import read_po

from api.console.i18n import console_translations
from api.nlg.catalogs import catalog_path
from tests.e2e.conftest import WebChatPerson, stack  # noqa: F401  (the shared real stack)
from tests.e2e.stack import APP_BIN, ROOT, Stack, free_port
from tests.support import browsers
from tests.support.browsers import create_operator

pytestmark = pytest.mark.browser

EDITORS = ("wolof.editor@example.org", "second.editor@example.org")
PASSWORD = "a long translation-editor password"
KEY = "utter_language_changed"
NEW_TEXT = "Waaw, léegi dinaa la tontu ci wolof. Bindal sa laaj."
SECOND_TEXT = "Waaw! Dinaa la tontu ci wolof."
CHOOSE_WOLOF = '/choose_language{"language": "wo"}'
SCREENSHOTS = ROOT / "var" / "screenshots"


@pytest.fixture(scope="module")
def editors(stack: Stack) -> tuple[str, ...]:  # noqa: F811
    """Two editor accounts in the stack's database, made with the command line as an admin would."""
    for email in EDITORS:
        create_operator(stack.env(), email, PASSWORD)
    return EDITORS



def wolof_entry(stack: Stack):  # type: ignore[no-untyped-def]  # noqa: F811
    with catalog_path(stack.locales_dir, "wo").open("rb") as handle:
        return read_po(handle)[KEY]


def log_in(browser, stack: Stack, email: str):  # type: ignore[no-untyped-def]  # noqa: F811
    """A French-speaking editor's page, logged in, on the Wolof entry."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    browsers.log_in(page, stack.api_url, email, PASSWORD, lands_on="**/console/directory")
    page.click("text=Traductions")
    page.wait_for_url("**/console/editor")
    page.click('a[href="/console/editor/wo"]')
    page.click("text=Brouillons")
    page.click(f'a[href="/console/editor/wo/{KEY}"]')
    page.wait_for_url(f"**/console/editor/wo/{KEY}")
    return context, page


def nlg_text(url: str, stack: Stack) -> str:  # noqa: F811
    """What an API process's NLG endpoint answers Rasa for the message in Wolof."""
    response = httpx.post(f"{url}/nlg", json={"response": KEY, "tracker": {"slots": {"language": "wo"}}},
                          headers={"Authorization": f"Bearer {stack.secrets['NLG_TOKEN']}"}, timeout=30)
    response.raise_for_status()
    return response.json()["text"]


def test_an_editor_reviews_a_wolof_text_the_next_reply_is_it_and_a_stale_save_is_refused(
        stack: Stack, editors: tuple[str, ...], browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    person = WebChatPerson(stack)
    person.say("bonjour")
    before = "\n".join(r["text"] for r in person.say(CHOOSE_WOLOF))
    assert NEW_TEXT not in before and wolof_entry(stack).fuzzy
    # A second API process on the same catalogs, as in the production profile's several instances.
    second_api = f"http://127.0.0.1:{free_port()}"
    stack.processes["api-2"] = subprocess.Popen(
        [str(APP_BIN / "python"), "-m", "api.server", "--port", second_api.rsplit(":", 1)[1]], cwd=ROOT,
        env=stack.env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    stack.wait_until(f"{second_api}/healthz", 120)
    assert nlg_text(second_api, stack) != NEW_TEXT

    first_context, first = log_in(browser, stack, editors[0])
    second_context, second = log_in(browser, stack, editors[1])  # opened before the first editor saves
    errors: list[str] = []
    for page in (first, second):
        page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        assert first.locator(".source-text").inner_text().strip() == "D'accord, je vous réponds en français."
        assert "where: after the person picked a language" in first.locator(".translator-notes").inner_text()
        # The draft already reaches people (it only says the answers come in Wolof), so nothing falls back.
        assert first.locator('.previews[data-falls-back="false"][data-served="wo"]').count() == 1
        first.fill("#entry-text", NEW_TEXT)
        first.check("#preview-reviewed")
        first.locator('.previews[data-falls-back="false"] [data-channel="telegram"]', has_text=NEW_TEXT).wait_for()
        assert "1. Menu" in first.locator('[data-channel="whatsapp"]').inner_text()
        first.click("button[value=reviewed]")
        first.locator("#entry-message[data-code=reviewed]").wait_for()
        assert "relu" in first.locator(".entry-status").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        first.screenshot(path=str(SCREENSHOTS / "editor-entry.png"), full_page=True)

        second.fill("#entry-text", SECOND_TEXT)
        second.click("button[value=reviewed]")
        refusal = second.locator("#entry-message[data-code=stale_entry]")
        refusal.wait_for()
        expected = console_translations(ROOT / "locales", "fr").gettext(
            "Someone else saved this text after you opened it. Your text was not saved: copy it, reload the page "
            "to see their version, then apply your change again.")
        assert refusal.inner_text().strip() == expected and expected.startswith("Quelqu'un d'autre")
        second.screenshot(path=str(SCREENSHOTS / "editor-stale.png"), full_page=True)
        first.goto(f"{stack.api_url}/console/editor")
        first.screenshot(path=str(SCREENSHOTS / "editor-coverage.png"), full_page=True)
        first.goto(f"{stack.api_url}/console/editor/wo?filter=draft")
        assert first.locator(f'tr[data-msgid="{KEY}"]').count() == 0  # reviewed now: no longer a draft
        first.screenshot(path=str(SCREENSHOTS / "editor-drafts.png"))
        first.goto(f"{stack.api_url}/console/editor/ary/utter_help_menu")
        assert first.locator('[data-channel="web"] .bubble').get_attribute("dir") == "rtl"
        first.screenshot(path=str(SCREENSHOTS / "editor-rtl.png"), full_page=True)
    finally:
        first_context.close()
        second_context.close()
    assert errors == []

    entry = wolof_entry(stack)
    assert entry.string == NEW_TEXT and not entry.fuzzy
    with catalog_path(stack.locales_dir, "wo").open("rb") as handle:
        assert read_po(BytesIO(handle.read()))[KEY].string == NEW_TEXT  # Babel reads back what it wrote
    # No restart: the same conversation's next Wolof reply, and the other API process, have the new text.
    replies = person.say(CHOOSE_WOLOF)
    assert replies[0]["text"] == NEW_TEXT
    assert [b["title"] for b in replies[0]["buttons"]] == ["Menu"]
    assert nlg_text(second_api, stack) == NEW_TEXT
    stack.stop("api-2")
