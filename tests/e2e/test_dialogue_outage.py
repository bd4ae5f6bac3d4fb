"""The referral backend crashes during an escalation: the person still gets a reference, the case arrives once.

The action server reaches the backend through its own API process (as behind a load balancer in
a larger deployment), while the web chat and the NLG stay on the stack's API, so the person keeps
getting answers while the backend is down. The test kills that backend process, finishes the
escalation, starts the backend again and looks in the database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import ROOT, SERVICE_TOKEN, Stack, free_port
from tests.e2e.test_dialogue import (
    CHAT,
    YES,
    answer_escalation_form,
    bot_text,
    cases_of,
    escalation_answers,
    texts,
)
from tests.support.polling import wait_for

pytestmark = pytest.mark.slow  # starts the whole stack

BACKEND = "backend"
DELIVERY_TIMEOUT_S = 60


@dataclass
class SeparateBackend:
    """An API process serving only the action server's referral calls, which the test can crash."""

    stack: Stack
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = self.stack.commands()["api"][:-1] + [str(self.port)]
        launch(self.stack, BACKEND, command, self.stack.env())
        self.stack.wait_until(f"{self.url}/healthz", timeout=120)

    def crash(self) -> None:
        """SIGKILL, as a crash or a pulled plug: no graceful shutdown."""
        process = self.stack.processes.pop(BACKEND)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def launch(stack: Stack, name: str, command: list[str], env: dict[str, str]) -> None:
    """Start a process the way Stack.start does, with its own command and environment."""
    log = open(stack.workdir / f"{name}.log", "ab")
    stack.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)


@pytest.fixture
def separate_backend(stack: Stack) -> Iterator[SeparateBackend]:
    """The stack with its action server pointed at a separate backend process; restored afterwards."""
    backend = SeparateBackend(stack, free_port())
    backend.start()
    stack.stop("actions")
    # Short retry delays so the test sees the outbox deliver within seconds of the backend's return.
    env = stack.env() | {"API_URL": backend.url, "OUTBOX_RETRY_INITIAL_S": "1", "OUTBOX_RETRY_MAX_S": "2"}
    launch(stack, "actions", stack.commands()["actions"], env)
    try:
        stack.wait_until(f"{stack.actions_url}/health", timeout=120, headers=stack.actions_headers)
        yield backend
    finally:
        stack.stop("actions")
        stack.stop(BACKEND)
        stack.start("actions")
        stack.wait_ready()


def failed_attempts(stack: Stack, reference: str) -> int:
    with sqlite3.connect(stack.workdir / "actions-outbox.db") as db:
        row = db.execute("SELECT attempts FROM pending_referral WHERE reference = ?", (reference,)).fetchone()
    return int(row[0]) if row else 0


def delivered_in_outbox(stack: Stack, reference: str) -> bool:
    with sqlite3.connect(stack.workdir / "actions-outbox.db") as db:
        row = db.execute("SELECT delivered_at FROM pending_referral WHERE reference = ?", (reference,)).fetchone()
    return bool(row and row[0])


def test_a_backend_crash_during_an_escalation_loses_no_case_and_makes_no_duplicate(
        stack: Stack, separate_backend: SeparateBackend) -> None:
    person = WebChatPerson(stack)
    replies = person.say("je veux parler à quelqu'un, s'il vous plaît")
    replies = answer_escalation_form(person, "fr", replies, escalation_answers(
        "/child_vaccination", utter_ask_triage_child=YES, utter_ask_escalation_city="Berkane"))
    assert bot_text("utter_ask_contact_mode", "fr") in texts(replies)

    separate_backend.crash()
    marker = "\u0000"
    before, after = bot_text("utter_referral_queued", "fr", reference=marker).split(marker)
    queued = [text for text in texts(person.say(CHAT)) if text.startswith(before) and text.endswith(after)]
    assert len(queued) == 1, "the person is told their request is kept, with its reference"
    reference = queued[0][len(before):len(queued[0]) - len(after)]
    conversation = person.conversation_id or ""
    assert cases_of(stack, conversation) == []

    wait_for(lambda: failed_attempts(stack, reference) >= 2, "two failed deliveries while the backend is down",
             DELIVERY_TIMEOUT_S)
    separate_backend.start()
    # Once the outbox records the delivery it never sends the referral again, so a duplicate would be here now.
    wait_for(lambda: delivered_in_outbox(stack, reference), "the outbox to record the delivery", DELIVERY_TIMEOUT_S)
    cases = cases_of(stack, conversation)
    assert len(cases) == 1, cases
    assert cases[0]["reference"] == reference
    assert (cases[0]["triage_level"], cases[0]["city"], cases[0]["topic"]) == ("vulnerable", "Berkane",
                                                                              "child_vaccination")
    assert delivered_in_outbox(stack, reference)
    # The backend answers a replay of the same escalation with the same case.
    replay = httpx.post(f"{separate_backend.url}/api/v1/referrals", timeout=10,
                        headers={"Authorization": f"Bearer {SERVICE_TOKEN}",
                                 "Idempotency-Key": cases[0]["idempotency_key"]},
                        json={"conversation_id": conversation, "channel": "web", "consent": True})
    assert replay.status_code == 200 and replay.json()["reference"] == reference
    assert len(cases_of(stack, conversation)) == 1
