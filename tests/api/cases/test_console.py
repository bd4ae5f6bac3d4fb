"""The console's server-rendered pages: login gate, escaped person text, stats charts."""

from __future__ import annotations

from api.cases.handoff import record_person_message
from api.cases.models import Case
from api.core.config import PROJECT_ROOT
from tests.api.cases.fixtures import create_case, login

XSS = "<script>alert(1)</script>"


def test_console_pages_send_a_visitor_without_session_to_the_login_page(client, seeded) -> None:
    for path in ("/console", "/console/queue", "/console/stats", "/console/cases/1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/console/login"


def test_console_login_form_opens_the_queue_with_a_strict_signed_cookie(client, seeded) -> None:
    response = client.post("/console/login", data={"email": "op.a@example.org", "password": "correct horse battery"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/console/queue"
    cookie = response.headers["set-cookie"].lower()
    assert "console_session=" in cookie and "samesite=strict" in cookie and "httponly" in cookie
    page = client.get("/console/queue")
    assert page.status_code == 200 and 'name="csrf-token"' in page.text


def test_console_login_form_with_a_wrong_password_says_so(client, seeded) -> None:
    response = client.post("/console/login", data={"email": "op.a@example.org", "password": "nope"})
    assert response.status_code == 401 and 'role="alert"' in response.text


def test_a_person_message_with_markup_is_shown_as_text_on_the_case_page(client, factory, seeded) -> None:
    created = create_case(client, summary=XSS)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    with factory() as session:
        record_person_message(session, session.get(Case, created["case_id"]), XSS)
        session.commit()
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_console_speaks_french_or_english(client, seeded) -> None:
    english = client.get("/console/login", headers={"Accept-Language": "en"}).text
    french = client.get("/console/login", headers={"Accept-Language": "fr-FR,fr"}).text
    assert 'lang="en"' in english and 'lang="fr"' in french


def test_the_stats_page_draws_charts_for_a_supervisor(client, seeded) -> None:
    create_case(client, language="wo", topic="covid_vaccine")
    create_case(client, language="ar", triage={"child": True})
    login(client, "sup.a@example.org")
    page = client.get("/console/stats")
    assert page.status_code == 200
    assert page.text.count("<svg") == 4 and "14 jours" in page.text and ">wo<" in page.text and ">COVID-19 : vaccin<" in page.text  # topics read as words
    operator = login(type(client)(client.app), "op.a@example.org")
    assert operator.get("/console/stats").status_code == 403


def test_console_labels_come_from_the_console_catalog_in_the_operators_language(client, seeded) -> None:
    french = client.get("/console/login", headers={"Accept-Language": "fr"}).text
    english = client.get("/console/login?lang=en").text
    assert "Mot de passe" in french and "Connexion des écoutant·es" in french
    assert "Password" in english and "Mot de passe" not in english


def test_every_console_label_is_translated_in_french_english_and_arabic() -> None:
    from babel.messages.pofile import read_po

    from api.console.catalog import template_catalog

    wanted = {message.id for message in template_catalog() if message.id}
    for language in ("fr", "en", "ar"):
        with (PROJECT_ROOT / "locales" / language / "LC_MESSAGES" / "console.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        translated = {message.id for message in catalog if message.id and message.string}
        assert wanted - translated == set(), language
