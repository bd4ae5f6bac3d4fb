"""Administration for admins: operator accounts of their association, associations and queues (JSON, CSRF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import admin as administration
from api.auth.accounts import create_operator
from api.auth.deps import require_role
from api.cases.models import Association, Operator, Queue
from api.cases.schemas import OperatorOut
from api.core.codes import Role
from api.core.inputs import PathId, StrictInput, StrictText, integral_number
from api.core.languages import SUPPORTED_LANGUAGES
from api.db import get_session
from api.routes.auth import operator_out

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses={
    401: {"description": "not logged in"}, 403: {"description": "missing CSRF token, or not an admin"},
    404: {"description": "no such account or queue in my association"},
    409: {"description": "weak password, taken email or name, unknown role or language, own account"}})
SessionDep = Annotated[Session, Depends(get_session)]
AdminDep = Annotated[Operator, Depends(require_role(Role.ADMIN))]
LanguageCode = Annotated[StrictText, Field(max_length=8)]
# Constraints inside the integer branch, so the OpenAPI schema says minimum/maximum.
Capacity = Annotated[int, Field(ge=1, le=administration.MAX_CAPACITY), BeforeValidator(integral_number)]


class NewOperatorIn(StrictInput):
    """A new account of my association."""

    email: StrictText = Field(min_length=3, max_length=254)
    password: StrictText = Field(min_length=10, max_length=512)
    role: StrictText = Field(default=Role.OPERATOR, max_length=16)
    languages: list[LanguageCode] = Field(default_factory=list, max_length=len(SUPPORTED_LANGUAGES))
    max_cases: Capacity | None = None


class OperatorChangeIn(StrictInput):
    """What to change on an account; a missing field stays as it is (`max_cases: null` removes the limit)."""

    role: StrictText | None = Field(default=None, max_length=16)
    languages: list[LanguageCode] | None = Field(default=None, max_length=len(SUPPORTED_LANGUAGES))
    max_cases: Capacity | None = None
    active: bool | None = None


class PasswordResetIn(StrictInput):
    """The new password an admin gives an account (at least 10 characters)."""

    new_password: StrictText = Field(min_length=10, max_length=512)


class AssociationIn(StrictInput):
    """A new association and the towns its first queue serves."""

    name: StrictText = Field(min_length=1, max_length=120)
    cities: list[Annotated[StrictText, Field(max_length=120)]] = Field(default_factory=list, max_length=200)


class QueueIn(StrictInput):
    """A queue's name and the towns it serves."""

    name: StrictText | None = Field(default=None, min_length=1, max_length=120)
    cities: list[Annotated[StrictText, Field(max_length=120)]] | None = Field(default=None, max_length=200)


class AssociationOut(BaseModel):
    """An association."""

    id: int
    name: str


class AdminQueueOut(BaseModel):
    """A queue of my association and the towns it serves."""

    id: int
    name: str
    cities: list[str]
    is_default: bool


def queue_out(queue: Queue) -> AdminQueueOut:
    """The admin view of a queue."""
    return AdminQueueOut(id=queue.id, name=queue.name, cities=list(queue.cities or []), is_default=queue.is_default)


@router.get("/operators", response_model=list[OperatorOut])
def operators(admin: AdminDep, session: SessionDep) -> list[OperatorOut]:
    """Every account of my association, active or not."""
    rows = session.scalars(select(Operator).where(Operator.association_id == admin.association_id)
                           .order_by(Operator.email))
    return [operator_out(o) for o in rows]


@router.post("/operators", response_model=OperatorOut, status_code=status.HTTP_201_CREATED)
def add_operator(body: NewOperatorIn, admin: AdminDep, session: SessionDep) -> OperatorOut:
    """Create an account of my association with its role, languages and capacity."""
    created = create_operator(session, body.email, body.password, body.role, admin.association_id,
                              administration.check_languages(body.languages))
    created.max_cases = body.max_cases
    session.commit()
    return operator_out(created)


@router.patch("/operators/{operator_id:int}", response_model=OperatorOut)
def change_operator(operator_id: PathId, body: OperatorChangeIn, admin: AdminDep, session: SessionDep) -> OperatorOut:
    """Change an account's role, languages, capacity or active state."""
    sent = body.model_fields_set
    return operator_out(administration.update_operator(
        session, admin, operator_id, role=body.role, languages=body.languages, max_cases=body.max_cases,
        clear_max_cases="max_cases" in sent and body.max_cases is None, active=body.active))


@router.post("/operators/{operator_id:int}/password", response_model=OperatorOut)
def reset_password(operator_id: PathId, body: PasswordResetIn, admin: AdminDep, session: SessionDep) -> OperatorOut:
    """Give an account a new password; its open sessions end."""
    return operator_out(administration.reset_password(session, admin, operator_id, body.new_password))


@router.get("/associations", response_model=list[AssociationOut])
def associations(_admin: AdminDep, session: SessionDep) -> list[AssociationOut]:
    """Every association of the service."""
    return [AssociationOut(id=a.id, name=a.name) for a in session.scalars(select(Association).order_by(Association.name))]


@router.post("/associations", response_model=AssociationOut, status_code=status.HTTP_201_CREATED)
def add_association(body: AssociationIn, admin: AdminDep, session: SessionDep) -> AssociationOut:
    """Create an association with one queue for its towns."""
    created = administration.create_association(session, admin, body.name, body.cities)
    return AssociationOut(id=created.id, name=created.name)


@router.get("/queues", response_model=list[AdminQueueOut])
def queues(admin: AdminDep, session: SessionDep) -> list[AdminQueueOut]:
    """The queues of my association."""
    rows = session.scalars(select(Queue).where(Queue.association_id == admin.association_id).order_by(Queue.id))
    return [queue_out(q) for q in rows]


@router.post("/queues", response_model=AdminQueueOut, status_code=status.HTTP_201_CREATED)
def add_queue(body: QueueIn, admin: AdminDep, session: SessionDep) -> AdminQueueOut:
    """Create a queue of my association."""
    return queue_out(administration.create_queue(session, admin, body.name or "", body.cities or []))


@router.patch("/queues/{queue_id:int}", response_model=AdminQueueOut)
def change_queue(queue_id: PathId, body: QueueIn, admin: AdminDep, session: SessionDep) -> AdminQueueOut:
    """Rename a queue of my association or change its towns."""
    return queue_out(administration.update_queue(session, admin, queue_id, body.name, body.cities))
