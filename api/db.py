"""Database engine, session factory and the declarative base shared by every model module."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from api.core.config import get_settings


class Base(DeclarativeBase):
    """Declarative base of every table; Alembic reads its metadata."""


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE through `session`; how many rows it changed (a claim that lost the race: 0)."""
    # Session.execute is typed as returning a plain Result; an UPDATE or DELETE gives a CursorResult.
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain PostgreSQL URLs (what users usually write)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def restrict_to_owner(database_file: str) -> None:
    """Make a SQLite file and its WAL and shared-memory files readable by their owner only."""
    for path in (database_file, f"{database_file}-wal", f"{database_file}-shm"):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            os.chmod(path, 0o600)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout so several processes share it.

    `synchronous=NORMAL` is SQLite's recommended setting in WAL mode: a commit no longer waits for
    the disk (the log is synced at checkpoints), it survives any crash of a process, and only a power
    cut may lose the last commits, never corrupt the file. With the default (FULL) every commit of
    a web chat turn waited for a sync.

    `secure_delete` makes SQLite overwrite deleted rows with zeros instead of leaving them in free
    pages, so an erased text is not still readable in the file (the WAL is checkpointed after an
    erasure: `checkpoint_wal`).

    Statement parameters never appear in logs or error messages (`hide_parameters`): they hold emails,
    password hashes and message texts.
    """
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        database_file = engine.url.database

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()
            if database_file and database_file != ":memory:":
                restrict_to_owner(database_file)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


def checkpoint_wal(engine: Engine) -> bool:
    """Copy SQLite's write-ahead log into the database and empty it (TRUNCATE); True when it fully did.

    After an erasure the WAL still holds the pages as they were before; until it is checkpointed
    the deleted texts are in the -wal file. Other connections reading at that moment make SQLite
    answer "busy": the caller tries again later. Other databases have nothing to do here.
    """
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _log_frames, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    return not busy


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    """The process-wide session factory."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, closed afterwards."""
    with get_sessionmaker()() as session:
        yield session
