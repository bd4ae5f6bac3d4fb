"""The production profile on this machine: 2 Rasa, 2 API workers, 2 action servers, the worker, HAProxy, PostgreSQL, Redis.

Twenty people talk at once through the load balancer; their turns land on both Rasa instances.
Every tracker must hold exactly the turns each person sent, in order, each with the replies the
person got; every escalation must be one case; an operator connected to the second API worker
must see the cases opened through the first. Then a Rasa instance, an API worker and an action
server are killed with SIGKILL, one at a time, under load: each must come back by itself, every
accepted message must be answered and no case lost or doubled.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis

from api.core.config import get_settings
from api.gateways.responses import render_request_in, render_stored
from api.nlg.render import render_response
from bench.conversations import LANGUAGES, Person, Thinking, converse
from tests.e2e.production import OPERATOR_EMAIL, OPERATOR_PASSWORD, ProductionStack
from tests.e2e.stack import SERVICE_TOKEN, ensure_model

pytestmark = [pytest.mark.slow, pytest.mark.production]

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
PEOPLE = 20


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except (redis.RedisError, ValueError):
        return False


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    if not DATABASE_URL.startswith("postgres") or not REDIS_URL or not redis_answers(REDIS_URL):
        pytest.skip("the production profile needs PostgreSQL and Redis: set TEST_DATABASE_URL=postgresql://… and "
                    "TEST_REDIS_URL=redis://… (CI sets both when the local servers answer)")
    ensure_model()
    stack = ProductionStack(workdir=tmp_path_factory.mktemp("production"), database_url=DATABASE_URL,
                            redis_url=REDIS_URL)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{stack.env()['RASA_LOCK_KEY_PREFIX']}:*"):
            client.delete(key)


class LiveEvents:
    """An operator's console stream (server-sent events) on one API worker, read in a thread."""

    def __init__(self, url: str, cookies: httpx.Cookies) -> None:
        self.events: list[tuple[str, dict]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, cookies), daemon=True)
        self._thread.start()
        assert self.connected.wait(15), "the console stream did not open"

    def _read(self, url: str, cookies: httpx.Cookies) -> None:
        with httpx.Client(cookies=cookies, timeout=httpx.Timeout(10, read=None)) as client:
            with client.stream("GET", f"{url}/api/v1/events") as response:
                response.raise_for_status()
                self.connected.set()
                kind = ""
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith("event:"):
                        kind = line.split(":", 1)[1].strip()
                    elif line.startswith("data:"):
                        self.events.append((kind, json.loads(line.split(":", 1)[1])))

    def case_ids(self, kind: str = "case_created") -> set[int]:
        return {payload["case_id"] for k, payload in list(self.events) if k == kind}

    def close(self) -> None:
        self._stop.set()


def operator_cookies(stack: ProductionStack) -> httpx.Cookies:
    """Log in through the load balancer, as the console does; the session is valid on every worker."""
    response = httpx.post(f"{stack.api_url}/api/v1/auth/login",
                          json={"email": OPERATOR_EMAIL, "password": OPERATOR_PASSWORD}, timeout=10)
    assert response.status_code == 200, response.text
    return response.cookies


