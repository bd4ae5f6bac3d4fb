"""Input types shared by every route: ids within the database's integer range, text every database can store."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

# PostgreSQL's `integer`; SQLite overflows past 2**63. A bigger id cannot exist, so it is a 422, not a 500.
ID_MAX = 2_147_483_647


def storable_text(value: str) -> str:
    """Refuse what no database or log can hold: lone surrogates (invalid UTF-8) and NUL characters."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("text must be valid Unicode (a lone surrogate was sent)") from error
    return value


# The pattern tells the OpenAPI schema (and its clients) about NUL; the validator also refuses lone surrogates.
StrictText = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$"), AfterValidator(storable_text)]


def integral_number(value: Any) -> Any:
    """JSON's `3.0` is the integer 3 (JSON Schema agrees); strict validation still refuses `true` and `"3"`."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# An id in a strict request body: a whole number, even when written 3.0.
BodyId = Annotated[int, BeforeValidator(integral_number)]
# A table id in a path: /cases/{case_id}, /operators/{operator_id}.
PathId = Annotated[int, Path(ge=1, le=ID_MAX)]


class StrictInput(BaseModel):
    """A request body validated without coercion: `false` is not a number, `0` is not a boolean."""

    model_config = ConfigDict(strict=True)
