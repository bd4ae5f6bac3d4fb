"""The console in French, English or Arabic (right-to-left), per operator; one clock in the operator's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.cases.handoff import record_person_message
from api.cases.models import Case, CaseMessage
from api.console import CONSOLE_DIR
from api.console.catalog import template_messages
from tests.api.cases.fixtures import create_case, login


@pytest.mark.parametrize(("header", "language", "direction"), [
    ("ar-MA,ar;q=0.9,fr;q=0.5", "ar", "rtl"), ("en-GB,en;q=0.9", "en", "ltr"), ("fr-FR", "fr", "ltr"),
    ("de-DE,en;q=0.3,ar;q=0.8", "ar", "rtl"), ("xx", "fr", "ltr"), ("", "fr", "ltr")])
def test_the_browsers_languages_choose_the_console_language_by_default(client, seeded, header, language,
                                                                       direction) -> None:
    page = client.get("/console/login", headers={"Accept-Language": header}).text
    assert f'<html lang="{language}" dir="{direction}">' in page


def test_an_operators_own_language_wins_over_the_browser_and_arabic_is_right_to_left(client, seeded) -> None:
    login(client, "op.a@example.org")
    assert client.patch("/api/v1/me/preferences", json={"console_language": "ar"}).status_code == 200
    page = client.get("/console/queue", headers={"Accept-Language": "en"}).text
    assert '<html lang="ar" dir="rtl">' in page and "قائمة الانتظار" in page and "Claim next case" not in page
    client.patch("/api/v1/me/preferences", json={"console_language": None})
    assert '<html lang="en"' in client.get("/console/queue", headers={"Accept-Language": "en"}).text


@pytest.mark.parametrize("body", [{"console_language": "de"}, {"time_zone": "Mars/Olympus"}, {"time_zone": 3},
                                  {"colour": "red"}])
def test_bad_preferences_are_refused(client, seeded, body) -> None:
    login(client, "op.a@example.org")
    assert client.patch("/api/v1/me/preferences", json=body).status_code in (409, 422)


def test_server_rendered_times_are_in_the_operators_time_zone(client, factory, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    with factory() as session:
        message = record_person_message(session, session.get(Case, created["case_id"]), "bonjour")
        session.commit()
        session.get(CaseMessage, message.id).created_at = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
        session.commit()
    client.patch("/api/v1/me/preferences", json={"time_zone": "America/New_York"})
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert '<time datetime="2026-07-01T12:05:00+00:00">08:05</time>' in page
    assert 'data-time-zone="America/New_York"' in page
    client.patch("/api/v1/me/preferences", json={"time_zone": None})
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert '<time datetime="2026-07-01T12:05:00+00:00">13:05</time>' in page  # Africa/Casablanca by default


def test_the_templates_are_extracted_by_babels_jinja2_extractor_with_plurals() -> None:
    found = template_messages(CONSOLE_DIR / "templates")
    assert ("%(num)d day", "%(num)d days") in found
    assert found["Supervisor board"] == "console page base.html"
    assert "Capacity (cases at once, empty: no limit)" in found


def test_the_page_gives_its_script_the_servers_offset_of_the_operators_zone() -> None:
    from api.console.clock import utc_offset_minutes

    assert utc_offset_minutes("Africa/Casablanca", datetime(2026, 12, 1, 12, tzinfo=UTC)) == 60
    assert utc_offset_minutes("America/New_York", datetime(2026, 12, 1, 12, tzinfo=UTC)) == -300
    assert utc_offset_minutes("Nowhere/Atlantis", datetime(2026, 12, 1, 12, tzinfo=UTC)) == 0


def test_every_chart_has_a_name_and_no_table_header_is_empty(client, seeded) -> None:
    import re

    create_case(client, language="wo")
    login(client, "sup.a@example.org")
    for path in ("/console/stats", "/console/queue", "/console/board"):
        page = client.get(path).text
        for labelled_by in re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', page):
            assert all(f'id="{part}"' in page for part in labelled_by.split()), (path, labelled_by)
        assert page.count('role="img"') == len(re.findall(r'role="img"[^>]*aria-labelledby=', page)), path
        assert "<th></th>" not in page and '<th scope="col"></th>' not in page, path


@pytest.mark.parametrize(("language", "label"), [("fr", "facture à l'hôpital"), ("ar", "فاتورة المستشفى"),
                                                 ("en", "hospital bill")])
def test_a_cases_topic_reads_as_words_in_the_operators_language(client, seeded, language, label) -> None:
    from markupsafe import escape

    from sante_contract import REFERRAL_TOPICS

    created = create_case(client, topic="rights_hospital_billing")
    login(client, "op.a@example.org")
    client.patch("/api/v1/me/preferences", json={"console_language": language})
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert f"<dd>{escape(label)}</dd>" in page and "rights_hospital_billing</dd>" not in page
    queue = client.get("/console/queue").text  # the board's script reads its topic labels from the page
    assert all(f'"{topic}":' in queue for topic in REFERRAL_TOPICS)
    client.patch("/api/v1/me/preferences", json={"console_language": None})


def test_the_header_offers_a_time_zone_picker_with_the_operators_own_zone_selected(client, seeded) -> None:
    login(client, "op.a@example.org")
    page = client.get("/console/queue").text
    assert '<select id="console-time-zone">' in page and '<option value="" selected>' in page
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page
    client.patch("/api/v1/me/preferences", json={"time_zone": "America/New_York"})  # not in the usual list
    page = client.get("/console/queue").text
    assert '<option value="America/New_York" selected>America/New_York</option>' in page
    assert '<option value="" selected>' not in page
    client.patch("/api/v1/me/preferences", json={"time_zone": None})


def test_an_arabic_message_takes_its_own_direction_in_a_french_console(client, factory, seeded) -> None:
    created = create_case(client, language="ar")
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    with factory() as session:
        record_person_message(session, session.get(Case, created["case_id"]), "طلبي \u2068MS-7K3Q9P\u2069 مفتوح")
        session.commit()
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert '<span class="text" dir="auto">طلبي \u2068MS-7K3Q9P\u2069 مفتوح</span>' in page
    assert 'el("span", { className: "text", text: m.text, dir: "auto" })' in \
        (CONSOLE_DIR / "static" / "console.js").read_text()  # the same for a message that arrives live
