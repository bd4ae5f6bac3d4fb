"""A migrated throw-away database for app-side tests, with the settings and caches pointed at it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.orm import Session, sessionmaker

from api.core.config import PROJECT_ROOT, get_settings
from api.db import get_engine, get_sessionmaker


def reset_caches() -> None:
    """Forget settings, engine and session factory so the next use reads the environment again."""
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to the newest schema (or `revision`) with Alembic, as `make migrate` does."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "api" / "alembic"))
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
    command.upgrade(config, revision)


@contextmanager
def app_settings(env: dict[str, str]) -> Iterator[sessionmaker[Session]]:
    """Set `env` (DATABASE_URL and any other settings) and yield the app's session factory; restore them after."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_caches()
    try:
        yield get_sessionmaker()
    finally:
        get_engine().dispose()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        reset_caches()


@contextmanager
def migrated_sqlite(tmp_path: Path, **env: str) -> Iterator[sessionmaker[Session]]:
    """Point the app at a fresh SQLite file (plus any extra settings) for the duration of a test."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    with app_settings({"DATABASE_URL": url, **env}) as factory:
        migrate(url)
        yield factory
