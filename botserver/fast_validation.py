"""Rasa's JSON Schema checks, with each schema compiled once instead of on every call.

Rasa 3.6 validates every action server response (`RemoteAction._validate_action_result`), every
NLG response (`CallbackNaturalLanguageGenerator.validate_response`) and every event list posted
to its HTTP API (`rasa.server`) with `jsonschema.validate(instance, schema)`. That function first
checks the *schema* against its meta-schema, then builds a validator, on every call: measured
with py-spy under load, about half of the Rasa server's CPU per turn went to the meta-schema
check of the same few schemas.

`install()` (called by `python -m botserver` before Rasa starts) replaces `jsonschema.validate`
with `cached_validate`, which does the same thing but keeps one checked, compiled validator per
distinct schema. The *instance* is still validated on every call, with the same errors:
`jsonschema.ValidationError` from `best_match`, as jsonschema raises it, so Rasa's own error
handling is unchanged. An invalid schema is still refused (`SchemaError`) the first time it is
used, and is not cached. Calls with a validator class or extra arguments go to the original.
Rasa's modules import `validate` from `jsonschema` inside the functions that use it, or call
`jsonschema.validate`, so replacing the module attribute reaches all of them.

Rasa builds the schema of an action server's answer anew for every answer
(`RemoteAction.action_response_format_spec`), and finding its validator by content meant
serialising it each time (0.2 ms of Rasa's CPU per turn). `install()` also makes that builder, a
static method with no input, return one schema built once, and a schema seen before is found by
identity first.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

# Rasa uses a handful of schemas; the bound keeps an unexpected caller from growing the cache forever.
MAX_CACHED_SCHEMAS = 64

original_validate = jsonschema.validate
_validators: dict[str, Any] = {}
# id(schema) → (the schema itself, its validator): the schema is held, so its id is not reused.
_by_identity: dict[int, tuple[Any, Any]] = {}
_lock = threading.Lock()


def schema_key(schema: Any) -> str:
    """The schema's identity by content (Rasa builds some of its schemas anew on every call)."""
    return json.dumps(schema, sort_keys=True, default=repr)


def compiled(schema: Any) -> Any:
    """The checked validator for `schema`, made (and the schema checked) on first use.

    Found by identity when this very object was compiled before, else by content. Only the object
    a validator was compiled from is remembered by identity: a schema Rasa builds anew on every call
    is found by content and adds nothing.
    """
    seen = _by_identity.get(id(schema))
    if seen is not None and seen[0] is schema:
        return seen[1]
    key = schema_key(schema)
    validator = _validators.get(key)
    if validator is None:
        cls = validator_for(schema)
        cls.check_schema(schema)  # SchemaError for a broken schema, as jsonschema.validate raises
        validator = cls(schema)
        with _lock:
            if len(_validators) >= MAX_CACHED_SCHEMAS:
                _validators.clear()
                _by_identity.clear()
            _validators[key] = validator
            _by_identity[id(schema)] = (schema, validator)
    return validator


def cached_validate(instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any) -> None:
    """`jsonschema.validate` with the schema's validator compiled once."""
    if cls is not None or args or kwargs:
        original_validate(instance, schema, cls, *args, **kwargs)
        return
    error = best_match(compiled(schema).iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    """Make every `jsonschema.validate` of this process the cached one, and Rasa's action answer schema built once."""
    from rasa.core.actions.action import RemoteAction

    jsonschema.validate = cached_validate
    if not hasattr(RemoteAction.action_response_format_spec, "cache_info"):
        RemoteAction.action_response_format_spec = staticmethod(
            functools.cache(RemoteAction.action_response_format_spec))


def clear() -> None:
    """Forget the compiled validators (tests)."""
    with _lock:
        _validators.clear()
        _by_identity.clear()
