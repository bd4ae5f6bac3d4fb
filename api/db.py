"""Database engine, session factory and the declarative base shared by every model module."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.core.config import get_settings
from api.core.logging import log_event

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


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
        # Never a wait for a pooled connection (max_overflow=-1): a request holds at most one, and
        # SQLite's are cheap; a bounded pool made the rounds on the SQLite thread wait for
        # connections that only a later round in the same line would give back.
        in_a_file = make_url(url).database not in (None, "", ":memory:")  # an in-memory one has a pool of its own
        pooling: dict[str, Any] = {"pool_size": 10, "max_overflow": -1} if in_a_file else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True,
                               **pooling)
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


async def session_on_the_loop() -> AsyncIterator[Session]:
    """`get_session` for the hot `async` routes (the web chat's message): made on the event loop (no
    connection is taken before the first query), closed with the request's last database round.

    A plain generator dependency costs two thread-pool rounds per request, to open and to close.
    A session whose rounds all ran through `in_database_thread` holds no connection at the end (each
    round ends its transaction): it is closed right here, which touches no database.
    """
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        if session.in_transaction():
            await in_database_thread(Session.close, session)
        else:
            session.close()


@lru_cache
def _sqlite_thread() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")


async def in_database_thread(function: Callable[Concatenate[Session, P], T], session: Session,
                             *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `function(session, ...)`, a round of blocking database work, off the event loop.

    On SQLite every such round of the process runs on one thread, one after the other. SQLite
    takes one writer at a time anyway; with the shared thread pool, twenty turns raced for its
    lock, the losers slept in its busy handler (1, 2, 5, 10 ... ms), and the winner, preempted by
    the other threads at each GIL switch, held the lock the whole while: measured under 20
    concurrent web chat conversations, 8.8 ms of waiting per turn inside SQLite's execute for
    about 1 ms of work. In order on one thread, no turn waits on another turn's lock (the
    console's requests still use the pool; they are few). Other databases take
    writers side by side: the shared thread pool.
    """
    if session.get_bind().dialect.name != "sqlite":
        return await run_in_threadpool(function, session, *args, **kwargs)
    context = contextvars.copy_context()

    def call() -> T:
        return context.run(lambda: _round(function, session, *args, **kwargs))

    return await asyncio.get_running_loop().run_in_executor(_sqlite_thread(), call)


def _round(function: Callable[Concatenate[Session, P], T], session: Session, *args: P.args, **kwargs: P.kwargs) -> T:
    """One round on the SQLite thread, which leaves no transaction open behind it.

    The next round of the same request waits in the same line: a transaction left open across the
    request's `await` (a read's snapshot, or worse a write lock) would make every round after it
    wait for it, and itself wait behind them. A read-only leftover is ended here (a commit with
    nothing to write only gives the connection back); a round that wrote without committing is a
    bug, committed here too so nothing waits 30 s, and logged by the function's name.
    """
    result = function(session, *args, **kwargs)
    if session.in_transaction():
        wrote = bool(session.new or session.dirty or session.deleted)
        raw = session.connection().connection.dbapi_connection
        wrote = wrote or bool(getattr(raw, "in_transaction", False))
        session.commit()
        if wrote:
            log_event(logger, "database_round_left_open", logging.ERROR, function=function.__name__)
    return result
