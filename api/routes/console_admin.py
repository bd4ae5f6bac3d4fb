"""The console's administration page (admins): accounts, associations and queues (script in console.js)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.auth.accounts import ROLES
from api.core.codes import Role
from api.core.languages import SUPPORTED_LANGUAGES
from api.db import get_session
from api.routes.console import _login_redirect, _page_operator, _render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, session: Session = Depends(get_session)) -> Response:
    """Operators (create, role, languages, capacity, deactivate, password), associations and queues."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    if operator.role != Role.ADMIN:
        return _render(request, "forbidden.html", {"operator": operator}, status_code=403)
    return _render(request, "admin.html", {"operator": operator, "roles": ROLES, "case_languages": SUPPORTED_LANGUAGES})
