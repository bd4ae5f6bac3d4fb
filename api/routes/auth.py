"""Login, logout and who-am-I for the console's API calls, and operator accounts for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.accounts import authenticate, create_operator
from api.auth.deps import current_operator, require_role, start_session
from api.auth.limiter import get_limiter, login_limit
from api.cases.models import Operator
from api.cases.schemas import OperatorOut
from api.db import get_session

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
limiter = get_limiter()


class LoginIn(BaseModel):
    """Credentials."""

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=512)


class LoginOut(BaseModel):
    """The operator and the CSRF token to send back in `X-CSRF-Token` on every write."""

    operator: OperatorOut
    csrf_token: str


class OperatorIn(BaseModel):
    """A new operator account."""

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=10, max_length=512)
    role: str = "operator"
    association_id: int | None = None
    languages: list[str] = Field(default_factory=list)


def operator_out(operator: Operator) -> OperatorOut:
    """The public view of an account."""
    return OperatorOut(id=operator.id, email=operator.email, role=operator.role,
                       languages=list(operator.languages or []), association_id=operator.association_id)


@router.post("/login", response_model=LoginOut)
@limiter.limit(login_limit)
def login(request: Request, body: LoginIn, session: Session = Depends(get_session)) -> LoginOut:
    """Start a session (signed SameSite=strict cookie); 401 wrong, 423 locked, 429 too many tries."""
    operator = authenticate(session, body.email, body.password)
    token = start_session(request, operator)
    return LoginOut(operator=operator_out(operator), csrf_token=token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, _operator: Operator = Depends(current_operator)) -> None:
    """End the session."""
    request.session.clear()


@router.get("/me", response_model=OperatorOut)
def me(operator: Operator = Depends(current_operator)) -> OperatorOut:
    """The logged-in operator."""
    return operator_out(operator)


@router.get("/operators", response_model=list[OperatorOut])
def list_operators(operator: Operator = Depends(require_role("supervisor", "admin")),
                   session: Session = Depends(get_session)) -> list[OperatorOut]:
    """Accounts of my association."""
    rows = session.scalars(select(Operator).where(Operator.association_id == operator.association_id)
                           .order_by(Operator.email))
    return [operator_out(o) for o in rows]


@router.post("/operators", response_model=OperatorOut, status_code=status.HTTP_201_CREATED)
def add_operator(body: OperatorIn, admin: Operator = Depends(require_role("admin")),
                 session: Session = Depends(get_session)) -> OperatorOut:
    """Create an account (admins only); without an association it joins the admin's."""
    created = create_operator(session, body.email, body.password, body.role,
                              body.association_id if body.association_id is not None else admin.association_id,
                              body.languages)
    session.commit()
    return operator_out(created)
