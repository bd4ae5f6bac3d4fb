"""Load benchmark: concurrent multi-turn conversations through the web chat API, with turn latency and CPU per process.

Start a profile first (`make run` or `make run PROFILE=production`), then:

    .venv-app/bin/python bench/conversations.py --profile development
    .venv-app/bin/python bench/conversations.py --profile production --concurrency 20 --think 0

Each simulated person runs a realistic script in one language (fr, ar, ary, en, wo, ln): a greeting,
a rights question, a town, a service search, thanks; every fourth conversation asks for a person
and answers the escalation form by pressing the buttons it is sent. Persons loop over new
conversations for `--seconds` per run, with no think time or with a think time between turns
(drawn around its mean and with staggered starts, `Thinking`; `--think-spread 0` for fixed pauses).
It prints turns/s, p50/p95/p99 per turn, errors, and the CPU milliseconds per turn of each
process of the profile (read with psutil from the supervisord that runs them); `--json` saves it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"MS-[2-9A-Z]{6}")

# What people write, per language (the towns are in data/towns.yml; the phrasing follows bot/data/nlu).
SCRIPTS: dict[str, list[str]] = {
    "fr": ["bonjour", "je n'ai pas de papiers, est-ce que j'ai le droit de me soigner au centre de santé ?",
           "les soins sont gratuits pour les migrants ?", "où est le centre de santé le plus proche ?",
           "je suis à Oujda", "merci beaucoup"],
    "en": ["hello", "I have no papers, am I allowed to get treated at the health centre?",
           "where is the nearest health centre?", "I am in Rabat", "thank you", "bye"],
    "ar": ["السلام عليكم", "ليست لدي بطاقة إقامة، هل يحق لي العلاج في المركز الصحي؟",
           "أين يوجد أقرب مركز صحي؟", "أنا في وجدة", "شكرا"],
    "ary": ["salam", "ma3endich lwra9, wach nqder ntdawa f sbitar?", "fin kayn a9rab centre de santé?",
            "ana f wjda", "choukran"],
    "wo": ["na nga def", "ndax dinaa fey ci opitaal bi", "fan la opitaal bi nekk", "Dakhla", "jërëjëf"],
    "ln": ["mbote", "nakofuta na lopitalo", "matondo", "tokomonana"],
}
ASK_A_PERSON = {"fr": "je veux parler à quelqu'un", "en": "I want to talk to a real person",
                "ar": "أريد التحدث مع شخص حقيقي", "ary": "bghit nhder m3a chi wa7ed",
                "wo": "bëgg naa wax ak nit", "ln": "je veux parler à quelqu'un"}
TOWN = {"fr": "Oujda", "en": "Oujda", "ar": "وجدة", "ary": "wjda", "wo": "Oujda", "ln": "Oujda"}
LANGUAGES = tuple(SCRIPTS)
ESCALATE_EVERY = 4
MAX_FORM_STEPS = 14
CHAT_CONTACT = '"contact_mode": "chat"'


@dataclass
class Turn:
    """One message and what came of it."""

    text: str
    status: int
    seconds: float
    replies: list[dict] = field(default_factory=list)
    error: str = ""

    @property
    def answered(self) -> bool:
        return self.status == 200 and bool(self.replies)


class Person:
    """Someone typing in the web chat: one token (one conversation), every turn recorded."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, language: str) -> None:
        self.client, self.base_url, self.language = client, base_url.rstrip("/"), language
        self.token = uuid.uuid4().hex
        self.conversation_id = ""
        self.turns: list[Turn] = []

    async def say(self, text: str) -> Turn:
        started = time.perf_counter()
        try:
            response = await self.client.post(f"{self.base_url}/chat/api/messages",
                                              json={"token": self.token, "text": text,
                                                    "client_message_id": uuid.uuid4().hex})
            turn = Turn(text, response.status_code, time.perf_counter() - started)
            if response.status_code == 200:
                body = response.json()
                self.conversation_id = body["conversation_id"]
                turn.replies = body["replies"]
            else:
                turn.error = f"http_{response.status_code}"
        except httpx.HTTPError as exc:
            turn = Turn(text, 0, time.perf_counter() - started, error=type(exc).__name__)
        self.turns.append(turn)
        return turn


