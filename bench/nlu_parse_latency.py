"""Prints the NLU parse latency (p50/p95/p99, ms) of a trained model over held-out and training messages.

    .venv-bot/bin/python bench/nlu_parse_latency.py --model bot/models/current.tar.gz [--n 500]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def sample_messages(n: int, seed: int = 7) -> List[str]:
    """n messages drawn from the held-out and training NLU files of every language."""
    from rasa.shared.nlu.training_data.loading import load_data

    texts: List[str] = []
    for folder in (ROOT / "bot" / "eval" / "nlu", ROOT / "bot" / "data" / "nlu"):
        for path in sorted(folder.glob("*.yml")):
            texts.extend(m.get("text") for m in load_data(str(path)).intent_examples)
    if not texts:
        raise SystemExit("no NLU examples found under bot/eval/nlu or bot/data/nlu")
    rng = random.Random(seed)
    return [rng.choice(texts) for _ in range(n)]


async def measure(model: Path, messages: List[str], warmup: int) -> List[float]:
    """Milliseconds per `parse_message` call, one message at a time as the server does."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    for text in messages[:warmup]:
        await agent.parse_message(text)
    timings = []
    for text in messages:
        started = time.perf_counter()
        await agent.parse_message(text)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: List[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    timings = asyncio.run(measure(args.model, sample_messages(args.n), args.warmup))
    print(f"nlu parse latency over {len(timings)} messages (ms): "
          f"p50={percentile(timings, 50):.1f} p95={percentile(timings, 95):.1f} "
          f"p99={percentile(timings, 99):.1f} mean={statistics.mean(timings):.1f} max={max(timings):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
