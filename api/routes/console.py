"""The operator console's pages (server-rendered; the pages' scripts call the /api/v1 operator API)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from api.auth.accounts import authenticate
from api.auth.deps import client_address, csrf_token, session_operator, start_session
from api.auth.limiter import limit_logins
from api.cases.access import SUPERVISING_ROLES, visible_case
from api.cases.canned import canned_replies_for
from api.cases.directory import load_services
from api.cases.history import previous_cases
from api.cases.models import Operator
from api.cases.satisfaction import satisfaction_stats
from api.cases.schemas import OUTCOMES
from api.cases.service_levels import sla_targets
from api.cases.stats import association_stats, day_range
from api.cases.triage import LEVELS
from api.cases.views import case_bot_context, case_detail, case_history
from api.console import CONSOLE_DIR
from api.console.clock import clock, time_zone_choices, utc_offset_minutes
from api.console.i18n import (
    CONSOLE_LANGUAGES,
    console_translations,
    pick_console_language,
    plural_gettext,
    text_direction,
)
from api.console.script_texts import SCRIPT_TEXT_KEYS
from api.core.codes import CaseStatus, Role
from api.core.config import get_settings
from api.core.errors import Unauthorized
from api.core.inputs import PathId
from api.core.languages import SUPPORTED_LANGUAGES
from api.db import get_session
from api.gateways.responses import stored_turn_renderer

router = APIRouter(prefix="/console", include_in_schema=False)
templates = Jinja2Templates(directory=str(CONSOLE_DIR / "templates"))
# `_`, `gettext` and `ngettext` come per request (the operator's language); the extension gives {% trans %}.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.filters["clock"] = clock

def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    operator: Operator | None = context.get("operator")
    settings = get_settings()
    language = pick_console_language(request.query_params.get("lang"), request.headers.get("accept-language", ""),
                                     operator.console_language if operator else None)
    translations = console_translations(settings.locales_dir, language)
    zone = (operator.time_zone if operator else None) or settings.console_time_zone
    _ = translations.gettext
    texts = {key: _(key) for key in SCRIPT_TEXT_KEYS}
    return templates.TemplateResponse(request, name, {
        "_": _, "gettext": _, "ngettext": plural_gettext(translations), "language": language,
        "direction": text_direction(language), "console_languages": CONSOLE_LANGUAGES,
        "time_zone": zone, "utc_offset_minutes": utc_offset_minutes(zone),
        "own_time_zone": operator.time_zone if operator else None, "service_time_zone": settings.console_time_zone,
        "time_zone_choices": time_zone_choices(operator.time_zone if operator else None),
        "texts": texts, "csrf_token": csrf_token(request), **context}, status_code=status_code)


def _login_redirect() -> RedirectResponse:
    return RedirectResponse("/console/login", status_code=status.HTTP_303_SEE_OTHER)


def _home(operator: Operator) -> str:
    """Where an operator lands: editors keep the directory and see no case."""
    return "/console/directory" if operator.role == Role.EDITOR else "/console/queue"


def _page_operator(request: Request, session: Session) -> Operator | None:
    return session_operator(request, session)


@router.get("", response_class=HTMLResponse)
def console_home(request: Request, session: Session = Depends(get_session)) -> Response:
    """The queue when logged in, the login page otherwise."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    return RedirectResponse(_home(operator), status_code=status.HTTP_303_SEE_OTHER)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    """The login form."""
    return _render(request, "login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
@limit_logins()
def login_submit(request: Request, email: str = Form(max_length=254), password: str = Form(max_length=512),
                 session: Session = Depends(get_session)) -> Response:
    """Check the credentials, start the session, go to the queue (same limit and lockout as the API login)."""
    try:
        operator = authenticate(session, email, password, client_address(request))
    except Unauthorized:
        return _render(request, "login.html", {"error": "invalid"}, status_code=401)
    redirect = RedirectResponse(_home(operator), status_code=status.HTTP_303_SEE_OTHER)
    start_session(request, redirect, session, operator)
    return redirect


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, session: Session = Depends(get_session)) -> Response:
    """The association's open cases (filled and kept live by the page script)."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    return _render(request, "queue.html", {
        "operator": operator, "levels": LEVELS, "statuses": tuple(CaseStatus),
        "case_languages": SUPPORTED_LANGUAGES, "sla_targets": sla_targets(get_settings())})


@router.get("/cases/{case_id:int}", response_class=HTMLResponse)
def case_page(case_id: PathId, request: Request, session: Session = Depends(get_session)) -> Response:
    """One case: conversation, reply, notes, referral, transfer, close."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    case = visible_case(session, operator, case_id)
    detail = case_detail(session, case, operator)
    language = pick_console_language(request.query_params.get("lang"), request.headers.get("accept-language", ""))
    services = load_services(get_settings().data_dir / "services.yml")
    return _render(request, "case.html", {"operator": operator, "case": detail, "outcomes": OUTCOMES,
                                          "services": services, "bot_context": case_bot_context(case, stored_turn_renderer(get_settings())),
                                          "canned": canned_replies_for(case, language),
                                          "history": case_history(session, case),
                                          "previous": previous_cases(session, operator, case),
                                          "holds": detail.assigned_to_me or operator.role != Role.OPERATOR})


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, days: int = Query(default=14, ge=1, le=90),
               session: Session = Depends(get_session)) -> Response:
    """Charts for supervisors: waiting per level, median wait, cases per day, language and topic."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    if operator.role not in SUPERVISING_ROLES:
        return _render(request, "forbidden.html", {"operator": operator}, status_code=403)
    stats = association_stats(session, operator.association_id or 0, days)
    days_list = day_range(days, date.today())
    per_day_total = {day: sum(stats.per_day_topic.get(day, {}).values()) for day in days_list}
    languages: dict[str, int] = {}
    topics: dict[str, int] = {}
    for counts in stats.per_day_language.values():
        for key, value in counts.items():
            languages[key] = languages.get(key, 0) + value
    for counts in stats.per_day_topic.values():
        for key, value in counts.items():
            topics[key] = topics.get(key, 0) + value
    return _render(request, "stats.html", {
        "operator": operator, "stats": stats, "levels": LEVELS, "days": days_list,
        "per_day_total": per_day_total, "max_day": max(per_day_total.values(), default=0) or 1,
        "languages": sorted(languages.items(), key=lambda kv: -kv[1]),
        "topics": sorted(topics.items(), key=lambda kv: -kv[1]),
        "max_level": max(stats.waiting_by_level.values(), default=0) or 1,
        "max_language": max(languages.values(), default=0) or 1,
        "max_topic": max(topics.values(), default=0) or 1,
        "satisfaction": satisfaction_stats(session, operator.association_id or 0)})
