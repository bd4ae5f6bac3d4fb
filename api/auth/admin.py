"""What an admin changes in the browser: operator accounts of their association, associations, queues.

The same rules as the command line (api/cli.py) and api/auth/accounts.py: Argon2 hashes, no weak
password, known roles and language codes; every change is audited and ends the sessions it must.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth.accounts import role_of
from api.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from api.auth.sessions import close_operator_sessions
from api.cases.events import audit
from api.cases.models import Association, Operator, Queue
from api.core.errors import Conflict, NotFound
from api.core.languages import SUPPORTED_LANGUAGES
from api.core.logging import log_event

logger = logging.getLogger(__name__)

MAX_CAPACITY = 50


def association_operator(session: Session, admin: Operator, operator_id: int) -> Operator:
    """An account of the admin's association (404 otherwise, as if it did not exist)."""
    target = session.get(Operator, operator_id)
    if target is None or target.association_id != admin.association_id:
        raise NotFound("operator_not_found", "No such operator in your association.")
    return target


def check_languages(languages: list[str]) -> list[str]:
    """The codes, each once, refusing unknown ones."""
    unknown = [code for code in languages if code not in SUPPORTED_LANGUAGES]
    if unknown:
        raise Conflict("unknown_language", f"Unknown language codes: {', '.join(unknown)}.")
    return list(dict.fromkeys(languages))


def update_operator(session: Session, admin: Operator, operator_id: int, *, role: str | None = None,
                    languages: list[str] | None = None, max_cases: int | None = None,
                    clear_max_cases: bool = False, active: bool | None = None) -> Operator:
    """Change an account's role, languages, capacity or active state (committed, audited).

    A changed role or a deactivation ends the account's sessions at once; an admin cannot lower
    their own role or deactivate themselves (another admin must).
    """
    target = association_operator(session, admin, operator_id)
    changes: dict[str, object] = {}
    if role is not None and role != target.role:
        new_role = role_of(role)
        if target.id == admin.id:
            raise Conflict("cannot_change_own_role", "Ask another admin to change your own role.")
        target.role, changes["role"] = new_role, new_role
    if languages is not None:
        target.languages = check_languages(languages)
        changes["languages"] = target.languages
    if clear_max_cases or max_cases is not None:
        if max_cases is not None and not 1 <= max_cases <= MAX_CAPACITY:
            raise Conflict("invalid_capacity", f"The capacity is a number of cases from 1 to {MAX_CAPACITY}.")
        target.max_cases = None if clear_max_cases else max_cases
        changes["max_cases"] = target.max_cases
    if active is not None and active != target.active:
        if target.id == admin.id:
            raise Conflict("cannot_deactivate_self", "Ask another admin to deactivate your own account.")
        target.active, changes["active"] = active, active
    ended = close_operator_sessions(session, target.id) if "role" in changes or changes.get("active") is False else 0
    audit(session, "operator_updated", operator=admin, target_operator_id=target.id,
          fields=sorted(changes), sessions_ended=ended)
    session.commit()
    log_event(logger, "operator_updated", operator_id=target.id, fields=",".join(sorted(changes)))
    return target


def reset_password(session: Session, admin: Operator, operator_id: int, new_password: str) -> Operator:
    """Give an account a new password chosen by the admin (committed); its sessions end."""
    target = association_operator(session, admin, operator_id)
    if target.id == admin.id:
        # Whoever holds an admin's session must not take the account without its current password.
        raise Conflict("own_password_needs_current", "Change your own password with your current one.")
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise Conflict("weak_password", f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    target.hashed_password = hash_password(new_password)
    ended = close_operator_sessions(session, target.id)
    audit(session, "password_reset_by_admin", operator=admin, target_operator_id=target.id, sessions_ended=ended)
    session.commit()
    log_event(logger, "password_reset_by_admin", operator_id=target.id, sessions_ended=ended)
    return target


def _towns(cities: list[str]) -> list[str]:
    return list(dict.fromkeys(c.strip().lower() for c in cities if c.strip()))


def create_association(session: Session, admin: Operator, name: str, cities: list[str]) -> Association:
    """A new association with its first queue serving `cities` (committed); names are unique."""
    name = name.strip()
    if not name:
        raise Conflict("invalid_name", "Give the association a name.")
    if session.scalar(select(func.count()).select_from(Association).where(Association.name == name)):
        raise Conflict("association_exists", "An association with this name already exists.")
    association = Association(name=name)
    session.add(association)
    session.flush()
    first_queue = session.scalar(select(Queue.id).limit(1)) is None
    session.add(Queue(association_id=association.id, name=name, cities=_towns(cities), is_default=first_queue))
    audit(session, "association_created", operator=admin, association_id=association.id)
    session.commit()
    return association


def create_queue(session: Session, admin: Operator, name: str, cities: list[str]) -> Queue:
    """Another queue of the admin's association, for the towns it lists (committed)."""
    name = name.strip()
    if not name or admin.association_id is None:
        raise Conflict("invalid_name", "Give the queue a name.")
    queue = Queue(association_id=admin.association_id, name=name, cities=_towns(cities), is_default=False)
    session.add(queue)
    session.flush()
    audit(session, "queue_created", operator=admin, queue_id=queue.id)
    session.commit()
    return queue


def update_queue(session: Session, admin: Operator, queue_id: int, name: str | None,
                 cities: list[str] | None) -> Queue:
    """Rename a queue of the admin's association or change the towns it serves (committed)."""
    queue = session.get(Queue, queue_id)
    if queue is None or queue.association_id != admin.association_id:
        raise NotFound("queue_not_found", "No such queue in your association.")
    if name is not None and name.strip():
        queue.name = name.strip()
    if cities is not None:
        queue.cities = _towns(cities)
    audit(session, "queue_updated", operator=admin, queue_id=queue.id)
    session.commit()
    return queue
