"""schemathesis (`--checks all`) over the OpenAPI schema of a real API process, logged out and logged in.

No input may give a 500 or a status the schema does not declare. The number of examples per
operation is bounded so the whole file stays under about two minutes on a small machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.api_process import ApiProcess, api_environment, create_operator, running_api

EMAIL = "fuzz.admin@example.org"
PASSWORD = "a long fuzzing password"
MAX_EXAMPLES = "15"
# /readyz takes no input and answers 503 by design here (no Rasa or action server runs beside this API).
NOT_FUZZED = "^/readyz$"
# These also end the fuzzer's own session; the logged-in run leaves them to the logged-out one.
NOT_FUZZED_LOGGED_IN = "^(/readyz|/api/v1/auth/(logout|password|login))$"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> ApiProcess:
    workdir = tmp_path_factory.mktemp("fuzz")
    env = api_environment(workdir, LOGIN_RATE_LIMIT="10000/minute")
    # One bearer header then opens both the referral API (the action server's) and /nlg (Rasa's).
    env["NLG_TOKEN"] = env["SERVICE_TOKEN"]
    create_operator(workdir, env, EMAIL, PASSWORD)
    with running_api(workdir, env) as running:
        yield running


def schemathesis(api: ApiProcess, *options: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{api.url}/openapi.json",
               "--checks", "all", "--max-examples", MAX_EXAMPLES, "--phases", "examples,coverage,fuzzing",
               "--seed", "11", "--workers", "1", "--no-color", *options]
    # From the API's work directory: schemathesis keeps a cache of what it found there, not in the repository.
    return subprocess.run(command, cwd=api.log.parent, capture_output=True, text=True, timeout=300)


def test_no_input_breaks_the_api_without_a_session(api: ApiProcess) -> None:
    result = schemathesis(api, "--exclude-path-regex", NOT_FUZZED)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " 500 " not in api.log_text().replace("status=500", " 500 ")


def test_no_input_breaks_the_api_with_an_operator_session(api: ApiProcess) -> None:
    client = httpx.Client(base_url=api.url)
    login = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert login.status_code == 200, login.text
    cookie = f"console_session={client.cookies['console_session']}"
    result = schemathesis(api, "-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {login.json()['csrf_token']}",
                          "-H", f"Authorization: Bearer {api.env['SERVICE_TOKEN']}",
                          "--exclude-path-regex", NOT_FUZZED_LOGGED_IN)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert client.get("/api/v1/auth/me").status_code == 200  # the run really was logged in throughout
