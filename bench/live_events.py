"""Cost of open operator consoles: API CPU and a plain request's latency with N live-event streams connected.

Against a running `make run` (development profile), with an operator account:

    .venv-app/bin/python bench/live_events.py --email admin@example.org --password '…' --streams 0,20,50
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]


def api_process(conf: Path) -> psutil.Process:
    out = subprocess.run([str(ROOT / ".venv-app" / "bin" / "supervisorctl"), "-c", str(conf), "pid", "api"],
                         capture_output=True, text=True).stdout.strip()
    return psutil.Process(int(out))


async def measure(url: str, cookies: httpx.Cookies, streams: int, process: psutil.Process, seconds: float) -> str:
    opened = []
    async with httpx.AsyncClient(cookies=cookies, timeout=httpx.Timeout(30, read=None),
                                 limits=httpx.Limits(max_connections=streams + 10)) as client:
        async def stream() -> None:
            async with client.stream("GET", f"{url}/api/v1/events") as response:
                opened.append(response.status_code)
                async for _ in response.aiter_lines():
                    pass
        tasks = [asyncio.create_task(stream()) for _ in range(streams)]
        while len(opened) < streams:
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        before, started = sum(process.cpu_times()[:2]), time.monotonic()
        latencies = []
        while time.monotonic() - started < seconds:
            t0 = time.perf_counter()
            await client.get(f"{url}/healthz")
            latencies.append((time.perf_counter() - t0) * 1000)
            await asyncio.sleep(0.2)
        used = (sum(process.cpu_times()[:2]) - before) / (time.monotonic() - started)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return (f"{streams:3} console streams: API CPU {used * 1000:6.1f} ms/s, /healthz p50 "
            f"{statistics.median(latencies):6.1f} ms, max {max(latencies):7.1f} ms, answers: "
            f"{dict(Counter(opened))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--streams", default="0,20,50")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "run" / "development")
    args = parser.parse_args()
    login = httpx.post(f"{args.url}/api/v1/auth/login", json={"email": args.email, "password": args.password},
                       timeout=30)
    login.raise_for_status()
    process = api_process(args.run_dir / "supervisord.conf")
    for streams in (int(n) for n in args.streams.split(",")):
        print(asyncio.run(measure(args.url, login.cookies, streams, process, args.seconds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
