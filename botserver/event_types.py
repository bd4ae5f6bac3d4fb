"""Rasa finds an event's class by its type name with a dictionary instead of walking every subclass.

Rebuilding a tracker (every turn, from the tracker store and from each action server answer) turns
each stored event back into an object through `Event.resolve_by_type`, which lists every subclass
of `Event` again, recursively, checking each for abstractness, and compares names one by one:
measured with py-spy under load, about 7 % of Rasa's CPU per turn for a few dozen events.
`install()` (called by `python -m botserver`) answers from a table of the same classes in the same
order (the first class with a name wins, as in Rasa's loop); a name the table does not know yet
(an event class imported later) lists the subclasses again, and whatever is still unknown gets
Rasa's own answer (None for the old "topic", the default, or its ValueError).
"""

from __future__ import annotations

from typing import Dict, Optional, Text, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

original_resolve_by_type = Event.resolve_by_type
_by_name: Dict[Text, Type[Event]] = {}


def _table() -> Dict[Text, Type[Event]]:
    table: Dict[Text, Type[Event]] = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """`Event.resolve_by_type`, from the table."""
    global _by_name
    found = _by_name.get(type_name)
    if found is None:
        _by_name = _table()
        found = _by_name.get(type_name)
    if found is not None:
        return found
    resolved: Optional[Type[Event]] = original_resolve_by_type(type_name, default)
    return resolved


def install() -> None:
    """Make this process's Rasa resolve event types from the table."""
    Event.resolve_by_type = staticmethod(resolve_by_type)
