"""Canned replies: approved texts an operator sends from the case page, in the person's language.

They are the `canned.*` messages of locales/ (source.yml says where each is used; editors
translate them like every other text), filled with the case's values (`{reference}`, `{town}`).
The operator reads one in the console's language and sends it in the case's: the text sent is
rendered here from the catalog, never taken from the browser, so only an approved text goes out.
A reply needing a value the case does not have (a town nobody gave) is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.cases.access import visible_case
from api.cases.models import Case, CaseMessage, Operator
from api.cases.workflow import reply_to_person
from api.core.config import get_settings
from api.core.errors import Conflict, NotFound
from api.nlg.catalogs import catalog_store
from api.nlg.render import render_response

CANNED_PREFIX = "canned."


@dataclass(frozen=True)
class CannedReply:
    """One approved reply as the operator previews it and as the person would get it."""

    key: str
    operator_text: str
    operator_language: str
    person_text: str
    person_language: str
    # False when the person's catalog has no reviewed text yet and another language would be sent.
    in_person_language: bool


def canned_keys() -> list[str]:
    """Every canned reply of the catalogs, in the order of locales/source.yml."""
    specs = catalog_store(get_settings().locales_dir).snapshot().specs
    return [key for key in specs if key.startswith(CANNED_PREFIX)]


def case_values(case: Case) -> dict[str, str]:
    """What a canned reply may be filled with."""
    values = {"reference": case.reference}
    if case.city:
        values["town"] = case.city
    return values


def canned_replies_for(case: Case, operator_language: str) -> list[CannedReply]:
    """The replies this case can use, each in the operator's and the person's language."""
    replies = []
    for key in canned_keys():
        for_person = render_response(key, case.language, case_values(case))
        if for_person.missing_placeholders:
            continue
        for_operator = render_response(key, operator_language, case_values(case))
        replies.append(CannedReply(key=key, operator_text=for_operator.text, operator_language=for_operator.language,
                                   person_text=for_person.text, person_language=for_person.language,
                                   in_person_language=not for_person.is_fallback))
    return replies


def send_canned_reply(session: Session, operator: Operator, case_id: int, key: str) -> CaseMessage:
    """Send the approved reply `key` to the person in their language (as an operator reply: stored, audited)."""
    case = visible_case(session, operator, case_id)
    if key not in canned_keys():
        raise NotFound("canned_reply_not_found", f"No approved reply {key!r} in the catalogs.")
    rendered = render_response(key, case.language, case_values(case))
    if rendered.missing_placeholders:
        raise Conflict("canned_reply_needs_values",
                       f"This reply needs {', '.join(rendered.missing_placeholders)}, which the case does not have.")
    return reply_to_person(session, operator, case_id, rendered.text)
