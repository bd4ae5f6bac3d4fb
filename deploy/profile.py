"""Starts every process of a profile under supervisord: `development` (one of each) or `production` (several).

    python deploy/profile.py development   # what `make run` does
    python deploy/profile.py production    # what `make run PROFILE=production` does
    python deploy/profile.py production --render-only   # write the configuration files and stop

It writes supervisord's configuration (and, in production, HAProxy's) under RUN_DIR, sets the
environment every process inherits, then becomes supervisord, which restarts any process that
dies. SIGTERM or Ctrl-C stops them all. docs/deploy.md explains each setting.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from api.gateways.bot_turns import default_turns_in_flight

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
APP_BIN = ROOT / ".venv-app" / "bin"
BOT_BIN = ROOT / ".venv-bot" / "bin"
# Rasa names each response and the API renders it in the turn's reply (botserver/deferred_render.py).
DEFERRED_RENDER = "botserver.deferred_render.DeferredRender"
LOCK_STORE_CLASS = "rasa_ext.lock_store.AtomicRedisLockStore"


class ProfileError(RuntimeError):
    """The profile cannot start as configured; the message says what to set."""


@dataclass
class Program:
    """One supervised process."""

    name: str
    command: str
    directory: Path = ROOT
    environment: dict[str, str] = field(default_factory=dict)
    # Seconds a process must stay up to count as started; Rasa loads its model before it may fail.
    startsecs: int = 5
    autorestart: str = "true"
    stopwaitsecs: int = 20
    group: str = ""


@dataclass
class Backend:
    """A load-balanced service: HAProxy's frontend port and the instances behind it."""

    name: str
    port: int
    servers: list[tuple[str, int]]
    check: str
    # L7 retries: only where replaying a request a dead server never answered is safe (see docs/deploy.md).
    retry_on: str


def _env(env: dict[str, str], name: str, default: str) -> str:
    value = env.get(name, "")
    return value if value else default


def _int(env: dict[str, str], name: str, default: int) -> int:
    try:
        return int(_env(env, name, str(default)))
    except ValueError as error:
        raise ProfileError(f"{name} must be a whole number, got {env.get(name)!r}") from error


def rasa_tracker_url(database_url: str) -> str:
    """The database URL for Rasa's SQLAlchemy 1.4 (psycopg2): the app's URL without a driver suffix."""
    scheme, _, rest = database_url.partition("://")
    if not scheme.startswith(("postgresql", "postgres")):
        raise ProfileError("the production profile keeps Rasa's trackers in PostgreSQL: set "
                           "DATABASE_URL=postgresql://user:password@host:5432/database")
    return f"postgresql://{rest}"


def redis_settings(redis_url: str) -> dict[str, str]:
    """REDIS_HOST, REDIS_PORT and REDIS_DB for bot/endpoints.yml, from a redis:// URL."""
    parts = urlsplit(redis_url)
    if parts.scheme != "redis" or not parts.hostname:
        raise ProfileError("the production profile needs Redis for Rasa's lock store: set "
                           "REDIS_URL=redis://127.0.0.1:6379/0")
    database = parts.path.strip("/") or "0"
    return {"REDIS_HOST": parts.hostname, "REDIS_PORT": str(parts.port or 6379), "REDIS_DB": database}


def common_environment(env: dict[str, str]) -> dict[str, str]:
    """What every process of every profile inherits (telemetry off, unbuffered logs)."""
    return {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": _env(env, "TF_CPP_MIN_LOG_LEVEL", "2"),
            "PYTHONUNBUFFERED": "1"}


def rasa_command(port: int, model: str) -> str:
    """The private Rasa server (botserver: API behind RASA_AUTH_TOKEN, bound to RASA_HOST)."""
    return (f"{BOT_BIN / 'python'} -m botserver --port {port} --model {model} "
            "--endpoints endpoints.yml --credentials credentials.yml")


def actions_command(port: int) -> str:
    """The private action server (requests need ACTION_SERVER_TOKEN; bound to ACTIONS_HOST)."""
    return f"{BOT_BIN / 'python'} -m actions.server --port {port}"


