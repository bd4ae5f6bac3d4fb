"""The web chat page in a real headless Chromium: a message whose answer was lost is sent again and answered once.

The API runs as in production (`python -m api.server`, SQLite); Rasa is a local stand-in that
counts the messages it receives. The browser's first request reaches the API, which answers it,
but the answer is cut off on the way back (a phone losing its network mid-turn): the page sends
the message again with the same client message id, and the person sees one answer from one bot turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.api_process import ApiProcess, api_environment, running_api
from tests.support.fake_rasa import FakeRasa, running_fake_rasa

pytestmark = pytest.mark.browser

ANSWER = "Bonjour ! Une seule réponse."


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    with running_fake_rasa() as fake:
        yield fake


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, rasa: FakeRasa) -> Iterator[ApiProcess]:
    workdir = tmp_path_factory.mktemp("webchat")
    env = api_environment(workdir, RASA_URL=rasa.url, BACKGROUND_JOBS_IN_API="false", LOG_LEVEL="WARNING")
    with running_api(workdir, env) as running:
        yield running



def test_a_message_whose_answer_was_lost_is_sent_again_and_answered_once(
        api: ApiProcess, rasa: FakeRasa, browser: Any) -> None:
    rasa.replies, rasa.received[:] = [{"text": ANSWER}], []
    sent: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Any) -> None:
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fetch()  # the API receives the message and answers it...
            route.abort("connectionreset")  # ...but the answer never reaches the page
        else:
            route.continue_()

    page = browser.new_page()
    page.route("**/chat/api/messages", lose_the_first_answer)
    page.goto(f"{api.url}/chat?lang=fr")
    page.fill("#text", "bonjour")
    page.click("#send")
    page.wait_for_selector("li.msg.bot", timeout=20_000)
    page.fill("#text", "merci")
    page.click("#send")
    page.wait_for_selector("li.msg.bot >> nth=1", timeout=20_000)  # the page's CSP forbids evaluated scripts

    first, retry, second = sent
    assert first["client_message_id"] == retry["client_message_id"]
    assert second["client_message_id"] != first["client_message_id"]
    assert [m["message"] for m in rasa.received] == ["bonjour", "merci"]  # one bot turn per message
    assert page.locator("li.msg.bot").all_inner_texts() == [ANSWER, ANSWER]
    assert page.locator("li.msg.me").all_inner_texts() == ["bonjour", "merci"]
    page.close()