@dataclass
class Thinking:
    """How long a person pauses before each message: `mean` seconds, spread evenly by ±`spread`·mean.

    People do not type in step: with a fixed pause and a common start, 50 persons would send
    their messages within the same few milliseconds every `mean` seconds, a burst no real
    audience makes. So each pause is drawn from [mean·(1−spread), mean·(1+spread)] (mean kept), and
    each person starts after a pause drawn from [0, mean). `spread=0` keeps the fixed, common
    pause (the lockstep case). Seeded: two runs draw the same pauses.
    """

    mean: float
    spread: float = 0.5
    draws: random.Random = field(default_factory=lambda: random.Random(15))

    def pause(self) -> float:
        if not self.mean:
            return 0.0
        return self.mean * (1 + self.spread * self.draws.uniform(-1.0, 1.0))

    def start(self) -> float:
        return self.draws.uniform(0.0, self.mean) if self.spread else 0.0


async def escalate(person: Person, think: Thinking) -> str | None:
    """Ask for a person and answer the form; returns the case reference the assistant gave, if any."""
    turn = await person.say(ASK_A_PERSON[person.language])
    consented, town_given = False, None
    for _ in range(MAX_FORM_STEPS):
        if not turn.answered:
            return None
        texts = " ".join(r.get("text") or "" for r in turn.replies)
        found = REFERENCE.search(texts)
        if found:
            return found.group(0)
        buttons = [b["payload"] for r in turn.replies for b in r.get("buttons") or []]
        answer: str | None
        if any(CHAT_CONTACT in b for b in buttons):
            answer = next(b for b in buttons if CHAT_CONTACT in b)
        elif "/affirm" in buttons:
            answer = "/deny" if consented else "/affirm"
            consented = True
        elif buttons:
            answer = buttons[0]
        elif town_given is None:
            answer = town_given = TOWN[person.language]
        else:
            return None
        if think.mean:
            await asyncio.sleep(think.pause())
        turn = await person.say(answer)
    return None


async def converse(person: Person, number: int, think: Thinking) -> str | None:
    """One whole conversation; every ESCALATE_EVERY-th one ends with an escalation."""
    reference = None
    for step, text in enumerate(SCRIPTS[person.language]):
        if step and think.mean:
            await asyncio.sleep(think.pause())
        await person.say(text)
        if step == 1 and number % ESCALATE_EVERY == ESCALATE_EVERY - 1:
            if think.mean:
                await asyncio.sleep(think.pause())
            reference = await escalate(person, think)
    return reference


