"""The referral backend's database and client fixtures, for the HTTP checks of the shared inputs."""

from tests.api.cases.fixtures import client, factory, postgres_url, seeded, sqlite_template  # noqa: F401
