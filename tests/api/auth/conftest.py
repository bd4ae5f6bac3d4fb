"""Fixtures of the referral backend tests (shared with tests/api/auth)."""

from tests.api.cases.fixtures import client, factory, postgres_url, seeded, sqlite_template  # noqa: F401
