"""The console's supervisor board page (supervisors and admins; numbers from /api/v1/board, kept live)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.cases.access import SUPERVISING_ROLES
from api.db import get_session
from api.routes.console import _login_redirect, _page_operator, _render

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/board", response_class=HTMLResponse)
def board_page(request: Request, session: Session = Depends(get_session)) -> Response:
    """Who holds what, waiting per level and language, breaches, median answer time (drawn by console.js)."""
    operator = _page_operator(request, session)
    if operator is None:
        return _login_redirect()
    if operator.role not in SUPERVISING_ROLES:
        return _render(request, "forbidden.html", {"operator": operator}, status_code=403)
    return _render(request, "board.html", {"operator": operator})
