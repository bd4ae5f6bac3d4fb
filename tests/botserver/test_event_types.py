"""botserver/event_types.py: the same class for every event name as Rasa's own lookup, from a table."""

from __future__ import annotations

from typing import Iterator

import pytest
import rasa.shared.utils.common
from rasa.shared.core.events import ActionExecuted, Event, UserUttered

from botserver import event_types


@pytest.fixture
def installed() -> Iterator[None]:
    event_types.install()
    yield
    Event.resolve_by_type = staticmethod(event_types.original_resolve_by_type)  # type: ignore[method-assign]


def test_every_event_name_resolves_to_the_class_rasa_finds(installed: None) -> None:
    names = {cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)}
    assert len(names) > 20
    for name in names:
        assert Event.resolve_by_type(name) is event_types.original_resolve_by_type(name)


def test_unknown_names_get_rasas_answers(installed: None) -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="no_such_event"):
        Event.resolve_by_type("no_such_event")


def test_stored_events_come_back_as_their_classes(installed: None) -> None:
    events = [UserUttered("bonjour", {"name": "greet"}), ActionExecuted("utter_greet")]
    back = [Event.from_parameters(event.as_dict()) for event in events]
    assert back == events


def test_an_event_class_defined_later_is_found(installed: None) -> None:
    class LateEvent(ActionExecuted):  # a custom event imported after the table was made
        type_name = "late_event_for_test"

    Event.resolve_by_type("action")  # the table exists now
    assert event_types.original_resolve_by_type("late_event_for_test") is LateEvent  # Rasa finds it
    assert Event.resolve_by_type("late_event_for_test") is LateEvent


def test_when_two_classes_share_a_name_the_first_one_rasa_lists_wins(installed: None,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    class Shadow(ActionExecuted):  # same type name as its parent
        pass

    monkeypatch.setattr(event_types, "_by_name", {})  # the table is made again with both classes
    assert event_types.original_resolve_by_type("action") is ActionExecuted
    assert Event.resolve_by_type("action") is ActionExecuted
    assert Shadow.type_name == "action"
