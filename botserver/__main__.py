"""`python -m botserver [rasa run options]`: the Rasa server, private (what deploy/profile.py and the tests run).

- Refuses to start with a weak RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN or NLG_TOKEN outside
  development mode (the tokens bot/endpoints.yml and the REST channel use), and refuses debug
  logging there (Rasa's debug log prints every message text and slot).
- Passes `--enable-api --auth-token $RASA_AUTH_TOKEN` from the environment, so the token never
  appears in the process list, and binds RASA_HOST (127.0.0.1 unless set; Rasa's own default is 0.0.0.0).
- Routes Python warnings into logging and withholds their text: Rasa warns about a message it
  cannot parse by quoting it (`Failed to parse arguments in line '...'`).
- Creates its files (the SQLite tracker store) owner-only.
- Compiles each of Rasa's JSON Schemas once (botserver/fast_validation.py): Rasa checks the schema
  itself on every action, NLG and event validation, which cost about half of its CPU per turn.
- Sends the NLG endpoint the tracker's state without its event history (botserver/nlg_request.py).
- Reuses its connections to the action server and the NLG endpoint (botserver/kept_connections.py).
- Opens a SQLite tracker store with a write-ahead log and kept connections (botserver/tracker_sqlite.py),
  and counts a tracker's stored events with one fixed statement (botserver/tracker_events.py).
- Finds an event's class by its type name in a table (botserver/event_types.py), not by listing
  every subclass of `Event` for each stored event.
- Sends `action_validate_slot_mappings`, called after every message, the tracker with only the
  latest message's events (botserver/lean_slot_validation.py), not the whole conversation, and
  runs it in its own process with the action server's code (botserver/inline_actions.py): no HTTP
  round trip after every message.
- Runs the NLU and policy graphs node after node in an order worked out once (botserver/graph_runner.py),
  not through Dask's scheduler on every message and prediction.
- Leaves each response for the API's gateway to render when bot/endpoints.yml names
  `botserver.deferred_render.DeferredRender` (the default `RASA_NLG_TYPE`): no call back to `/nlg`.
"""

from __future__ import annotations

import logging
import os
import sys

from actions.config import (
    DEV_ACTION_SERVER_TOKEN,
    DEV_NLG_TOKEN,
    DEV_RASA_AUTH_TOKEN,
    is_development,
    require_strong_secrets,
)
from botserver import (
    event_types,
    fast_validation,
    graph_runner,
    inline_actions,
    kept_connections,
    lean_slot_validation,
    nlg_request,
    tracker_events,
    tracker_sqlite,
)

OWNER_ONLY_UMASK = 0o077
DEBUG_FLAGS = frozenset({"-v", "--verbose", "-vv", "--debug"})
WITHHELD = "a warning was withheld: its text may quote what a person wrote"


class WithholdWarningText(logging.Filter):
    """Replaces the text of every captured Python warning (logger `py.warnings`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = WITHHELD, ()
        return True


def secrets_from_environment() -> dict[str, str]:
    """The three secrets of the Rasa process (laptop defaults when unset, refused outside development)."""
    return {"RASA_AUTH_TOKEN": os.environ.get("RASA_AUTH_TOKEN", DEV_RASA_AUTH_TOKEN),
            "ACTION_SERVER_TOKEN": os.environ.get("ACTION_SERVER_TOKEN", DEV_ACTION_SERVER_TOKEN),
            "NLG_TOKEN": os.environ.get("NLG_TOKEN", DEV_NLG_TOKEN)}


def rasa_arguments(extra: list[str], token: str) -> list[str]:
    """`rasa run` with the API enabled behind the token, on RASA_HOST unless `-i/--interface` is given.

    The token is joined to its option: a generated token may start with "-" (one in 64 of `token_urlsafe`'s),
    which argparse would take for an option when given as a separate argument, and Rasa would not start.
    """
    arguments = ["rasa", "run", "--enable-api", f"--auth-token={token}"]
    if not {"-i", "--interface"} & set(extra):
        arguments += ["--interface", os.environ.get("RASA_HOST", "127.0.0.1")]
    return arguments + extra


def main(argv: list[str] | None = None) -> None:
    extra = list(sys.argv[1:] if argv is None else argv)
    secrets = secrets_from_environment()
    require_strong_secrets(secrets, "The Rasa server")
    # Exported for bot/endpoints.yml, which reads them when it is loaded (the defaults only in development).
    os.environ.update({name: value for name, value in secrets.items()})
    if not is_development() and (DEBUG_FLAGS & set(extra) or os.environ.get("LOG_LEVEL", "").upper() == "DEBUG"):
        raise SystemExit("The Rasa server refuses debug logging outside development mode: it prints every message "
                         "text and slot. Drop -v/--debug and LOG_LEVEL=DEBUG, or set APP_ENV=development.")
    os.umask(OWNER_ONLY_UMASK)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").addFilter(WithholdWarningText())
    sys.argv = rasa_arguments(extra, secrets["RASA_AUTH_TOKEN"])
    fast_validation.install()
    nlg_request.install()
    kept_connections.install()
    tracker_sqlite.install()
    tracker_events.install()
    event_types.install()
    lean_slot_validation.install()
    inline_actions.install()
    graph_runner.install()

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
