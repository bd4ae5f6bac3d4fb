"""Rasa's SQLite tracker store made cheap per turn: write-ahead log, no sync per commit, kept connections.

Development and the tests keep Rasa's conversations in a SQLite file (bot/endpoints.yml). Rasa 3.6
opens it with SQLite's defaults and SQLAlchemy 1.4's: a rollback journal, so every save (one or
more per turn) writes and syncs a journal and the database file, on Rasa's event loop, where every
other conversation waits for it; and no connection pool, so every read and every save opens the
file again and parses its schema. Measured with py-spy under load, the tracker store was about a
third of Rasa's time per turn.

`install()` (called by `python -m botserver` before Rasa starts) gives Rasa's SQLite engines a
pool of kept connections, and each connection `journal_mode=WAL` with `synchronous=NORMAL`: a
commit survives any process crash (a kill -9 of Rasa included); only a power cut can lose the last
turns, and never corrupts the file. The API's erasure already checkpoints the log after deleting
(api/gateways/bot_history.py). PostgreSQL (the production profile) is left as Rasa configures it.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, Text, Union

import rasa.core.tracker_store as tracker_store
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import QueuePool

original_engine_kwargs = tracker_store.create_engine_kwargs
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def is_sqlite(url: Union[Text, URL]) -> bool:
    """Whether an engine URL is a SQLite database."""
    return bool(make_url(url).get_backend_name() == "sqlite")


def engine_kwargs(url: Union[Text, URL]) -> Dict[Text, Any]:
    """Rasa's engine arguments; for SQLite a pool of connections any thread may use (Rasa's loop, its executors)."""
    if not is_sqlite(url):
        return dict(original_engine_kwargs(url))
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Each new SQLite connection of this process writes ahead and syncs only at checkpoints."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def install() -> None:
    """Make this process's Rasa open SQLite tracker stores as described above."""
    tracker_store.create_engine_kwargs = engine_kwargs
    if not event.contains(Engine, "connect", set_pragmas):
        event.listen(Engine, "connect", set_pragmas)
