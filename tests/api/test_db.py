"""The SQLite engine's settings: shared by several processes, erased rows overwritten, commits not waiting for the disk."""

from __future__ import annotations

from pathlib import Path

from api.db import make_engine

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
