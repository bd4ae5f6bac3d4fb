"""The editors' workspace over HTTP: roles, CSRF, saves with review records, stale refusals, previews, stale list."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.cases.models import Operator
from api.core.clock import utcnow
from api.editor.catalog_entries import read_entry
from api.editor.models import ContentReview
from api.feedback.helpful import HelpfulVote, record_vote
from api.nlg.render import render_response
from tests.api.cases.fixtures import Seeded, add_operator, login

# A Wolof draft, not served until reviewed (unlike utter_language_changed, which is served as a draft).
KEY = "utter_offer_human"
WOLOF = "Dégguma la. Ndax bëgg nga wax ak benn nit?"
FACTUAL = "utter_rights_free_care"


def as_editor(client: TestClient, factory: sessionmaker[Session], email: str = "editor@example.org") -> TestClient:
    with factory() as session:
        add_operator(session, email, None, role="editor")
        session.commit()
    return login(client, email)


def save(client: TestClient, language: str, msgid: str, text: str, version: str, reviewed: bool = True):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/editor/entries/{language}/{msgid}",
                       json={"text": text, "version": version, "reviewed": reviewed})


def test_an_operator_cannot_open_or_save_in_the_workspace(client: TestClient, seeded: Seeded, locales: Path) -> None:
    login(client, "op.a@example.org")
    assert client.get("/console/editor").status_code == 403
    version = read_entry(locales, "wo", KEY).version
    refused = save(client, "wo", KEY, WOLOF, version)
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    assert read_entry(locales, "wo", KEY).fuzzy


def test_an_admin_sees_the_workspace_and_its_link(client: TestClient, seeded: Seeded, locales: Path) -> None:
    login(client, "admin.a@example.org")
    page = client.get("/console/editor")
    assert page.status_code == 200 and 'href="/console/editor"' in page.text and "<svg" in page.text


def test_a_save_without_the_csrf_token_is_refused(client: TestClient, factory: sessionmaker[Session],
                                                  locales: Path) -> None:
    as_editor(client, factory)
    del client.headers["X-CSRF-Token"]
    refused = save(client, "wo", KEY, WOLOF, read_entry(locales, "wo", KEY).version)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_token_invalid"


def test_mark_reviewed_writes_the_catalog_records_who_and_when_and_the_next_render_uses_it(
        client: TestClient, factory: sessionmaker[Session], locales: Path) -> None:
    as_editor(client, factory)
    assert render_response(KEY, "wo").language == "fr"
    response = save(client, "wo", KEY, WOLOF, read_entry(locales, "wo", KEY).version)
    assert response.status_code == 200, response.text
    assert response.json()["fuzzy"] is False
    assert render_response(KEY, "wo").text == WOLOF  # the same process, no restart
    with factory() as session:
        record = session.scalars(select(ContentReview)).one()
        editor = session.get(Operator, record.operator_id)
        assert (record.language, record.msgid, record.action) == ("wo", KEY, "reviewed")
        assert editor is not None and editor.email == "editor@example.org"
        assert utcnow() - record.created_at < timedelta(minutes=5)
    page = client.get(f"/console/editor/wo/{KEY}")
    assert "editor@example.org" in page.text and WOLOF in page.text


def test_a_second_editors_stale_save_is_refused_with_a_clear_code(
        client: TestClient, factory: sessionmaker[Session], locales: Path) -> None:
    as_editor(client, factory)
    opened = read_entry(locales, "wo", KEY).version
    assert save(client, "wo", KEY, WOLOF, opened).status_code == 200
    refused = save(client, "wo", KEY, "Beneen mbind", opened)
    assert refused.status_code == 409 and refused.json()["code"] == "stale_entry"
    assert read_entry(locales, "wo", KEY).text == WOLOF
    with factory() as session:
        assert len(session.scalars(select(ContentReview)).all()) == 1  # the refused save left no record


def test_a_text_with_wrong_placeholders_is_refused(client: TestClient, factory: sessionmaker[Session],
                                                  locales: Path) -> None:
    as_editor(client, factory)
    key = "utter_services_none"
    entry = read_entry(locales, "wo", key)
    refused = save(client, "wo", key, "Sans référence", entry.version)
    assert refused.status_code == 422 and refused.json()["errors"][0]["type"] == "placeholders_differ"


def test_the_preview_shows_the_fallback_until_reviewed_and_every_channel(
        client: TestClient, factory: sessionmaker[Session], locales: Path) -> None:
    as_editor(client, factory)
    url = f"/console/editor/wo/{KEY}/preview"
    draft = client.post(url, json={"text": WOLOF, "reviewed": False})
    assert draft.status_code == 200 and 'data-falls-back="true"' in draft.text
    # What the person gets today (the French text or the note alone, as the renderer decides), not the draft.
    assert str(escape(render_response(KEY, "wo").text)) in draft.text and WOLOF not in draft.text
    reviewed = client.post(url, json={"text": WOLOF, "reviewed": True})
    assert 'data-falls-back="false"' in reviewed.text and WOLOF in reviewed.text
    for channel in ("web", "telegram", "whatsapp", "voice"):
        assert f'data-channel="{channel}"' in reviewed.text
    yes = render_response(KEY, "wo").buttons[0].title
    assert f"1. {yes}" in reviewed.text  # WhatsApp's numbered choice, from the gateway's own renderer
    assert read_entry(locales, "wo", KEY).fuzzy  # a preview writes nothing


def test_the_message_list_filters_drafts_and_missing(client: TestClient, factory: sessionmaker[Session],
                                                     locales: Path) -> None:
    as_editor(client, factory)
    drafts = client.get("/console/editor/wo", params={"filter": "draft"})
    assert drafts.status_code == 200 and f'data-msgid="{KEY}"' in drafts.text
    assert save(client, "wo", KEY, WOLOF, read_entry(locales, "wo", KEY).version).status_code == 200
    assert f'data-msgid="{KEY}"' not in client.get("/console/editor/wo", params={"filter": "draft"}).text
    assert client.get("/console/editor/wo", params={"filter": "nonsense"}).status_code == 422
    assert client.get("/console/editor/xx").status_code == 404


def test_a_factual_text_is_due_again_once_its_review_is_older_than_the_set_age(
        client: TestClient, factory: sessionmaker[Session], locales: Path) -> None:
    as_editor(client, factory)
    row = f'href="/console/editor/fr/{FACTUAL}"'
    assert row in client.get("/console/editor/stale").text  # never reviewed in the workspace
    entry = read_entry(locales, "fr", FACTUAL)
    assert save(client, "fr", FACTUAL, entry.text, entry.version).status_code == 200
    assert row not in client.get("/console/editor/stale").text
    with factory() as session:
        session.execute(update(ContentReview).values(created_at=utcnow() - timedelta(days=366)))
        session.commit()
    assert row in client.get("/console/editor/stale").text
    assert 'href="/console/editor/fr/utter_greet"' not in client.get("/console/editor/stale").text  # not factual


def test_helpful_counts_are_shown_to_editors_beside_the_message(
        client: TestClient, factory: sessionmaker[Session], locales: Path) -> None:
    with factory() as session:  # PostgreSQL's schema is shared by the session and this table is not truncated
        session.execute(delete(HelpfulVote))
        for helpful in (True, True, False):  # as the gateway counts taps (tests/api/gateways/test_helpful.py)
            record_vote(session, "wo", FACTUAL, helpful)
        record_vote(session, "fr", FACTUAL, False)  # another language's count is not this one's
        session.commit()
    as_editor(client, factory)
    listing = client.get("/console/editor/wo").text
    row = listing[listing.index(f'data-msgid="{FACTUAL}"'):]
    row = row[:row.index("</tr>")]
    assert "oui 2 · non 1" in row  # the console speaks French by default
    assert "oui 2 · non 1" in client.get(f"/console/editor/wo/{FACTUAL}").text


def test_the_entry_page_shows_the_source_lists_notes_unwrapped(client: TestClient, factory: sessionmaker[Session],
                                                               locales: Path) -> None:
    as_editor(client, factory)
    menu = client.get("/console/editor/wo/utter_help_menu").text
    assert ("<li>where: the main menu; WhatsApp shows the buttons as numbered choices, keep titles short "
            "(&lt; 24 characters)</li>") in menu
    button = client.get("/console/editor/wo/utter_help_menu.button.1").text
    assert "where: button 1 of utter_help_menu (sends /rights_free_care)" in button
    factual = client.get(f"/console/editor/wo/{FACTUAL}").text
    assert "source: 000_ea754e28e4c7c818.txt" in factual


def test_the_preview_of_an_answer_shows_its_helpful_buttons(client: TestClient, factory: sessionmaker[Session],
                                                             locales: Path) -> None:
    as_editor(client, factory)
    page = client.post(f"/console/editor/en/{FACTUAL}/preview", json={"text": "Yes, free.", "reviewed": True}).text
    assert "4. 👍 Helpful" in page and "5. 👎 Not helpful" in page  # WhatsApp's numbered choices
    greeting = client.post(f"/console/editor/en/{KEY}/preview", json={"text": "OK, English.", "reviewed": True}).text
    assert "Helpful" not in greeting
