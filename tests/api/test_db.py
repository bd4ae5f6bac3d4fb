"""The SQLite engine's settings: shared by several processes, erased rows overwritten, commits not waiting for the disk."""

from __future__ import annotations

import asyncio
import contextvars
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from api import db
from api.db import in_database_thread, make_engine

NORMAL = 1  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


def test_a_sqlite_connection_writes_ahead_and_syncs_only_at_checkpoints(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == NORMAL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def _rounds_at_once(url: str, rounds: int = 12) -> tuple[int, set[int], list[str]]:
    """Run `rounds` database rounds concurrently through `in_database_thread`: the most seen at once,
    the threads they ran on, and the value of a context variable each one saw."""
    seen_at_once, running, threads = 0, 0, set()
    lock = threading.Lock()
    request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
    engine = make_engine(url)

    def round_of_work(session: Session, number: int) -> str:
        nonlocal seen_at_once, running
        with lock:
            running += 1
            seen_at_once = max(seen_at_once, running)
            threads.add(threading.get_ident())
        session.execute(text("SELECT 1"))
        time.sleep(0.02)  # long enough for every other round to start, were they allowed to
        with lock:
            running -= 1
        return f"{number}:{request_id.get()}"

    async def one(number: int) -> str:
        request_id.set(f"r{number}")
        with Session(engine) as session:
            return await in_database_thread(round_of_work, session, number)

    async def every() -> list[str]:
        return list(await asyncio.gather(*(one(n) for n in range(rounds))))

    try:
        seen = asyncio.run(every())
    finally:
        engine.dispose()
    return seen_at_once, threads, seen


def test_on_sqlite_the_rounds_of_database_work_run_one_after_the_other_on_one_thread(tmp_path: Path) -> None:
    # Twenty turns racing for SQLite's one write lock slept in its busy handler (api/db.py).
    at_once, threads, seen = _rounds_at_once(f"sqlite:///{tmp_path / 'app.db'}")
    assert at_once == 1 and len(threads) == 1
    assert seen == [f"{n}:r{n}" for n in range(12)]  # each round sees its own request's context


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs TEST_DATABASE_URL")
def test_on_postgresql_they_run_side_by_side_in_the_thread_pool() -> None:
    at_once, threads, seen = _rounds_at_once(os.environ["TEST_DATABASE_URL"])
    assert at_once > 1 and len(threads) > 1
    assert seen == [f"{n}:r{n}" for n in range(12)]


def test_a_round_on_sqlite_leaves_no_transaction_open_behind_it(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # Left open across the request's next `await`, a transaction would hold a connection (and a write
    # lock) that only a round queued behind it on the same thread could give back.
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (text TEXT)"))

    def read(session: Session) -> int:
        return int(session.execute(text("SELECT count(*) FROM note")).scalar_one())

    def write_and_forget_to_commit(session: Session) -> None:
        session.execute(text("INSERT INTO note VALUES ('kept')"))

    async def rounds() -> tuple[bool, bool]:
        with Session(engine) as session:
            await in_database_thread(read, session)
            after_read = session.in_transaction()
            await in_database_thread(write_and_forget_to_commit, session)
            return after_read, session.in_transaction()

    try:
        assert asyncio.run(rounds()) == (False, False)
        with engine.connect() as connection:  # the forgotten write was committed, not lost
            assert connection.execute(text("SELECT text FROM note")).scalars().all() == ["kept"]
    finally:
        engine.dispose()
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == ["database_round_left_open"]


def test_a_hot_routes_session_is_closed_without_a_round_unless_a_transaction_is_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setattr(db, "get_sessionmaker", lambda: sessionmaker(bind=engine, expire_on_commit=False))
    rounds: list[str] = []

    async def counted(function, session, *args, **kwargs):  # type: ignore[no-untyped-def]
        rounds.append(function.__name__)
        return await in_database_thread(function, session, *args, **kwargs)

    monkeypatch.setattr(db, "in_database_thread", counted)

    def read(session: Session) -> int:
        return int(session.execute(text("SELECT 1")).scalar_one())

    async def request(leave_open: bool) -> int:
        dependency = db.session_on_the_loop()
        session = await anext(dependency)
        await db.in_database_thread(read, session)  # a round ends its transaction
        if leave_open:
            session.execute(text("SELECT 1"))  # work done outside a round keeps its transaction
        with pytest.raises(StopAsyncIteration):
            await anext(dependency)
        return engine.pool.checkedout()  # type: ignore[attr-defined]

    try:
        assert asyncio.run(request(leave_open=False)) == 0
        assert rounds == ["read"]
        assert asyncio.run(request(leave_open=True)) == 0
        assert rounds == ["read", "read", "close"]
    finally:
        engine.dispose()
