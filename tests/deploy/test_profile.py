"""deploy/profile.py: the files each profile writes, and the production profile's refusals."""

from __future__ import annotations

import configparser
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# deploy/profile.py is a script, not a package (and `profile` is a standard module): load it by path.
_spec = importlib.util.spec_from_file_location("deploy_profile", ROOT / "deploy" / "profile.py")
assert _spec is not None and _spec.loader is not None
deploy_profile = importlib.util.module_from_spec(_spec)
sys.modules["deploy_profile"] = deploy_profile  # its dataclasses look their module up there
_spec.loader.exec_module(deploy_profile)

PRODUCTION = {"DATABASE_URL": "postgresql+psycopg://sante:pw@db.local:5432/sante", "REDIS_URL": "redis://cache:6380/4"}


def rendered(tmp_path: Path, profile: str, **env: str) -> tuple[configparser.ConfigParser, dict[str, str]]:
    conf, environment = deploy_profile.render(profile, {"RUN_DIR": str(tmp_path / "run"),
                                                         "LOG_DIR": str(tmp_path / "log"), **env})
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf)
    return parser, environment


def test_development_runs_one_of_each_under_supervision_with_sqlite_and_no_shared_stores(tmp_path: Path) -> None:
    conf, env = rendered(tmp_path, "development")
    programs = sorted(s.split(":", 1)[1] for s in conf.sections() if s.startswith("program:"))
    assert programs == ["actions", "api", "rasa", "status"]
    assert all(conf[f"program:{p}"]["autorestart"] == "true" for p in ("actions", "api", "rasa"))
    assert (env["RASA_TRACKER_DIALECT"], env["RASA_LOCK_STORE"]) == ("sqlite", "in_memory")
    # Rasa names each response and the API renders it in the turn's reply (botserver/deferred_render.py).
    assert env["RASA_NLG_TYPE"] == "botserver.deferred_render.DeferredRender"
    assert conf["program:rasa"]["stdout_logfile"] == "/dev/stdout"  # the developer sees every log


def test_production_runs_every_instance_behind_the_balancer_on_postgresql_and_redis(tmp_path: Path) -> None:
    if not deploy_profile.haproxy_binary({}):
        pytest.skip("HAProxy is installed by scripts/setup_load_balancer.sh")
    conf, env = rendered(tmp_path, "production", RASA_INSTANCES="3", **PRODUCTION)
    programs = sorted(s.split(":", 1)[1] for s in conf.sections() if s.startswith("program:"))
    assert programs == ["actions-1", "actions-2", "api-1", "api-2", "haproxy", "rasa-1", "rasa-2", "rasa-3",
                        "status", "worker"]
    assert 'BACKGROUND_JOBS_IN_API="false"' in conf["program:api-1"]["environment"]
    assert env["RASA_TRACKER_URL"] == "postgresql://sante:pw@db.local:5432/sante"  # psycopg2 for Rasa
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("cache", "6380", "4")
    assert env["RASA_LOCK_STORE"] == deploy_profile.LOCK_STORE_CLASS
    assert env["RASA_NLG_TYPE"] == deploy_profile.DEFERRED_RENDER
    assert env["RATE_LIMIT_STORAGE_URI"] == PRODUCTION["REDIS_URL"]
    haproxy = (tmp_path / "run" / "haproxy.cfg").read_text()
    assert haproxy.count("server rasa-") == 3 and "127.0.0.1:5103" in haproxy
    assert "0.0.0.0" not in haproxy
    checked = subprocess.run([deploy_profile.haproxy_binary({}), "-c", "-f", str(tmp_path / "run" / "haproxy.cfg")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_each_api_worker_lets_its_share_of_the_turns_in_flight_through_unless_told(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not deploy_profile.haproxy_binary({}):
        pytest.skip("HAProxy is installed by scripts/setup_load_balancer.sh")
    monkeypatch.setattr(deploy_profile, "default_turns_in_flight", lambda: 5)  # 2 cores
    assert rendered(tmp_path, "production", **PRODUCTION)[1]["BOT_TURNS_IN_FLIGHT"] == "3"  # ceil(5 / 2)
    assert rendered(tmp_path, "production", API_WORKERS="1", **PRODUCTION)[1]["BOT_TURNS_IN_FLIGHT"] == "5"
    assert rendered(tmp_path, "production", API_WORKERS="8", **PRODUCTION)[1]["BOT_TURNS_IN_FLIGHT"] == "1"
    told = rendered(tmp_path, "production", BOT_TURNS_IN_FLIGHT="7", **PRODUCTION)[1]
    assert told["BOT_TURNS_IN_FLIGHT"] == "7"


def test_web_chat_messages_are_never_replayed_but_turns_and_texts_are(tmp_path: Path) -> None:
    if not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists():
        pytest.skip("HAProxy is installed by scripts/setup_load_balancer.sh")
    rendered(tmp_path, "production", **PRODUCTION)
    haproxy = (tmp_path / "run" / "haproxy.cfg").read_text()
    backends = {block.split("\n", 1)[0].strip(): block for block in haproxy.split("backend ")[1:]}
    assert "retry-on conn-failure\n" in backends["api"]
    for name in ("nlg", "rasa", "actions"):
        assert "retry-on conn-failure empty-response" in backends[name]
        assert "option http-buffer-request" in backends[name]
    assert "option http-buffer-request" not in backends["api"]


@pytest.mark.parametrize(("env", "says"), [
    ({"DATABASE_URL": "sqlite:///var/app.db", "REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL=postgresql://"),
    ({"DATABASE_URL": "postgresql://u@h/db", "REDIS_URL": ""}, "REDIS_URL=redis://"),
    ({**PRODUCTION, "TELEGRAM_BOT_TOKEN": "1:x"}, "TELEGRAM_WEBHOOK_SECRET"),
    ({**PRODUCTION, "API_WORKERS": "0"}, "at least 1"),
])
def test_production_refuses_to_start_with_what_to_set(tmp_path: Path, env: dict[str, str], says: str) -> None:
    done = subprocess.run([sys.executable, "deploy/profile.py", "production", "--render-only"], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin:/usr/sbin", "RUN_DIR": str(tmp_path / "run"),
                               "LOG_DIR": str(tmp_path / "log"), **env}, capture_output=True, text=True)
    assert done.returncode == 2 and says in done.stderr, done.stderr
