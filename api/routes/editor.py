"""The editors' workspace in the console: coverage, message lists, one entry with its previews, saves."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.audio.index import clips_per_language
from api.auth.deps import require_role
from api.cases.models import Operator
from api.core.clock import utcnow
from api.core.codes import Role
from api.core.config import get_settings
from api.core.errors import Conflict, NotFound
from api.core.inputs import StrictInput
from api.core.languages import DEFAULT_LANGUAGE, RTL_LANGUAGES, SUPPORTED_LANGUAGES
from api.db import get_session
from api.editor import previews, workspace
from api.editor.catalog_entries import EntryError, clean_text, read_entry
from api.editor.reviews import history, is_factual, last_reviews, save_and_record, stale_entries
from api.feedback.helpful import helpful_counts
from api.nlg.catalogs import CatalogSnapshot, catalog_store
from api.nlg.source import all_msgids
from api.routes.console import _login_redirect, _page_operator, _render

CONTENT_EDITOR_ROLES: tuple[Role, ...] = (Role.EDITOR, Role.ADMIN)

EDITOR_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in"}, 403: {"description": "missing CSRF token, or not an editor or admin"},
    404: {"description": "no such language or message"},
    409: {"description": "stale_entry: someone saved the entry after the version sent"}}
pages = APIRouter(prefix="/console/editor", include_in_schema=False)
api = APIRouter(prefix="/api/v1/editor", tags=["editors' workspace"], responses=EDITOR_ERRORS)
content_editor = require_role(*CONTENT_EDITOR_ROLES)
SessionDep = Annotated[Session, Depends(get_session)]
ContentEditor = Annotated[Operator, Depends(content_editor)]
Filter = Literal["all", "missing", "draft", "stale"]


class EntryIn(StrictInput):
    """A save from the entry form: the text, the version the form was built from, and "mark reviewed"."""

    text: str = Field(max_length=8000)
    version: str = Field(min_length=16, max_length=16, pattern=r"^[0-9a-f]{16}$")
    reviewed: bool = False


class EntryOut(BaseModel):
    """The entry as saved, with its new version for the next save."""

    language: str
    msgid: str
    text: str
    fuzzy: bool
    version: str


class PreviewIn(StrictInput):
    """The draft in the form, to preview before saving."""

    text: str = Field(max_length=8000)
    reviewed: bool = False


def _snapshot() -> CatalogSnapshot:
    return catalog_store(get_settings().locales_dir).snapshot()


def _known(snapshot: CatalogSnapshot, language: str, msgid: str | None = None) -> None:
    if language not in SUPPORTED_LANGUAGES or (msgid is not None and msgid not in all_msgids(snapshot.specs)):
        raise NotFound("unknown_entry", "No such language or message in locales/source.yml.")


def _page_editor(request: Request, session: Session) -> tuple[Operator | None, Response | None]:
    operator = _page_operator(request, session)
    if operator is None:
        return None, _login_redirect()
    if operator.role not in CONTENT_EDITOR_ROLES:
        return None, _render(request, "editor_forbidden.html", {"operator": operator}, status_code=403)
    return operator, None


@pages.get("", response_class=HTMLResponse)
def coverage_page(request: Request, session: SessionDep) -> Response:
    """Coverage per language: reviewed, draft, missing, falling back."""
    operator, refused = _page_editor(request, session)
    if refused is not None:
        return refused
    rows = workspace.language_coverage(_snapshot())
    bars = workspace.coverage_bars(rows)
    return _render(request, "editor.html", {
        "operator": operator, "rows": rows, "bars": bars, "chart_height": workspace.chart_height(bars),
        "bar_height": workspace.BAR_HEIGHT, "label_width": workspace.LABEL_WIDTH, "bar_width": workspace.BAR_WIDTH,
        "max_age_days": get_settings().editor_review_max_age_days,
        "with_audio": clips_per_language(session)})


@pages.get("/stale", response_class=HTMLResponse)
def stale_page(request: Request, session: SessionDep) -> Response:
    """Factual texts whose last review is older than the configured age."""
    operator, refused = _page_editor(request, session)
    if refused is not None:
        return refused
    settings = get_settings()
    entries = stale_entries(session, _snapshot(), settings.editor_review_max_age_days, SUPPORTED_LANGUAGES)
    return _render(request, "editor_stale.html", {"operator": operator, "entries": entries,
                                                  "max_age_days": settings.editor_review_max_age_days})


@pages.get("/{language}", response_class=HTMLResponse)
def message_list_page(language: str, request: Request, session: SessionDep,
                      wanted: Filter = Query(default="all", alias="filter")) -> Response:
    """The messages of one language, filtered: missing, draft, stale."""
    operator, refused = _page_editor(request, session)
    if refused is not None:
        return refused
    snapshot = _snapshot()
    _known(snapshot, language)
    settings = get_settings()
    rows = workspace.message_rows(snapshot, language, wanted, last_reviews(session, language),
                                  settings.editor_review_max_age_days, utcnow())
    return _render(request, "editor_list.html", {"helpful": helpful_counts(session, language),
        "operator": operator, "language": language, "rows": rows, "wanted": wanted, "filters": workspace.FILTERS,
        "languages": SUPPORTED_LANGUAGES, "rtl": language in RTL_LANGUAGES})


@pages.get("/{language}/{msgid}", response_class=HTMLResponse)
def entry_page(language: str, msgid: str, request: Request, session: SessionDep) -> Response:
    """One entry: the French source, the notes, the current text, the form and the previews on every channel."""
    operator, refused = _page_editor(request, session)
    if refused is not None:
        return refused
    snapshot = _snapshot()
    _known(snapshot, language, msgid)
    settings = get_settings()
    entry = read_entry(settings.locales_dir, language, msgid)
    source = read_entry(settings.locales_dir, DEFAULT_LANGUAGE, msgid)
    spec = snapshot.specs.get(previews.rendered_message(snapshot, msgid))
    return _render(request, "editor_entry.html", {
        "operator": operator, "language": language, "entry": entry, "source": source, "spec": spec,
        "notes": previews.translator_notes(snapshot, msgid),
        "factual": is_factual(spec), "history": history(session, language, msgid),
        "helpful": helpful_counts(session, language).get(msgid),
        "rtl": language in RTL_LANGUAGES,
        "preview": previews.preview(snapshot, language, msgid, settings.public_base_url)})


@pages.post("/{language}/{msgid}/preview", response_class=HTMLResponse)
def entry_preview(language: str, msgid: str, body: PreviewIn, request: Request, _editor: ContentEditor) -> Response:
    """The previews of a draft, as the page shows them (nothing is written)."""
    snapshot = _snapshot()
    _known(snapshot, language, msgid)
    draft = previews.with_draft(snapshot, language, msgid, clean_text(body.text), body.reviewed)
    return _render(request, "editor_preview.html", {
        "preview": previews.preview(draft, language, msgid, get_settings().public_base_url)})


@api.post("/entries/{language}/{msgid}", response_model=EntryOut)
def save_entry_route(language: str, msgid: str, body: EntryIn, editor: ContentEditor,
                     session: SessionDep) -> EntryOut:
    """Save one entry (fuzzy unless `reviewed`); 409 `stale_entry` when someone saved it since `version`.

    A text the catalog check would refuse is a 422 whose error `type` says why: `text_empty`,
    `placeholders_differ`, `text_too_long`.
    """
    snapshot = _snapshot()
    _known(snapshot, language, msgid)
    try:
        saved = save_and_record(session, get_settings().locales_dir, editor, language, msgid, body.text,
                                body.version, body.reviewed, snapshot.specs.get(msgid))
    except EntryError as error:
        if error.code == "stale_entry":
            raise Conflict(error.code, error.detail) from error
        raise RequestValidationError([{"loc": ("body", "text"), "msg": error.detail, "type": error.code}]) from error
    return EntryOut(language=language, msgid=msgid, text=saved.text, fuzzy=saved.fuzzy, version=saved.version)
