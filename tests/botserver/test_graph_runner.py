"""The trained model answers the same with the sequential graph runner as with Rasa's Dask runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import rasa.core.processor
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from botserver import graph_runner
from botserver.graph_runner import SequentialGraphRunner

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "bot" / "models" / "current.tar.gz"
# Conversations in several languages and shapes: greetings, rights, a town, a form, emergencies, noise.
CONVERSATIONS = [
    ["bonjour", "les soins sont gratuits pour les migrants ?", "où est le centre de santé le plus proche ?",
     "je suis à Oujda", "merci"],
    ["salam", "ma3endich lwra9, wach nqder ntdawa f sbitar?", "bghit nhder m3a chi wa7ed", "oui", "Oujda"],
    ["مرحبا", "أين يوجد أقرب مستشفى؟", "أنا في وجدة", "صديقي لا يتنفس"],
    ["hello", "I want to talk to a real person", "no", "2", "👍", "xyzzy qwrt", "bye"],
    ["na nga def", "dama feebar", "ok", "/choose_language{\"language\": \"wo\"}"],
]


@pytest.fixture(scope="module")
def agents() -> Iterator[tuple[Agent, Agent]]:
    """The project's model loaded twice: with Rasa's own runner, and with the sequential one."""
    if not MODEL.exists():  # `make test` trains it first; train it here when the test runs alone
        subprocess.run([str(ROOT / ".venv-app" / "bin" / "python"), str(ROOT / "scripts" / "train_model.py")],
                       check=True, stdout=sys.stderr)
    theirs = Agent.load(str(MODEL))
    original = rasa.core.processor.DaskGraphRunner
    graph_runner.install()
    try:
        ours = Agent.load(str(MODEL))
    finally:
        rasa.core.processor.DaskGraphRunner = original
    assert type(theirs.processor.graph_runner) is DaskGraphRunner  # type: ignore[union-attr]
    assert type(ours.processor.graph_runner) is SequentialGraphRunner  # type: ignore[union-attr]
    yield theirs, ours


def prediction(agent: Agent, tracker: DialogueStateTracker) -> tuple[str, float, str | None, list[float]]:
    result = agent.processor._predict_next_with_tracker(tracker)  # type: ignore[union-attr]
    best = max(range(len(result.probabilities)), key=result.probabilities.__getitem__)
    action = agent.domain.action_names_or_texts[best]
    return action, result.max_confidence, result.policy_name, result.probabilities


async def parse(agent: Agent, text: str, tracker: DialogueStateTracker) -> dict[str, Any]:
    return await agent.processor.parse_message(UserMessage(text, sender_id=tracker.sender_id),  # type: ignore[union-attr]
                                               tracker)


@pytest.mark.parametrize("number", range(len(CONVERSATIONS)))
async def test_parses_and_predictions_are_the_same_turn_after_turn(agents: tuple[Agent, Agent], number: int) -> None:
    theirs, ours = agents
    tracker = DialogueStateTracker.from_events(f"web-{number}", [ActionExecuted("action_listen")],
                                               slots=theirs.domain.slots)
    actions: list[str] = []
    for text in CONVERSATIONS[number]:
        parsed = await parse(theirs, text, tracker)
        assert await parse(ours, text, tracker) == parsed
        tracker.update(UserUttered(text, parsed["intent"], parsed["entities"], parse_data=parsed))
        for _ in range(4):  # the actions of the turn, until the bot listens again
            predicted = prediction(theirs, tracker)
            assert prediction(ours, tracker) == predicted
            actions.append(predicted[0])
            tracker.update(ActionExecuted(predicted[0]))
            if predicted[0] == "action_listen":
                break
    assert len(set(actions)) > 2  # the conversations went somewhere: the comparison is not of one answer


def test_a_runner_error_is_rasas_graph_error_and_inputs_may_not_clash_with_nodes(agents: tuple[Agent, Agent]) -> None:
    _, ours = agents
    runner = ours.processor.graph_runner  # type: ignore[union-attr]
    target = ours.processor.model_metadata.nlu_target  # type: ignore[union-attr]
    with pytest.raises(GraphRunError, match="clashes"):
        runner.run(inputs={"__message__": target}, targets=[target])
