"""Login, logout, password change and who-am-I for the console's API calls, and operator accounts for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.accounts import authenticate, change_password, create_operator, deactivate_operator
from api.auth.deps import client_address, current_operator, end_session, require_role, start_session
from api.auth.limiter import limit_logins
from api.cases.access import SUPERVISING_ROLES
from api.cases.models import Association, Operator
from api.cases.schemas import OperatorOut
from api.core.codes import Role
from api.core.errors import NotFound
from api.core.inputs import ID_MAX, BodyId, PathId, StrictInput, StrictText
from api.db import get_session

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
SessionDep = Annotated[Session, Depends(get_session)]
CurrentOperator = Annotated[Operator, Depends(current_operator)]

# What the login and password routes may answer besides 200 (documented for the OpenAPI schema).
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "wrong email or password, or too many attempts"},
                                      429: {"description": "too many attempts from this address"}}
SESSION_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "not logged in"},
                                         403: {"description": "missing CSRF token or role"}}


class LoginIn(StrictInput):
    """Credentials."""

    email: StrictText = Field(min_length=3, max_length=254)
    password: StrictText = Field(min_length=1, max_length=512)


class LoginOut(BaseModel):
    """The operator and the CSRF token to send back in `X-CSRF-Token` on every write."""

    operator: OperatorOut
    csrf_token: str


class PasswordChangeIn(StrictInput):
    """The current password and the new one (at least 10 characters)."""

    current_password: StrictText = Field(min_length=1, max_length=512)
    new_password: StrictText = Field(min_length=10, max_length=512)


class OperatorIn(StrictInput):
    """A new operator account."""

    email: StrictText = Field(min_length=3, max_length=254)
    password: StrictText = Field(min_length=10, max_length=512)
    role: StrictText = Field(default=Role.OPERATOR, max_length=16)
    association_id: BodyId | None = Field(default=None, ge=1, le=ID_MAX)
    languages: list[StrictText] = Field(default_factory=list, max_length=20)


def operator_out(operator: Operator) -> OperatorOut:
    """The public view of an account."""
    return OperatorOut(id=operator.id, email=operator.email, role=operator.role,
                       languages=list(operator.languages or []), association_id=operator.association_id,
                       active=operator.active, max_cases=operator.max_cases)


@router.post("/login", response_model=LoginOut, responses=AUTH_ERRORS)
@limit_logins()
def login(request: Request, response: Response, body: LoginIn, session: SessionDep) -> LoginOut:
    """Start a server-side session (SameSite=strict cookie); 401 for any refusal, 429 too many tries."""
    operator = authenticate(session, body.email, body.password, client_address(request))
    token = start_session(request, response, session, operator)
    return LoginOut(operator=operator_out(operator), csrf_token=token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=SESSION_ERRORS)
def logout(request: Request, response: Response, session: SessionDep, _operator: CurrentOperator) -> None:
    """End the session: its cookie is refused from now on, wherever it was copied."""
    end_session(request, response, session)


@router.post("/password", response_model=LoginOut, responses=AUTH_ERRORS | SESSION_ERRORS | {
    409: {"description": "the new password is too weak"}})
@limit_logins()
def password(request: Request, response: Response, body: PasswordChangeIn, session: SessionDep,
             operator: CurrentOperator) -> LoginOut:
    """Change my password; every session of mine ends and this browser gets a new one."""
    change_password(session, operator, body.current_password, body.new_password, client_address(request))
    token = start_session(request, response, session, operator)
    return LoginOut(operator=operator_out(operator), csrf_token=token)


@router.get("/me", response_model=OperatorOut, responses={401: SESSION_ERRORS[401]})
def me(operator: CurrentOperator) -> OperatorOut:
    """The logged-in operator."""
    return operator_out(operator)


@router.get("/operators", response_model=list[OperatorOut], responses=SESSION_ERRORS)
def list_operators(operator: Annotated[Operator, Depends(require_role(*SUPERVISING_ROLES))],
                   session: SessionDep) -> list[OperatorOut]:
    """Accounts of my association."""
    rows = session.scalars(select(Operator).where(Operator.association_id == operator.association_id)
                           .order_by(Operator.email))
    return [operator_out(o) for o in rows]


@router.post("/operators", response_model=OperatorOut, status_code=status.HTTP_201_CREATED,
             responses=SESSION_ERRORS | {404: {"description": "no such association of mine"},
                                         409: {"description": "weak password, taken email, unknown role"}})
def add_operator(body: OperatorIn, admin: Annotated[Operator, Depends(require_role(Role.ADMIN))],
                 session: SessionDep) -> OperatorOut:
    """Create an account in my association (admins only)."""
    association_id = body.association_id if body.association_id is not None else admin.association_id
    if association_id is None or association_id != admin.association_id or \
            session.get(Association, association_id) is None:
        raise NotFound("association_not_found", "No such association of yours.")
    created = create_operator(session, body.email, body.password, body.role, association_id, body.languages)
    session.commit()
    return operator_out(created)


@router.post("/operators/{operator_id:int}/deactivate", response_model=OperatorOut,
             responses=SESSION_ERRORS | {404: {"description": "no such operator in my association"},
                                         409: {"description": "one's own account"}})
def deactivate(operator_id: PathId,
               admin: Annotated[Operator, Depends(require_role(Role.ADMIN))], session: SessionDep) -> OperatorOut:
    """Deactivate an account (admins only): it can no longer log in and its sessions end now."""
    return operator_out(deactivate_operator(session, admin, operator_id))