def api_command(port: int) -> str:
    """The API under uvicorn with our options (no proxy header trusted unless FORWARDED_ALLOW_IPS)."""
    return f"{APP_BIN / 'python'} -m api.server --port {port}"


def local_env_file(path: Path = ROOT / ".env") -> dict[str, str]:
    """The laptop's `.env` (scripts/make_env.py writes its secrets on the first `make run`)."""
    return {k: v for k, v in dotenv_values(path).items() if v is not None} if path.is_file() else {}


def health_checks(env: dict[str, str]) -> dict[str, str]:
    """HAProxy's health-check requests: Rasa's /status and the action server's /health want their tokens."""
    rasa_token, actions_token = env.get("RASA_AUTH_TOKEN", ""), env.get("ACTION_SERVER_TOKEN", "")
    return {"api": "GET /healthz", "rasa": f"GET /status?token={rasa_token}",
            "actions": f'GET /health hdr Authorization "Bearer {actions_token}"'}


def development(env: dict[str, str], run_dir: Path) -> tuple[list[Program], list[Backend], dict[str, str]]:
    """One Rasa, one action server, one API (running the background jobs), SQLite unless DATABASE_URL says."""
    api_port, rasa_port, actions_port = (_int(env, "API_PORT", 8000), _int(env, "RASA_PORT", 5005),
                                         _int(env, "ACTIONS_PORT", 5055))
    api_url = f"http://127.0.0.1:{api_port}"
    actions_url = f"http://127.0.0.1:{actions_port}"
    shared = {
        "RASA_URL": f"http://127.0.0.1:{rasa_port}", "ACTION_SERVER_URL": actions_url,
        "ACTION_ENDPOINT_URL": f"{actions_url}/webhook", "API_URL": api_url, "NLG_URL": f"{api_url}/nlg",
        "RASA_NLG_TYPE": _env(env, "RASA_NLG_TYPE", DEFERRED_RENDER),
        "PUBLIC_BASE_URL": _env(env, "PUBLIC_BASE_URL", f"http://localhost:{api_port}"),
        "RASA_TRACKER_DIALECT": "sqlite", "RASA_TRACKER_URL": "",
        "RASA_TRACKER_DB": _env(env, "RASA_TRACKER_DB", str(ROOT / "var" / "rasa-tracker.db")),
        "RASA_LOCK_STORE": "in_memory", "REDIS_HOST": "", "REDIS_PORT": "6379", "REDIS_DB": "0",
        "RASA_LOCK_KEY_PREFIX": "",
    }
    host = _env(env, "API_HOST", "127.0.0.1")
    programs = [
        Program("rasa", rasa_command(rasa_port, _env(env, "MODEL", "models/current.tar.gz")), ROOT / "bot",
                startsecs=10),
        Program("actions", actions_command(actions_port)),
        Program("api", f"{api_command(api_port)} --host {host}"),
        Program("status", f"{APP_BIN / 'python'} scripts/wait_ready.py", startsecs=0, autorestart="false"),
    ]
    if env.get("TELEGRAM_BOT_TOKEN"):
        programs.append(Program("telegram", f"{APP_BIN / 'python'} -m api.gateways.telegram"))
    return programs, [], shared


def turns_in_flight_per_worker(workers: int) -> str:
    """Each API worker's share of the 2 x cores + 1 bot turns with Rasa at once (api/gateways/bot_turns.py).

    With every worker letting 2 x cores + 1 through, two workers on two cores held 10 turns in flight:
    20 people without a pause waited p95 814 ms, against 663 ms with 3 per worker and 653 with 2
    (bench/results/2026-12-07-turns-in-flight.md).
    """
    return str(max(1, math.ceil(default_turns_in_flight() / workers)))


