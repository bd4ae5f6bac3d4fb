"""Every log line of every process of a real stack, after a conversation with known values, is free of them.

A person writes in the web chat (a text with an email and a phone number in it, a message Rasa
cannot parse, an escalation with a typed callback number), an operator logs in (once with a wrong
password, once with a malformed body), claims the case and answers; the person polls the reply with
their token. Then no log of the API, Rasa or the action server may contain the chat token, the
message texts, the phone number, the emails, the password, a password hash or any of the secrets.
"""

from __future__ import annotations

import re
import subprocess
import time

import httpx

from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import APP_BIN, ROOT, Stack
from tests.e2e.test_dialogue import CALLBACK, answer_escalation_form, cases_of, escalation_answers, texts

ASSOCIATION = "Cellule Berkane (log scan)"
OPERATOR_EMAIL = "log.scan.operator@example.org"
PASSWORD = "correct-horse-log-scan-2041"
PERSON_EMAIL = "nadia.k7q@example.org"
MARKER = "zorblaxine"
MESSAGE = f"bonjour, je cherche un médecin pour ma fille {MARKER}, écrivez-moi à {PERSON_EMAIL} ou au 0661234589"
UNPARSABLE = "/greet{vrillomane et mon numéro"
CALLBACK_NUMBER = "06 77 88 99 11"
REPLY = "Bonjour, une collègue vous rappelle demain, quartzophile"


def logs(stack: Stack) -> dict[str, str]:
    return {path.name: path.read_text(errors="replace") for path in sorted(stack.workdir.glob("*.log"))}


def add_operator(stack: Stack) -> None:
    env = stack.env()
    subprocess.run([str(APP_BIN / "python"), "-m", "api.cli", "create-association", "--name", ASSOCIATION,
                    "--cities", "Berkane"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([str(APP_BIN / "python"), "-m", "api.cli", "create-operator", "--email", OPERATOR_EMAIL,
                    "--association", ASSOCIATION, "--password-stdin"], input=PASSWORD + "\n", text=True, env=env,
                   cwd=ROOT, check=True, capture_output=True)


def operator_answers(stack: Stack) -> None:
    origin = {"Origin": stack.api_url}
    with httpx.Client(base_url=stack.api_url, timeout=30) as console:
        assert console.post("/api/v1/auth/login", json={"email": OPERATOR_EMAIL, "password": PASSWORD + "x"},
                            headers=origin).status_code == 401
        assert console.post("/api/v1/auth/login", json={"email": [OPERATOR_EMAIL], "password": PASSWORD},
                            headers=origin).status_code == 422
        form = console.post("/console/login", data={"email": OPERATOR_EMAIL, "password": PASSWORD}, headers=origin)
        assert form.status_code == 303, form.text
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', console.get("/console/queue").text)
        assert csrf, "no CSRF token on the queue page"
        headers = origin | {"X-CSRF-Token": csrf.group(1)}
        claimed = console.post("/api/v1/cases/claim-next", headers=headers)
        assert claimed.status_code == 200, claimed.text
        assert console.post(f"/api/v1/cases/{claimed.json()['id']}/reply", json={"text": REPLY},
                            headers=headers).status_code == 201
        assert console.post("/api/v1/auth/logout", headers=headers).status_code == 204


def test_no_log_line_of_any_process_carries_a_token_text_number_email_or_password(stack: Stack) -> None:
    add_operator(stack)  # first, so that the case from Berkane lands in this operator's queue
    person = WebChatPerson(stack)
    person.say(MESSAGE)
    person.say(UNPARSABLE)
    replies = person.say("je veux parler à quelqu'un")
    replies = answer_escalation_form(person, "fr", replies, escalation_answers(
        "/care_refused", utter_ask_escalation_city="Berkane", utter_ask_contact_mode=CALLBACK))
    person.say(CALLBACK_NUMBER)
    assert cases_of(stack, person.conversation_id or ""), texts(replies)
    operator_answers(stack)
    for _ in range(60):
        if REPLY in [update["text"] for update in person.updates()]:
            break
        time.sleep(0.5)
    else:
        raise AssertionError("the operator's reply never reached the web chat")

    found = logs(stack)
    assert {"api.log", "actions.log", "rasa.log"} <= set(found)
    assert "route=/chat/api/updates" in found["api.log"] and "action_" in found["actions.log"]
    digits = re.sub(r"\D", "", CALLBACK_NUMBER)
    secrets = [value for name, value in stack.secrets.items() if name != "APP_ENV"]
    forbidden = [person.token, MARKER, "vrillomane", "quartzophile", "médecin pour ma fille", PERSON_EMAIL,
                 OPERATOR_EMAIL, PASSWORD, "$argon2", "0661234589", "661234589", CALLBACK_NUMBER, digits, digits[1:],
                 "+212" + digits[1:], *secrets]
    leaks = [(name, value, line[:200]) for name, text in found.items() for line in text.splitlines()
             for value in forbidden if value in line]
    assert leaks == []
