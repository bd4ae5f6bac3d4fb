"""The codes the backend keeps in its rows: case status, operator role, triage level, closing outcome.

One StrEnum each, so a code is spelt once and a typo is a type error. A member is a `str`, so it
compares, hashes, renders in a template and serialises to JSON as its value ("queued" == CaseStatus.QUEUED).
`code_type` stores one in a VARCHAR column of the length the migrations gave it (no database enum,
no CHECK constraint: the schema is unchanged) and reads it back as the member; writing a string that
is not one of the codes fails before it reaches the database.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum

__all__ = ["CaseStatus", "Outcome", "Role", "TriageLevel", "code_type"]


class CaseStatus(StrEnum):
    """Where a case is in its lifecycle (api/cases/access.py: ALLOWED_TRANSITIONS)."""

    QUEUED = "queued"
    CLAIMED = "claimed"
    WAITING_PERSON = "waiting_person"
    REFERRED = "referred"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Role(StrEnum):
    """What an account may do: work cases, supervise them, administer, or keep the content and directory."""

    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    EDITOR = "editor"


class TriageLevel(StrEnum):
    """How urgent a case is, most urgent first (api/cases/triage.py)."""

    EMERGENCY = "emergency"
    VIOLENCE = "violence"
    VULNERABLE = "vulnerable"
    OTHER = "other"


class Outcome(StrEnum):
    """What came of a case when the operator closed it."""

    INFORMED = "informed"
    REFERRED_TO_SERVICE = "referred_to_service"
    ACCOMPANIED = "accompanied"
    CALLBACK_DONE = "callback_done"
    UNREACHABLE = "unreachable"
    OTHER = "other"


def _values(codes: type[StrEnum]) -> list[str]:
    return [code.value for code in codes]


def code_type(codes: type[StrEnum], length: int) -> Enum:
    """The column type keeping `codes` by value in a VARCHAR(length)."""
    return Enum(codes, native_enum=False, create_constraint=False, length=length, values_callable=_values,
                validate_strings=True)