async def run_load(base_url: str, concurrency: int, think: Thinking, seconds: float) -> list[Person]:
    """`concurrency` persons each starting new conversations until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    people: list[Person] = []
    limits = httpx.Limits(max_connections=concurrency + 5, max_keepalive_connections=concurrency + 5)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        async def loop(slot: int, start: float) -> None:
            number = slot
            await asyncio.sleep(start)
            while time.monotonic() < deadline:
                person = Person(client, base_url, LANGUAGES[number % len(LANGUAGES)])
                people.append(person)
                await converse(person, number, think)
                number += concurrency
        await asyncio.gather(*(loop(slot, think.start()) for slot in range(concurrency)))
    return people


def supervised_processes(conf: Path) -> dict[str, psutil.Process]:
    """Program name → process, from the supervisord of the running profile."""
    out = subprocess.run([str(ROOT / ".venv-app" / "bin" / "supervisorctl"), "-c", str(conf), "status"],
                         capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        match = re.match(r"^(\S+)\s+RUNNING\s+pid (\d+)", line)
        if match:
            found[match.group(1).split(":")[-1]] = psutil.Process(int(match.group(2)))
    return found


def cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU time of a process and its children."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def service_cpu(names: tuple[str, ...] = ("postgres", "redis-server")) -> dict[tuple[str, int], float]:
    """CPU seconds of each process of the shared database servers, by (name, pid).

    Every user of the machine counts here. Compared by pid between two readings, so a backend that
    ended meanwhile (another user's connection) does not make the difference negative.
    """
    totals: dict[tuple[str, int], float] = {}
    for p in psutil.process_iter(["name", "cpu_times"]):
        name = p.info["name"] or ""
        for wanted in names:
            if name.startswith(wanted) and p.info["cpu_times"] is not None:
                totals[(wanted, p.pid)] = p.info["cpu_times"].user + p.info["cpu_times"].system
    return totals


def service_cpu_used(before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]) -> dict[str, float]:
    """CPU seconds per shared service between two readings (processes alive at the second one)."""
    used: dict[str, float] = defaultdict(float)
    for (name, pid), seconds in after.items():
        used[name] += seconds - before.get((name, pid), 0.0)
    return dict(used)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def measure(base_url: str, conf: Path, concurrency: int, think: float, seconds: float, spread: float = 0.5) -> dict:
    """One run: the load, then its latency and CPU figures."""
    processes = supervised_processes(conf)
    before = {name: cpu_seconds(p) for name, p in processes.items()}
    services_before = service_cpu()
    started = time.perf_counter()
    people = asyncio.run(run_load(base_url, concurrency, Thinking(think, spread), seconds))
    elapsed = time.perf_counter() - started
    after = {name: cpu_seconds(p) for name, p in processes.items()}
    services_after = service_cpu()
    turns = [t for person in people for t in person.turns]
    ok = [t.seconds for t in turns if t.answered]
    cpu = {name: (after[name] - before[name]) * 1000 / max(len(ok), 1) for name in processes if name in after}
    cpu.update({f"{name} (shared)": seconds * 1000 / max(len(ok), 1)
                for name, seconds in service_cpu_used(services_before, services_after).items()})
    return {"concurrency": concurrency, "think_seconds": think, "think_spread": spread if think else 0.0,
            "seconds": round(elapsed, 1),
            "conversations": len(people), "turns": len(turns), "answered": len(ok),
            "errors": len(turns) - len(ok),
            "error_kinds": dict(Counter(t.error or "no_reply" for t in turns if not t.answered)),
            "turns_per_second": round(len(ok) / elapsed, 2),
            "p50_ms": round(percentile(ok, 50) * 1000), "p95_ms": round(percentile(ok, 95) * 1000),
            "p99_ms": round(percentile(ok, 99) * 1000),
            "cpu_ms_per_turn": {k: round(v, 1) for k, v in sorted(cpu.items())}}


def print_run(profile: str, run: dict) -> None:
    spread = f"±{run['think_spread']:.0%}" if run.get("think_spread") else ""
    print(f"{profile:<11} conc={run['concurrency']:<3} think={run['think_seconds']:<3}{spread:<5} "
          f"turns={run['answered']:<5} {run['turns_per_second']:6.1f} turns/s  p50={run['p50_ms']:>5} ms  "
          f"p95={run['p95_ms']:>5} ms  p99={run['p99_ms']:>5} ms  errors={run['errors']}"
          + (f" {run['error_kinds']}" if run["errors"] else ""))
    print("            CPU ms/turn: " + "  ".join(f"{k}={v}" for k, v in run["cpu_ms_per_turn"].items()))
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("development", "production"), default="development")
    parser.add_argument("--url", default="", help="the web chat's base URL (default http://127.0.0.1:$API_PORT)")
    parser.add_argument("--run-dir", type=Path, default=None, help="where the profile's supervisord.conf is")
    parser.add_argument("--concurrency", default="1,5,20,50", help="comma-separated numbers of persons")
    parser.add_argument("--think", default="0,2", help="comma-separated think times in seconds")
    parser.add_argument("--think-spread", type=float, default=0.5,
                        help="each pause drawn from think·(1±spread), starts staggered; 0: fixed pauses, common start")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each run")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    base_url = args.url or f"http://127.0.0.1:{os.environ.get('API_PORT', '8000')}"
    conf = (args.run_dir or ROOT / "var" / "run" / args.profile) / "supervisord.conf"
    try:
        ready = httpx.get(f"{base_url}/readyz", timeout=10)
    except httpx.HTTPError:
        ready = None
    if ready is None or ready.status_code != 200:
        print(f"bench/conversations.py: nothing ready at {base_url}; start `make run PROFILE={args.profile}` "
              "first (skipped)")
        return 0
    runs = []
    print(f"conversation load on the {args.profile} profile at {base_url}, {psutil.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    for think in (float(t) for t in args.think.split(",")):
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            run = measure(base_url, conf, concurrency, think, args.seconds, args.think_spread)
            runs.append(run)
            print_run(args.profile, run)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"profile": args.profile, "runs": runs}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
