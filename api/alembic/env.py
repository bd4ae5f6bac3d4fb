"""Alembic environment: migrates the database named by DATABASE_URL (or -x url=...)."""

from __future__ import annotations

from alembic import context

import api.audio.models  # noqa: F401  (registers the audio clip table)
import api.auth.models  # noqa: F401  (registers the login throttle table on Base.metadata)
import api.cases.models  # noqa: F401  (registers the case tables on Base.metadata)
import api.directory.models  # noqa: F401  (registers the directory table)
import api.editor.models  # noqa: F401  (registers the content review table)
import api.feedback.helpful  # noqa: F401  (registers the anonymous helpful counts)
import api.outbox.models  # noqa: F401  (registers tables on Base.metadata)
import api.outbox.receipts  # noqa: F401  (registers the web chat receipts)
import api.privacy.models  # noqa: F401  (registers the privacy tables on Base.metadata)
from api.core.config import get_settings
from api.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    """`-x url=...` wins over an explicit connection, which wins over the settings."""
    return context.get_x_argument(as_dictionary=True).get("url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
