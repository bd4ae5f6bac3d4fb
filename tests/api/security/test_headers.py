"""Security headers on every page and JSON answer, no inline script anywhere, writes only from our own origin."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from api.core.config import PROJECT_ROOT
from tests.api.cases.fixtures import PASSWORD, create_case, login

TEMPLATES = sorted((PROJECT_ROOT / "api" / "templates").glob("*.html")) + \
    sorted((PROJECT_ROOT / "api" / "console" / "templates").glob("*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.I)


def assert_protected(response, no_store: bool = True) -> None:  # type: ignore[no-untyped-def]
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy and "unsafe-inline" not in policy
    if no_store:
        assert headers["cache-control"] == "no-store"


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    assert TEMPLATES
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        assert not INLINE_SCRIPT.search(text), template.name
        assert not EVENT_ATTRIBUTE.search(text), template.name
        assert "javascript:" not in text, template.name


def test_personal_pages_and_json_are_protected_and_never_cached(client: TestClient, seeded) -> None:
    assert_protected(client.get("/chat"))
    assert_protected(client.get("/console/login"))
    case = create_case(client)
    operator = login(client, "op.a@example.org")
    assert_protected(operator.get("/console/queue"))
    assert_protected(operator.get(f"/console/cases/{case['case_id']}"))
    assert_protected(operator.get("/api/v1/cases"))
    assert_protected(operator.get("/api/v1/auth/me"))
    assert_protected(client.get("/api/v1/cases/999"))  # errors too


def test_public_images_stay_cacheable_and_the_docs_keep_their_cdn(client: TestClient) -> None:
    script = client.get("/static/chat.js")
    assert_protected(script, no_store=False)
    assert "no-store" not in script.headers.get("cache-control", "")
    docs = client.get("/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]


def test_a_cross_site_console_login_is_refused_before_the_password_is_checked(client: TestClient, seeded) -> None:
    form = {"email": "op.a@example.org", "password": PASSWORD}
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        refused = client.post("/console/login", data=form, headers=headers, follow_redirects=False)
        assert refused.status_code == 403 and refused.json()["code"] == "cross_site_request"
        assert "set-cookie" not in refused.headers
    json_login = client.post("/api/v1/auth/login", json=form, headers={"Origin": "https://evil.example"})
    assert json_login.status_code == 403
    same = client.post("/console/login", data=form, headers={"Origin": "http://testserver",
                                                             "Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert same.status_code == 303 and same.headers["location"] == "/console/queue"


def test_a_cross_site_write_with_the_console_cookie_is_refused(client: TestClient, seeded) -> None:
    case = create_case(client)
    operator = login(client, "op.a@example.org")
    forged = operator.post(f"/api/v1/cases/{case['case_id']}/claim", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_site_request"
    assert operator.post(f"/api/v1/cases/{case['case_id']}/claim",
                         headers={"Origin": "http://testserver"}).status_code == 200


def test_the_chat_page_keeps_its_script_in_a_static_file(client: TestClient) -> None:
    page = client.get("/chat").text
    assert '<script src="/static/chat.js"></script>' in page
    assert Path(PROJECT_ROOT / "api" / "static" / "chat.js").exists()
