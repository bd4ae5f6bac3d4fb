"""Errors of the referral backend, each with an HTTP status and a machine-readable code."""

from __future__ import annotations


class ApiError(Exception):
    """An error the API answers as JSON `{"code": ..., "detail": ...}` with `status_code`."""

    status_code = 400

    def __init__(self, code: str, detail: str, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        if status_code is not None:
            self.status_code = status_code


class NotFound(ApiError):
    """The thing does not exist, or belongs to another association (the two look the same)."""

    status_code = 404


class Forbidden(ApiError):
    """The caller is known but not allowed to do this."""

    status_code = 403


class Conflict(ApiError):
    """The case is not in a state that allows this (e.g. closing a queued case)."""

    status_code = 409


class Unauthorized(ApiError):
    """No valid session or token."""

    status_code = 401
