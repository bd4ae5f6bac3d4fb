"""Rasa's schema checks compiled once: still refusing what is invalid, with the errors Rasa expects."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from jsonschema.validators import Draft202012Validator
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator, nlg_response_format_spec
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from botserver import fast_validation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch):
    fast_validation.clear()
    monkeypatch.setattr(jsonschema, "validate", fast_validation.cached_validate)
    yield
    fast_validation.clear()


def remote_action() -> RemoteAction:
    return RemoteAction("action_test", EndpointConfig("http://127.0.0.1:9/webhook"))


def test_a_valid_action_result_passes() -> None:
    result = {"events": [{"event": "slot", "name": "language", "value": "fr"}], "responses": []}
    assert remote_action()._validate_action_result(result)


def test_an_invalid_event_is_still_refused_every_time() -> None:
    action = remote_action()
    for _ in range(3):  # from the cache too, not only on the first (compiling) call
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result({"events": [{"event": "slot", "name": 5}], "responses": []})
        with pytest.raises(jsonschema.ValidationError):
            action._validate_action_result({"events": "not a list"})


def test_an_invalid_nlg_response_is_still_refused() -> None:
    assert CallbackNaturalLanguageGenerator.validate_response({"text": "Bonjour", "buttons": []})
    with pytest.raises(RasaException):
        CallbackNaturalLanguageGenerator.validate_response({"text": 42})


def test_the_same_error_as_jsonschema_itself() -> None:
    instance = {"text": 42, "buttons": "no"}
    with pytest.raises(jsonschema.ValidationError) as original:
        fast_validation.original_validate(instance, nlg_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as cached:
        fast_validation.cached_validate(instance, nlg_response_format_spec())
    assert (cached.value.message, list(cached.value.path)) == (original.value.message, list(original.value.path))


def test_each_schema_is_checked_once_though_rasa_builds_it_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[object] = []
    real_check = Draft202012Validator.check_schema.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Draft202012Validator, "check_schema",
                        classmethod(lambda cls, schema, **kw: (checks.append(schema), real_check(cls, schema, **kw))))
    action = remote_action()
    for _ in range(5):
        action._validate_action_result({"events": [], "responses": []})
    assert len(checks) == 1


def test_a_schema_seen_before_is_found_without_serialising_it_and_rasas_action_schema_is_built_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    keyed: list[object] = []
    real_key = fast_validation.schema_key
    monkeypatch.setattr(fast_validation, "schema_key", lambda schema: (keyed.append(schema), real_key(schema))[1])
    # Restored after the test (the static method itself, not the function it wraps).
    monkeypatch.setattr(RemoteAction, "action_response_format_spec", RemoteAction.__dict__["action_response_format_spec"])
    fast_validation.install()
    assert RemoteAction.action_response_format_spec() is RemoteAction.action_response_format_spec()
    action = remote_action()
    for _ in range(5):
        action._validate_action_result({"events": [], "responses": []})
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": [{"event": "slot", "name": 5}], "responses": []})
    assert len(keyed) == 1
    # Another object with the same content still finds the compiled validator by content.
    fresh = json.loads(json.dumps(RemoteAction.action_response_format_spec()))
    assert fast_validation.compiled(fresh) is fast_validation.compiled(RemoteAction.action_response_format_spec())
    assert len(keyed) == 2


def test_a_broken_schema_is_refused_and_not_cached() -> None:
    broken = {"type": "no-such-type"}
    for _ in range(2):
        with pytest.raises(jsonschema.SchemaError):
            fast_validation.cached_validate({}, broken)

