"""The OpenAPI schema as the API really answers: our 422 shape, and the 400 of a body that cannot be read.

FastAPI documents its default validation error (`{"detail": [...]}` echoing the input); the app
answers `{"code", "detail", "errors"}` without the input (api/console/__init__.py). A body that is
not even JSON or a form gets Starlette's 400 before validation, so every operation with a body
declares it. schemathesis (tests/api/test_openapi_fuzz.py) holds the app to this schema.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

INVALID_REQUEST_SCHEMA: dict[str, Any] = {
    "title": "InvalidRequest", "type": "object", "required": ["code", "detail", "errors"],
    "properties": {
        "code": {"type": "string", "const": "invalid_request"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["loc", "msg", "type"],
            "properties": {"loc": {"type": "array", "items": {"type": "string"}},
                           "msg": {"type": "string"}, "type": {"type": "string"}}}},
    },
}
UNREADABLE_BODY = {"description": "the body is not valid JSON or form data"}


def complete_openapi(app: FastAPI) -> dict[str, Any]:
    """Build (once) the schema with the two corrections above."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["HTTPValidationError"] = INVALID_REQUEST_SCHEMA
    schemas.pop("ValidationError", None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                operation.setdefault("responses", {}).setdefault("400", UNREADABLE_BODY)
    app.openapi_schema = schema
    return schema
