"""Supervisor board and queue search on a busy association: prints milliseconds per call (median, p95).

Usage: .venv-app/bin/python bench/supervisor_board.py [--cases 3000] [--operators 40] [--repeat 30]
A throw-away SQLite file (or DATABASE_URL when given), migrated with Alembic; half the cases wait,
the rest are held by the operators, spread over levels, languages and towns.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import sessionmaker  # noqa: E402

from api.cases.board import supervisor_board  # noqa: E402
from api.cases.models import Association, Case, Operator, Queue, utcnow  # noqa: E402
from api.cases.search import CaseFilter, search_cases  # noqa: E402
from api.cases.service_levels import sla_targets  # noqa: E402
from api.cases.triage import BASE_PRIORITY, LEVELS  # noqa: E402
from api.cases.workflow import list_open_cases  # noqa: E402
from api.core.config import get_settings  # noqa: E402
from api.db import make_engine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def seed(factory: sessionmaker, cases: int, operators: int) -> tuple[int, Operator]:  # type: ignore[type-arg]
    """One association, one queue, `operators` accounts and `cases` cases."""
    rng = random.Random(14)
    with factory() as session:
        association = Association(name="Bench")
        session.add(association)
        session.flush()
        queue = Queue(association_id=association.id, name="Bench", cities=["oujda"], is_default=True)
        session.add(queue)
        staff = [Operator(email=f"op{i}@example.org", hashed_password="x", role="operator",
                          association_id=association.id, languages=["fr"]) for i in range(operators)]
        session.add_all(staff)
        session.flush()
        now = utcnow()
        for n in range(cases):
            level = rng.choice(LEVELS)
            held = n % 2 == 1
            session.add(Case(reference=f"MS-B{n:06d}", idempotency_key=f"bench-{n}", queue_id=queue.id,
                             conversation_id=f"c-{n}", channel="tg", language=rng.choice(["fr", "ar", "wo", "en"]),
                             topic="other", city=rng.choice(["Oujda", "Berkane", "Nador"]), triage_level=level,
                             base_priority=BASE_PRIORITY[level], status="claimed" if held else "queued",
                             assigned_operator_id=staff[n % operators].id if held else None,
                             created_at=now - timedelta(minutes=rng.uniform(0, 600)),
                             claimed_at=now - timedelta(minutes=rng.uniform(0, 60)) if held else None))
        session.commit()
        return association.id, staff[0]


def timed(label: str, repeat: int, call) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    print(f"{label:<38} median {statistics.median(samples):7.1f} ms   p95 {samples[int(len(samples) * .95) - 1]:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--operators", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "api" / "alembic"))
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
    command.upgrade(config, "head")
    factory = sessionmaker(make_engine(url), expire_on_commit=False)
    association_id, operator = seed(factory, args.cases, args.operators)
    targets = sla_targets(get_settings())
    print(f"{args.cases} cases ({args.cases // 2} waiting), {args.operators} operators, {url.split(':')[0]}")
    with factory() as session:
        operator = session.get(Operator, operator.id)
        timed("supervisor board", args.repeat, lambda: supervisor_board(session, association_id, targets))
        timed("queue (open cases, no filter)", args.repeat, lambda: search_cases(session, operator, CaseFilter()))
        timed("queue before filters (list_open_cases)", args.repeat, lambda: list_open_cases(session, operator))
        timed("queue filtered (language + level)", args.repeat,
              lambda: search_cases(session, operator, CaseFilter(language="wo", level="violence")))
        timed("search all statuses by reference", args.repeat,
              lambda: search_cases(session, operator, CaseFilter(status="all", reference="MS-B0012")))


if __name__ == "__main__":
    main()
