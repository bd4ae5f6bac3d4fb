"""An editor verifies a place in the console (real headless Chromium) and the person's next answer shows it.

Runs on the shared real stack (tests/e2e/conftest.py): the console of its API, then the web chat
through Rasa, the action server and the directory look-up. No restart in between.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.nlg.render import render_response
from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack
from tests.support.browsers import create_operator, headless_chromium, log_in

pytestmark = pytest.mark.browser

EDITOR = "editor@example.org"
PASSWORD = "a long directory-editor password"
PHONE = "0536 11 22 33"
HOSPITAL = "Hôpital Provincial Essai de Berkane"
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


@pytest.fixture(scope="module")
def editor(stack: Stack) -> str:
    """An editor account in the stack's database, made with the command line as an admin would."""
    return create_operator(stack.env(), EDITOR, PASSWORD)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    with headless_chromium() as chromium:
        yield chromium


def hospital_block(replies: list[dict]) -> str:
    """The lines of the Berkane hospital in the person's listing."""
    listing = "\n".join(r["text"] for r in replies).translate(ISOLATES)
    blocks = [b for b in re.split(r"\n(?=\d\. )", listing) if HOSPITAL in b]
    assert len(blocks) == 1, listing
    return blocks[0]


def test_an_editor_verifies_a_place_and_adds_its_phone_and_the_next_answer_shows_it(
        stack: Stack, editor: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = hospital_block(WebChatPerson(stack).say("je suis à Berkane"))
    assert PHONE not in before and render_response("directory.unverified", "fr", {}).text in before

    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, stack.api_url, editor, PASSWORD, lands_on="**/console/directory")
        page.select_option("#search-town", "Berkane")
        page.select_option("#search-kind", "hospital")
        page.click("#directory-search button[type=submit]")
        row = page.locator("#directory-rows tr", has_text=HOSPITAL)
        row.wait_for()
        assert "non vérifié" in row.inner_text()
        row.get_by_role("button", name="Modifier").click()
        page.fill("#edit-phone", PHONE)
        page.select_option("#edit-migrants", "true")
        page.check("#edit-verified")
        page.click("#place-form button[type=submit]")
        page.locator("#directory-rows tr", has_text=PHONE).wait_for()
        assert "vérifié" in page.locator("#directory-rows tr", has_text=HOSPITAL).inner_text()
        page.screenshot(path=str(tmp_path / "directory.png"), full_page=True)
    finally:
        context.close()
    assert errors == []

    after = hospital_block(WebChatPerson(stack).say("je suis à Berkane"))
    assert render_response("directory.phone", "fr", {"phone": PHONE}).text in after
    assert render_response("directory.receives_migrants", "fr", {}).text in after
    assert render_response("directory.unverified", "fr", {}).text not in after
