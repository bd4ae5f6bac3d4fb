"""The Rasa launcher: weak secrets and debug logging refused, the token and 127.0.0.1 passed, warnings withheld."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser

from botserver.__main__ import WITHHELD, WithholdWarningText, rasa_arguments

ROOT = Path(__file__).resolve().parents[2]
TOKENS = ("RASA_AUTH_TOKEN", "ACTION_SERVER_TOKEN", "NLG_TOKEN")


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TOKENS and k != "APP_ENV"}
    return env | {"APP_ENV": "production", "RASA_TELEMETRY_ENABLED": "false"} | extra


def test_start_is_refused_with_the_default_secrets_outside_development(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "botserver"], cwd=tmp_path, env=production_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "The Rasa server refuses to start" in result.stderr
    assert all(name in result.stderr for name in TOKENS) and "Traceback" not in result.stderr


def test_debug_logging_is_refused_outside_development(tmp_path: Path) -> None:
    strong = {name: secrets.token_urlsafe(32) for name in TOKENS}
    for argument in ("--debug", "-vv"):
        result = subprocess.run([sys.executable, "-m", "botserver", argument], cwd=tmp_path,
                                env=production_env(**strong), capture_output=True, text=True, timeout=60)
        assert result.returncode != 0 and "refuses debug logging" in result.stderr


def test_rasa_runs_with_its_api_behind_the_token_on_127_0_0_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_HOST", raising=False)
    arguments = rasa_arguments(["--port", "5005"], "the-token")
    parsed = create_argument_parser().parse_args(arguments[1:])
    assert (parsed.enable_api, parsed.auth_token, parsed.interface, parsed.port) == (True, "the-token", "127.0.0.1", 5005)
    assert "--interface" not in rasa_arguments(["-i", "10.0.0.5"], "t")  # an explicit choice wins


def test_a_token_that_starts_with_a_dash_is_still_the_token() -> None:
    """`token_urlsafe` starts one token in 64 with "-": a fresh clone's `make run` once never started Rasa."""
    token = "-PL1" + secrets.token_urlsafe(32)
    parsed = create_argument_parser().parse_args(rasa_arguments([], token)[1:])
    assert parsed.auth_token == token


def test_a_warning_quoting_a_message_is_withheld(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("py.warnings")
    withhold = WithholdWarningText()
    logger.addFilter(withhold)
    logging.captureWarnings(True)
    try:
        with caplog.at_level(logging.WARNING, logger="py.warnings"), warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.warn("Failed to parse arguments in line '/greet mon numéro +212612345678'", UserWarning,
                          stacklevel=1)
    finally:
        logging.captureWarnings(False)
        logger.removeFilter(withhold)
    assert [record.getMessage() for record in caplog.records] == [WITHHELD]
    assert "212612345678" not in caplog.text


# What `python -m botserver` changes in Rasa before it starts (one line per module of botserver/).
INSTALLED = {
    "fast_validation": "jsonschema.validate is fast_validation.cached_validate "
                       "and RemoteAction.action_response_format_spec() is RemoteAction.action_response_format_spec()",
    "nlg_request": "rasa.core.nlg.callback.nlg_request_format is nlg_request.lean_request_format",
    "kept_connections": "EndpointConfig.session is kept_connections.kept_session",
    "tracker_sqlite": "rasa.core.tracker_store.create_engine_kwargs is tracker_sqlite.engine_kwargs",
    "tracker_events": "SQLTrackerStore._additional_events is tracker_events.additional_events "
                      "and SQLTrackerStore._retrieve is tracker_events.retrieve",
    "event_types": "Event.resolve_by_type is event_types.resolve_by_type",
    "lean_slot_validation": "RemoteAction._action_call_format is lean_slot_validation.lean_action_call_format",
    "inline_actions": "RemoteAction.__init__ is inline_actions.init_with_inline_endpoint",
    "graph_runner": "rasa.core.processor.DaskGraphRunner is graph_runner.SequentialGraphRunner",
}


def test_the_launcher_installs_every_change_before_rasa_starts() -> None:
    checks = ", ".join(f"{name!r}: {check}" for name, check in INSTALLED.items())
    code = ("import json, jsonschema, rasa.__main__ as m, rasa.core.nlg.callback, rasa.core.tracker_store, "
            "rasa.core.processor\n"
            "from rasa.core.actions.action import RemoteAction\n"
            "from rasa.core.tracker_store import SQLTrackerStore\n"
            "from rasa.shared.core.events import Event\n"
            "from rasa.utils.endpoints import EndpointConfig\n"
            f"from botserver import __main__ as b, {', '.join(INSTALLED)}\n"
            f"m.main = lambda: print(json.dumps({{{checks}}}))\n"
            "b.main([])\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"APP_ENV": "development", "PATH": "/usr/bin:/bin"}, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {name: True for name in INSTALLED}