def production(env: dict[str, str], run_dir: Path) -> tuple[list[Program], list[Backend], dict[str, str]]:
    """N Rasa, M action servers, K API workers and a worker behind HAProxy; PostgreSQL and Redis."""
    database_url = env.get("DATABASE_URL", "")
    tracker_url = rasa_tracker_url(database_url)
    redis_url = env.get("REDIS_URL", "")
    redis = redis_settings(redis_url)
    counts = {name: _int(env, var, default) for name, var, default in
              (("rasa", "RASA_INSTANCES", 2), ("actions", "ACTION_SERVERS", 2), ("api", "API_WORKERS", 2))}
    if min(counts.values()) < 1:
        raise ProfileError("RASA_INSTANCES, ACTION_SERVERS and API_WORKERS must each be at least 1")
    api_port, rasa_port, actions_port = (_int(env, "API_PORT", 8000), _int(env, "RASA_PORT", 5005),
                                         _int(env, "ACTIONS_PORT", 5055))
    bases = {"rasa": _int(env, "RASA_BASE_PORT", 5100), "actions": _int(env, "ACTIONS_BASE_PORT", 5150),
             "api": _int(env, "API_BASE_PORT", 8100)}
    ports = {name: [bases[name] + i for i in range(1, counts[name] + 1)] for name in counts}
    api_url = f"http://127.0.0.1:{api_port}"
    actions_url = f"http://127.0.0.1:{actions_port}"
    shared = {
        # Every process reaches every other service through the load balancer.
        "RASA_URL": f"http://127.0.0.1:{rasa_port}", "ACTION_SERVER_URL": actions_url,
        "ACTION_ENDPOINT_URL": f"{actions_url}/webhook", "API_URL": api_url, "NLG_URL": f"{api_url}/nlg",
        "RASA_NLG_TYPE": _env(env, "RASA_NLG_TYPE", DEFERRED_RENDER),
        "PUBLIC_BASE_URL": _env(env, "PUBLIC_BASE_URL", api_url),
        "RASA_TRACKER_DIALECT": "postgresql", "RASA_TRACKER_URL": tracker_url, "RASA_TRACKER_DB": "",
        "RASA_LOCK_STORE": LOCK_STORE_CLASS, **redis,
        "RASA_LOCK_KEY_PREFIX": _env(env, "RASA_LOCK_KEY_PREFIX", "santemigrants"),
        # A turn holds its conversation's lock at most this long; a dead instance's lock frees itself then.
        "TICKET_LOCK_LIFETIME": _env(env, "TICKET_LOCK_LIFETIME", "20"),
        # Rasa's own connection pool per instance (its default of 50 + 100 would exhaust PostgreSQL).
        "SQL_POOL_SIZE": _env(env, "SQL_POOL_SIZE", "5"), "SQL_MAX_OVERFLOW": _env(env, "SQL_MAX_OVERFLOW", "10"),
        # Login limits and lockouts count across API workers.
        "RATE_LIMIT_STORAGE_URI": _env(env, "RATE_LIMIT_STORAGE_URI", redis_url),
        "OUTBOX_PATH": _env(env, "OUTBOX_PATH", str(ROOT / "var" / "actions-outbox.db")),
        "BOT_TURNS_IN_FLIGHT": _env(env, "BOT_TURNS_IN_FLIGHT", turns_in_flight_per_worker(counts["api"])),
    }
    if env.get("TELEGRAM_BOT_TOKEN"):
        if not env.get("TELEGRAM_WEBHOOK_SECRET"):
            raise ProfileError("Telegram runs in webhook mode in production: set TELEGRAM_WEBHOOK_SECRET, then "
                               "register the webhook once with `python -m api.gateways.telegram --set-webhook`")
        shared["TELEGRAM_USE_WEBHOOK"] = "true"
    model = _env(env, "MODEL", "models/current.tar.gz")
    programs = [Program(f"rasa-{i}", rasa_command(port, model), ROOT / "bot", startsecs=10, group="rasa")
                for i, port in enumerate(ports["rasa"], start=1)]
    programs += [Program(f"actions-{i}", actions_command(port), group="actions")
                 for i, port in enumerate(ports["actions"], start=1)]
    programs += [Program(f"api-{i}", api_command(port), environment={"BACKGROUND_JOBS_IN_API": "false"}, group="api")
                 for i, port in enumerate(ports["api"], start=1)]
    programs.append(Program("worker", f"{APP_BIN / 'python'} -m api.worker"))
    programs.append(Program("haproxy", f"{haproxy_binary(env)} -W -db -f {run_dir / 'haproxy.cfg'}", startsecs=1))
    programs.append(Program("status", f"{APP_BIN / 'python'} scripts/wait_ready.py", startsecs=0,
                            autorestart="false"))
    api_servers = [(f"api-{i}", p) for i, p in enumerate(ports["api"], 1)]
    checks = health_checks(env)
    backends = [
        # A web chat message or webhook is stored then sent to Rasa: replaying it would answer it twice.
        Backend("api", api_port, api_servers, checks["api"], "conn-failure"),
        # Rasa's /nlg calls only render a text: one a dying worker never answered is asked again elsewhere.
        Backend("nlg", 0, api_servers, checks["api"], "conn-failure empty-response junk-response response-timeout"),
        # A turn a dead instance never answered was not saved (Rasa saves after the turn): replay it elsewhere.
        # /status answers 200 only once the model is loaded (the port opens before).
        Backend("rasa", rasa_port, [(f"rasa-{i}", p) for i, p in enumerate(ports["rasa"], 1)], checks["rasa"],
                "conn-failure empty-response"),
        # Actions return events Rasa applies; the one with a side effect (the referral) is idempotent.
        Backend("actions", actions_port, [(f"actions-{i}", p) for i, p in enumerate(ports["actions"], 1)],
                checks["actions"], "conn-failure empty-response"),
    ]
    return programs, backends, shared


