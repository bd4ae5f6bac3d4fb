"""Shared fixtures for the NLU component tests: the small per-language fixture files and Rasa's model storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

FIXTURES = Path(__file__).parent / "fixtures" / "nlu"


@pytest.fixture(scope="session")
def fixture_training_data() -> TrainingData:
    return load_data(str(FIXTURES))


@pytest.fixture()
def model_storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


@pytest.fixture()
def execution_context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")