def poll(condition, timeout: float, every: float = 0.5):  # type: ignore[no-untyped-def]
    """The condition's value once truthy, or its last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = condition()
    while not value and time.monotonic() < deadline:
        time.sleep(every)
        value = condition()
    return value


# Each person pauses 0–300 ms between messages, as people do: the order in which turns reach the
# balancer's round robin stays mixed, so a conversation's turns are served by both instances.
JITTER = Thinking(0.15, spread=1.0)


async def talk(base_url: str, people: int) -> list[tuple[Person, str | None]]:
    """`people` conversations at once, one each, in every language in turn; every fourth escalates."""
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=people + 5)) as client:
        persons = [Person(client, base_url, LANGUAGES[n % len(LANGUAGES)]) for n in range(people)]
        references = await asyncio.gather(*(converse(p, n, JITTER) for n, p in enumerate(persons)))
    return list(zip(persons, references, strict=True))


def bot_text(message: dict) -> str:
    """A bot message's text, as Rasa stored or sent it: its text, or the text of the response it names
    (Rasa leaves each response for the gateway to render, botserver/deferred_render.py)."""
    request = render_request_in(message.get("data") or message)
    rendered = render_stored(request, get_settings()) if request is not None else None
    return rendered.text if rendered is not None else (message.get("text") or "")


def tracker_turns(stack: ProductionStack, conversation_id: str) -> list[tuple[str, str]]:
    """Each user message in the stored tracker with the text of the bot messages that followed it."""
    response = httpx.get(f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
                         params={"include_events": "ALL", **stack.credentials("rasa")["params"]}, timeout=20)
    response.raise_for_status()
    turns: list[tuple[str, list[str]]] = []
    for event in response.json()["events"]:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns and bot_text(event):
            turns[-1][1].append(bot_text(event).strip())
    return [(text, "\n\n".join(bot)) for text, bot in turns]


def logged_turns(stack: ProductionStack, persons: list[Person]) -> dict[str, list[str]]:
    """The load balancer's log of which instance served each turn, once it has a line for every turn of
    these persons (HAProxy writes a request's line when it is over), or as it is after 10 s."""
    def complete() -> dict[str, list[str]] | None:
        served = stack.turns_served()
        logged = sum(len(served.get(person.conversation_id, [])) for person in persons)
        return served if logged >= sum(len(person.turns) for person in persons) else None

    return poll(complete, timeout=10) or stack.turns_served()


def reply_texts(replies: list[dict]) -> str:
    """A turn's replies as one text (Rasa's REST channel sends each paragraph and image as a message)."""
    return "\n\n".join(r["text"] for r in replies if r.get("text"))


def test_twenty_conversations_on_two_instances_keep_whole_trackers_one_case_each_and_reach_any_console(
        production: ProductionStack) -> None:
    stack = production
    console = LiveEvents(stack.instance_url("api", 2), operator_cookies(stack))
    try:
        results = asyncio.run(talk(stack.api_url, PEOPLE))

        unanswered = [(p.language, t.text, t.error) for p, _ in results for t in p.turns if not t.answered]
        assert not unanswered, unanswered
        for person, _ in results:
            sent = [(t.text, reply_texts(t.replies)) for t in person.turns]
            assert tracker_turns(stack, person.conversation_id) == sent, person.language

        served = logged_turns(stack, [person for person, _ in results])
        both = [p for p, _ in results if set(served.get(p.conversation_id, [])) == {"rasa-1", "rasa-2"}]
        for person, _ in results:
            assert len(served.get(person.conversation_id, [])) == len(person.turns), "a turn reached Rasa twice"
        pairs = [pair for p, _ in results for pair in zip(served[p.conversation_id], served[p.conversation_id][1:],
                                                            strict=False)]
        assert len(both) >= PEOPLE * 3 // 4, f"only {len(both)} conversations used both Rasa instances"
        assert sum(a != b for a, b in pairs) >= len(pairs) * 0.3, "turns did not alternate between instances"

        escalated = [(p, ref) for n, (p, ref) in enumerate(results) if n % 4 == 3]
        assert all(ref for _, ref in escalated), [p.language for p, ref in escalated if not ref]
        case_ids = []
        for person, reference in escalated:
            assert stack.count("SELECT count(*) FROM hotline_case WHERE conversation_id = :c",
                               c=person.conversation_id) == 1
            case_ids.append(stack.count("SELECT id FROM hotline_case WHERE reference = :r", r=reference))
        # No other conversation of this run opened a case (counted by conversation: a rerun shares the stack).
        assert sum(stack.count("SELECT count(*) FROM hotline_case WHERE conversation_id = :c", c=p.conversation_id)
                   for p, _ in results) == len(escalated)
        assert poll(lambda: set(case_ids) <= console.case_ids(), 15), (case_ids, console.case_ids())

        # A case opened on the first worker, with the console on the second.
        response = httpx.post(f"{stack.instance_url('api', 1)}/api/v1/referrals", timeout=20, json={
            "conversation_id": f"web-{uuid.uuid4().hex[:20]}", "channel": "web", "language": "fr",
            "topic": "rights", "consent": True, "contact": "chat", "triage": {"emergency": True}},
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 201, response.text
        assert poll(lambda: response.json()["case_id"] in console.case_ids(), 10)
    finally:
        console.close()


def test_turns_of_one_conversation_sent_to_both_instances_at_once_run_one_after_the_other(
        production: ProductionStack) -> None:
    stack = production
    sender = f"web-lock{uuid.uuid4().hex[:16]}"
    rasa = [stack.instance_url("rasa", 1), stack.instance_url("rasa", 2)]
    texts = ["bonjour", "les soins sont gratuits pour les migrants ?", "où est le centre de santé le plus proche ?",
             "je suis à Oujda", "merci", "hello", "I have no papers, am I allowed to get treated?", "bye"]

    async def send(client: httpx.AsyncClient, url: str, text: str) -> str:
        response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                     headers=stack.credentials("rasa")["headers"])
        response.raise_for_status()
        return "\n\n".join(text for text in map(bot_text, response.json()) if text)

    async def bursts() -> list[tuple[str, str]]:
        answered: list[tuple[str, str]] = []
        async with httpx.AsyncClient(timeout=60) as client:
            for first, second in zip(texts[::2], texts[1::2], strict=True):
                counts = await asyncio.gather(send(client, rasa[0], first), send(client, rasa[1], second))
                answered += [(first, counts[0]), (second, counts[1])]
        return answered

    answered = asyncio.run(bursts())
    stored = tracker_turns(stack, sender)
    # Each turn's replies come right after its message (whichever ran first): nothing interleaved or lost.
    assert sorted(stored) == sorted(answered), (stored, answered)
    assert all(replies for _, replies in stored)


def delayed_notices() -> set[str]:
    return {render_response("channel.delayed_reply", language).text for language in ("fr", *LANGUAGES)}


async def talk_until(base_url: str, people: int, stop: threading.Event, think: float) -> list[tuple[Person, str | None]]:
    """People start conversation after conversation until `stop`; a refused message is typed again."""
    results: list[tuple[Person, str | None]] = []
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=people + 5)) as client:
        async def one(slot: int) -> None:
            number = slot
            while not stop.is_set():
                person = RetryingPerson(client, base_url, LANGUAGES[number % len(LANGUAGES)])
                results.append((person, await converse(person, number, Thinking(think, spread=0.0))))
                number += people
        await asyncio.gather(*(one(slot) for slot in range(people)))
    return results


