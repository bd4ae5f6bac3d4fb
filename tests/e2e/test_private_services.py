"""Rasa, the action server and the NLG endpoint of a real stack answer only with their secrets, on 127.0.0.1 only.

Without them, anyone on the host could read a person's conversation and slots from Rasa's tracker,
set slots, run `action_forget_me` for someone else, retrain the model, talk as another person on
the REST channel, or post a made-up tracker to the action server to erase a person's cases.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack, actions_call


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port` (/proc/net/tcp and tcp6, state 0A)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_rasas_http_api_and_rest_channel_refuse_requests_without_the_token(stack: Stack,
                                                                          person: WebChatPerson) -> None:
    person.say("bonjour")
    conversation = f"{stack.rasa_url}/conversations/{person.conversation_id}"
    without_token = {
        "tracker": httpx.get(f"{conversation}/tracker"),
        "events": httpx.post(f"{conversation}/tracker/events",
                             json=[{"event": "slot", "name": "language", "value": "en"}]),
        "execute": httpx.post(f"{conversation}/execute", json={"name": "action_forget_me"}),
        "train": httpx.post(f"{stack.rasa_url}/model/train", content=b"{}"),
        "parse": httpx.post(f"{stack.rasa_url}/model/parse", json={"text": "bonjour"}),
        "wrong token": httpx.get(f"{conversation}/tracker", params={"token": "not-the-token"}),
        "channel": httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                              json={"sender": person.conversation_id, "message": "bonjour"}),
        "channel, wrong secret": httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook",
                                            json={"sender": person.conversation_id, "message": "bonjour"},
                                            headers={"Authorization": "Bearer not-the-token"}),
    }
    assert {name: response.status_code for name, response in without_token.items()} == \
        dict.fromkeys(without_token, 401)
    assert person.slots()["language"] == "fr"  # the refused event changed nothing
    with_token = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", timeout=60,
                            json={"sender": person.conversation_id, "message": "merci"},
                            headers={"Authorization": f"Bearer {stack.secrets['RASA_AUTH_TOKEN']}"})
    assert with_token.status_code == 200 and with_token.json()


def test_the_action_server_refuses_a_forget_me_without_its_secret(stack: Stack, person: WebChatPerson) -> None:
    person.say("bonjour")
    call = actions_call("action_forget_me", person.conversation_id or "")
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        refused = httpx.post(f"{stack.actions_url}/webhook", json=call, headers=headers, timeout=30)
        assert (refused.status_code, refused.json()) == (401, {"error": "unauthorized"})
    assert httpx.get(f"{stack.actions_url}/health").status_code == 401
    assert httpx.get(f"{stack.actions_url}/health", headers=stack.actions_headers).status_code == 200


def test_the_nlg_endpoint_refuses_requests_without_its_secret(stack: Stack) -> None:
    body = {"response": "utter_greet", "arguments": {}, "tracker": {"slots": {"language": "fr"}}, "channel": {}}
    assert httpx.post(f"{stack.api_url}/nlg", json=body).status_code == 401
    answered = httpx.post(f"{stack.api_url}/nlg", json=body,
                          headers={"Authorization": f"Bearer {stack.secrets['NLG_TOKEN']}"})
    assert answered.status_code == 200 and answered.json()["text"]


def test_every_process_listens_on_127_0_0_1_only(stack: Stack) -> None:
    for port in (stack.api_port, stack.rasa_port, stack.actions_port):
        assert listening_addresses(port) == {"0100007F"}, port
