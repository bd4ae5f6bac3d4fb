"""The bot side speaks the contract: its languages, the references it derives, the channels it names."""

from __future__ import annotations

from pathlib import Path

from rasa_sdk import Tracker

from actions.escalation import conversation_channel
from actions.language import LANGUAGES as ACTION_LANGUAGES
from actions.referrals import reference_for_key
from sante_contract import CHANNELS, LANGUAGES, is_reference

ROOT = Path(__file__).resolve().parents[2]


def test_there_is_training_data_for_every_contract_language_and_no_other() -> None:
    assert {p.stem for p in (ROOT / "bot" / "data" / "nlu").glob("*.yml")} == set(LANGUAGES)
    assert ACTION_LANGUAGES == LANGUAGES


def test_a_reference_the_bot_derives_is_one_the_backend_keeps() -> None:
    references = {reference_for_key(f"escalation-{n}") for n in range(500)}
    assert len(references) == 500
    assert all(is_reference(reference) for reference in references)
    assert not is_reference("MS-ABC1O0") and not is_reference("MS-7K3Q9") and not is_reference("XX-7K3Q9P")


def test_the_channel_of_a_conversation_is_its_contract_prefix() -> None:
    for channel in CHANNELS:
        tracker = Tracker(f"{channel}-3f9a0c1d2e", {}, {}, [], False, None, None, "action_listen")
        assert conversation_channel(tracker) == channel
    assert conversation_channel(Tracker("3f9a0c1d2e", {}, {}, [], False, None, None, "action_listen")) == "rest"


def test_every_topic_a_referral_can_carry_is_one_the_console_can_name() -> None:
    from actions.escalation import TRIAGE_FROM_INTENT
    from actions.services import TOPIC_INTENTS
    from sante_contract import REFERRAL_TOPICS

    assert TOPIC_INTENTS | set(TRIAGE_FROM_INTENT) | {"other"} == set(REFERRAL_TOPICS)
