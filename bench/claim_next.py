"""Claim-next under load: 50 operators claiming at once on PostgreSQL; prints throughput and latency percentiles.

Usage: .venv-app/bin/python bench/claim_next.py [--claimers 50] [--cases 3000] [--think-ms 0]
The database is DATABASE_URL or TEST_DATABASE_URL (default: local PostgreSQL, database `test`).
The run uses a throw-away schema, migrated with Alembic and dropped at the end. Each claim is
what one HTTP request does: a fresh session, `claim_next_case` (UPDATE ... WHERE id = (SELECT ...
FOR UPDATE SKIP LOCKED)), the audit row, the live event, the "operator connected" notice, commit.
Aim: p95 <= 30 ms.

The claimers are spread over `--processes` worker processes (default: one per core, at most 4),
as the API runs under several uvicorn workers; threads of one process share its GIL.

Two loads: `--think-ms 0` (default) has every claimer claim again at once, a saturation test
whose latency is mostly waiting for the others (Little's law: claimers / throughput); with
`--think-ms N` each claimer pauses a random time averaging N ms between claims, as operators
do, and the latency is that of a claim under that much concurrency.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.cases.models import Association, Case, Operator, Queue, utcnow  # noqa: E402
from api.cases.triage import BASE_PRIORITY  # noqa: E402
from api.cases.workflow import claim_next_case  # noqa: E402
from api.core.config import PROJECT_ROOT  # noqa: E402
from api.db import normalise_database_url  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
LEVEL_WEIGHTS = {"emergency": 2, "violence": 10, "vulnerable": 28, "other": 60}


def database_url() -> str:
    """The PostgreSQL server to measure on."""
    url = os.environ.get("DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    if not normalise_database_url(url).startswith("postgresql"):
        raise SystemExit("claim_next.py measures PostgreSQL: set DATABASE_URL or TEST_DATABASE_URL to one")
    return url


def migrate(url: str) -> None:
    """The newest schema, as `make migrate` builds it."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "api" / "alembic"))
    config.cmd_opts = type("Opts", (), {"x": [f"url={url}"]})()
    command.upgrade(config, "head")


def seed(factory: sessionmaker[Session], claimers: int, cases: int) -> list[int]:
    """One association and queue, `claimers` operators, `cases` queued cases of mixed levels and ages."""
    rng = random.Random(7)
    now = utcnow()
    with factory() as session:
        association = Association(name="Bench")
        session.add(association)
        session.flush()
        queue = Queue(association_id=association.id, name="Bench", cities=[], is_default=True)
        operators = [Operator(email=f"bench{i}@example.org", hashed_password="not-used", role="operator",
                              association_id=association.id, languages=["fr"]) for i in range(claimers)]
        session.add_all([queue, *operators])
        session.flush()
        levels = rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()), k=cases)
        session.add_all([
            Case(reference=f"B-{n:07d}", idempotency_key=str(uuid.uuid4()), queue_id=queue.id,
                 conversation_id=f"web-bench{n}", channel="web", language="fr", topic="other", city=None,
                 triage_level=level, base_priority=BASE_PRIORITY[level], triage_flags={}, status="queued",
                 consent=True, contact="chat", created_at=now - timedelta(minutes=rng.uniform(0, 600)))
            for n, level in enumerate(levels)])
        session.commit()
        return [operator.id for operator in operators]


def claim_in_threads(url: str, operator_ids: list[int], think_seconds: float, start: object,
                     results: object) -> None:
    """One worker process (like one uvicorn worker): a thread per operator, claiming until the queue is empty."""
    engine = create_engine(url, pool_size=len(operator_ids), max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    latencies: list[float] = []
    claimed: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def claimer(operator_id: int) -> None:
        rng = random.Random(operator_id)
        try:
            start.wait(timeout=120)  # type: ignore[attr-defined]
            while True:
                if think_seconds:
                    time.sleep(rng.expovariate(1 / think_seconds))
                began = time.perf_counter()
                with factory() as session:
                    case = claim_next_case(session, session.get(Operator, operator_id))
                elapsed = time.perf_counter() - began
                if case is None:
                    return
                with lock:
                    latencies.append(elapsed)
                    claimed.append(case.id)
        except BaseException as exc:  # reported by the parent
            errors.append(repr(exc))

    threads = [threading.Thread(target=claimer, args=(op,)) for op in operator_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    results.put((latencies, claimed, errors))  # type: ignore[attr-defined]


def run(url: str, operator_ids: list[int], processes: int,
        think_seconds: float = 0.0) -> tuple[list[float], list[int], float]:
    """Every operator claims until the queue is empty; returns latencies (s), claimed ids, wall time."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(operator_ids) + 1)
    results = context.Queue()
    workers = [context.Process(target=claim_in_threads,
                               args=(url, operator_ids[n::processes], think_seconds, start, results))
               for n in range(processes)]
    for worker in workers:
        worker.start()
    start.wait(timeout=120)
    began = time.perf_counter()
    latencies: list[float] = []
    claimed: list[int] = []
    for _ in workers:
        part_latencies, part_claimed, errors = results.get(timeout=600)
        if errors:
            raise SystemExit(f"a claimer failed: {errors[0]}")
        latencies += part_latencies
        claimed += part_claimed
    wall = time.perf_counter() - began
    for worker in workers:
        worker.join()
    return latencies, claimed, wall


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main() -> int:
    """Set up, measure, print, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claimers", type=int, default=50)
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause of a claimer between claims")
    parser.add_argument("--processes", type=int, default=min(4, os.cpu_count() or 1),
                        help="worker processes the claimers are spread over, as uvicorn --workers")
    args = parser.parse_args()
    base = normalise_database_url(database_url())
    schema = f"bench_claim_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    engine = create_engine(url, pool_size=2, max_overflow=0)
    try:
        migrate(url)
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        operator_ids = seed(factory, args.claimers, args.cases)
        # One connection per claimer in each worker, as an API deployment sized for them would have.
        latencies, claimed, wall = run(url, operator_ids, args.processes, args.think_ms / 1000)
        with factory() as session:
            still_queued = session.scalar(select(func.count()).select_from(Case).where(Case.status == "queued"))
        doubles = len(claimed) - len(set(claimed))
        ms = [value * 1000 for value in latencies]
        print(f"claim_next on PostgreSQL: {args.claimers} concurrent claimers, {args.cases} queued cases, "
              f"mean think time {args.think_ms:.0f} ms, {args.processes} worker processes")
        print(f"claimed={len(claimed)} double_claims={doubles} left_queued={still_queued}")
        print(f"throughput={len(claimed) / wall:.1f} claims/s wall={wall:.2f}s")
        print(f"latency_ms p50={statistics.median(ms):.1f} p95={percentile(ms, 0.95):.1f} "
              f"p99={percentile(ms, 0.99):.1f} max={max(ms):.1f}")
        print(f"target p95<=30ms: {'met' if percentile(ms, 0.95) <= 30 else 'NOT met'} "
              f"(cpu cores visible: {os.cpu_count()})")
        return 0 if doubles == 0 and still_queued == 0 else 1
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