class RetryingPerson(Person):
    """A person whose message was refused (the page said so) types it again a moment later."""

    refused = 0

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.retyped_at: int | None = None  # index of the first turn typed again after a refusal

    async def say(self, text: str):  # type: ignore[no-untyped-def]
        for _attempt in range(20):
            turn = await super().say(text)
            if turn.status == 200:
                return turn
            RetryingPerson.refused += 1
            if self.retyped_at is None:
                self.retyped_at = len(self.turns)
            await asyncio.sleep(1)
        return turn


def silent_after_a_retyped_message(person: Person, turn: object) -> bool:
    """Known gap (docs/deploy.md): a refused message the dead worker had already sent to Rasa, typed
    again, is a second identical turn; an out-of-place button payload can then trap the dialogue in
    its fallback loop (Rasa's circuit breaker) and the conversation goes silent."""
    retyped = getattr(person, "retyped_at", None)
    return retyped is not None and person.turns.index(turn) >= retyped  # type: ignore[arg-type]


def test_killed_rasa_api_and_action_server_come_back_and_every_accepted_message_is_answered(
        production: ProductionStack) -> None:
    stack = production
    cases_before = stack.count("SELECT count(*) FROM hotline_case")
    stop = threading.Event()
    outcome: dict[str, list] = {}
    load = threading.Thread(target=lambda: outcome.setdefault(
        "results", asyncio.run(talk_until(stack.api_url, PEOPLE, stop, think=0.3))), daemon=True)
    load.start()
    try:
        for program, group, check in (("rasa:rasa-1", "rasa", "/status"), ("api:api-1", "api", "/healthz"),
                                      ("actions:actions-1", "actions", "/health")):
            time.sleep(3)  # under load when the process dies
            killed = stack.kill9(program)
            url = f"{stack.instance_url(group, 1)}{check}"
            back = poll(lambda p=program, k=killed, u=url, g=group: stack.pid(p) not in (0, k) and stack.answers(g, u),
                        240, every=1)
            assert back, f"{program} did not come back:\n{stack.supervisorctl('status')}\n{stack.tail(group + '-1')}"
        time.sleep(3)
    finally:
        stop.set()
        load.join(timeout=300)
    results = outcome["results"]
    assert len(results) >= PEOPLE

    accepted = [(p, t) for p, _ in results for t in p.turns if t.status == 200]
    silent = [(p, t) for p, t in accepted if not t.replies]
    known = [(p, t) for p, t in silent if silent_after_a_retyped_message(p, t)]
    silent = [(p, t) for p, t in silent if (p, t) not in known]
    if known:
        print(f"\nKNOWN GAP: {len(known)} turns silent after a retyped message: "
              f"{[(p.language, t.text) for p, t in known]}")
    assert not silent, (f"accepted messages got no answer: {[(p.language, t.text) for p, t in silent]}\n"
                        f"{event_names(stack, silent[0][0].conversation_id)}")
    notices = delayed_notices()
    held = {p.token: p for p, t in accepted if any(r["text"] in notices for r in t.replies)}
    for token, person in held.items():
        late = poll(lambda t=token: httpx.get(f"{stack.api_url}/chat/api/updates", headers={"X-Chat-Token": t},
                                              timeout=10).json(), 90)
        assert late, f"a held message of a {person.language} conversation was never answered"

    references = [(p, ref) for p, ref in results if ref]
    for _person, reference in references:
        assert poll(lambda r=reference: stack.count("SELECT count(*) FROM hotline_case WHERE reference = :r", r=r),
                    60), f"the case {reference} told to the person is missing"
    for person, _ in results:
        assert stack.count("SELECT count(*) FROM hotline_case WHERE conversation_id = :c",
                           c=person.conversation_id) <= 1, "an escalation made two cases"
    assert stack.count("SELECT count(*) FROM hotline_case") - cases_before >= len(references)
    print(f"\n{len(results)} conversations, {len(accepted)} accepted turns, {len(held)} answered late, "
          f"{RetryingPerson.refused} refused and typed again, {len(references)} cases")


def event_names(stack: ProductionStack, conversation_id: str) -> list[str]:
    """A tracker's events in short (what went wrong in a conversation)."""
    events = httpx.get(f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
                       params={"include_events": "ALL", **stack.credentials("rasa")["params"]}, timeout=20).json()["events"]
    return [f"{e['event']}:{e.get('name') or e.get('text') or ''}"[:60] for e in events]
