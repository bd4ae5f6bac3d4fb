"""CPU of the API per NLG call: Rasa's `POST /nlg` requests sent to a running API, the API process's CPU measured.

Start a profile first (`make run`), then:

    .venv-app/bin/python bench/nlg_calls.py --calls 2000 --concurrency 4

Each call is the body Rasa 3.6 posts for one uttered response (the lean request of
botserver/nlg_request.py), alternating French and Wolof (Wolof falls back to French and asks
whether an operator on duty speaks it). It prints calls/s and the API's CPU milliseconds per call
(psutil, from the supervisord that runs the profile).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conversations import ROOT, cpu_seconds, supervised_processes  # noqa: E402

RESPONSES = ("utter_greet", "utter_rights_free_care", "utter_help_menu", "utter_thank")


def rasa_body(number: int) -> dict:
    """What Rasa posts for one response, without the event history."""
    language = ("fr", "wo")[number % 2]
    return {"response": RESPONSES[number % len(RESPONSES)], "id": None, "arguments": {},
            "tracker": {"sender_id": f"web-bench{number % 50}", "slots": {"language": language},
                        "latest_message": {"intent": {"name": "greet"}, "text": "..."}, "active_loop": {},
                        "latest_action_name": "action_listen"},
            "channel": {"name": "rest"}}


async def send(base_url: str, token: str, calls: int, concurrency: int) -> int:
    """`calls` NLG requests from `concurrency` senders; returns how many were answered 200."""
    answered = 0
    async with httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30) as client:
        async def sender(slot: int) -> None:
            nonlocal answered
            for number in range(slot, calls, concurrency):
                response = await client.post("/nlg", json=rasa_body(number))
                answered += response.status_code == 200
        await asyncio.gather(*(sender(slot) for slot in range(concurrency)))
    return answered


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('API_PORT', '8000')}")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "run" / "development")
    args = parser.parse_args()
    token = os.environ.get("NLG_TOKEN") or _token_from_env_file()
    api = supervised_processes(args.run_dir / "supervisord.conf").get("api")
    if api is None:
        print("bench/nlg_calls.py: no running API under supervisord; start `make run` first (skipped)")
        return 0
    before, started = cpu_seconds(api), time.perf_counter()
    answered = asyncio.run(send(args.url, token, args.calls, args.concurrency))
    elapsed, used = time.perf_counter() - started, cpu_seconds(api) - before
    print(f"/nlg: {answered}/{args.calls} answered, {answered / elapsed:.0f} calls/s, "
          f"API CPU {used * 1000 / max(answered, 1):.2f} ms per call (load average {os.getloadavg()[0]:.1f})")
    return 0


def _token_from_env_file() -> str:
    """NLG_TOKEN from the laptop's .env (scripts/make_env.py writes it), else the development default."""
    from dotenv import dotenv_values

    return dotenv_values(ROOT / ".env").get("NLG_TOKEN") or "dev-only-nlg-token"


if __name__ == "__main__":
    sys.exit(main())
