"""Start the production profile on free ports (its own PostgreSQL schema and Redis prefix), load it, stop it.

    .venv-app/bin/python bench/production_load.py --database-url postgresql://postgres@127.0.0.1:5432/bench \\
        --redis-url redis://127.0.0.1:6379/6 -- --concurrency 1,5,20,50 --think 0,2 --seconds 20

The arguments after `--` go to bench/conversations.py (`--profile production` is implied). It is
the end-to-end tests' production stack (2 Rasa, 2 API workers, 2 action servers, the worker,
HAProxy, under supervisord), so nothing of a running `make run` is touched.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.production import ProductionStack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- then bench/conversations.py arguments")
    args = parser.parse_args()
    rest = [a for a in args.rest if a != "--"]
    with tempfile.TemporaryDirectory(prefix="bench-production-") as workdir:
        stack = ProductionStack(Path(workdir), args.database_url, args.redis_url)
        try:
            stack.start()
            return subprocess.run([sys.executable, str(ROOT / "bench" / "conversations.py"), "--profile", "production",
                                   "--url", stack.api_url, "--run-dir", str(Path(workdir) / "run"), *rest]).returncode
        finally:
            stack.stop()


if __name__ == "__main__":
    raise SystemExit(main())
