"""The console's services directory page (search, filters, verification, adding a service; script in directory.js)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.core.config import get_settings
from api.db import get_session
from api.directory.classify import KINDS
from api.directory.console_texts import SERVICE_TOPICS
from api.directory.editing import EDITOR_ROLES
from api.directory.schemas import ServiceKind
from api.directory.towns import gazetteer
from api.routes.console import _login_redirect, _page_operator, _render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/directory", response_class=HTMLResponse)
def directory_page(request: Request, session: Session = Depends(get_session)) -> Response:
    """The directory: every console role reads it; editors, supervisors and admins change it."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    towns = gazetteer(get_settings().data_dir / "towns.yml")
    return _render(request, "directory.html", {
        "operator": operator, "can_edit": operator.role in EDITOR_ROLES,
        "towns": sorted(t.name for t in towns.towns), "kinds": KINDS,
        "service_kinds": ServiceKind.__args__, "topics": SERVICE_TOPICS})  # type: ignore[attr-defined]