def haproxy_binary(env: dict[str, str]) -> str:
    """HAProxy from Debian (scripts/setup_load_balancer.sh installs it)."""
    found = env.get("HAPROXY") or shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy")
                                                               .exists() else "")
    if not found:
        raise ProfileError("HAProxy is missing: run scripts/setup_load_balancer.sh (apt-get install haproxy)")
    return found


def production_secrets(env: dict[str, str]) -> dict[str, str]:
    """Production refuses development mode; every process then checks its own secrets at start."""
    if env.get("APP_ENV", "").strip().lower() == "development":
        raise ProfileError("the production profile does not run with APP_ENV=development: unset it and set strong "
                           "secrets (docs/deploy.md)")
    # Stated, so a stray .env in the checkout (read by the API's settings) cannot switch it to development.
    return {**env, "APP_ENV": env.get("APP_ENV") or "production"}


def render(profile: str, env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """Write the profile's configuration under RUN_DIR; returns supervisord's file and the environment to run it in."""
    run_dir = Path(_env(env, "RUN_DIR", str(ROOT / "var" / "run" / profile))).resolve()
    log_dir = Path(_env(env, "LOG_DIR", str(ROOT / "var" / "log" / profile))).resolve()
    for folder in (run_dir, log_dir):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)  # logs and the control socket are for the service account only
    build = {"development": development, "production": production}[profile]
    programs, backends, shared = build(env, run_dir)
    templates = Environment(loader=FileSystemLoader(DEPLOY / "templates"), undefined=StrictUndefined,
                            keep_trailing_newline=True)
    # Development prints every process's output in the terminal; production keeps one log file each.
    context = {"programs": programs, "backends": backends, "run_dir": run_dir, "log_dir": log_dir,
               "to_terminal": profile == "development",
               "log_conversations": env.get("LB_LOG_CONVERSATIONS", "").lower() == "true"}
    conf = run_dir / "supervisord.conf"
    conf.write_text(templates.get_template("supervisord.conf.j2").render(**context))
    if backends:
        (run_dir / "haproxy.cfg").write_text(templates.get_template("haproxy.cfg.j2").render(**context))
    return conf, {**env, **common_environment(env), **shared}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", choices=("development", "production"))
    parser.add_argument("--render-only", action="store_true", help="write the configuration files and exit")
    args = parser.parse_args(argv)
    # A laptop's .env (development) lends its secrets; what the environment sets wins. Production takes
    # only the environment, and never runs in development mode.
    env = {**local_env_file(), **os.environ} if args.profile == "development" else dict(os.environ)
    try:
        if args.profile == "production":
            env = production_secrets(env)
        conf, environment = render(args.profile, env)
    except ProfileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.render_only:
        print(conf)
        return 0
    supervisord = str(APP_BIN / "supervisord")
    os.execve(supervisord, [supervisord, "--nodaemon", "--configuration", str(conf)], environment)


if __name__ == "__main__":
    sys.exit(main())
