"""A module fixture first set up during a rerun is torn down (tests/support/rerun_teardown.py).

The end-to-end suite runs with `--reruns 1`. Its first test needs the shared stack (session scope) and then a
browser (module scope); when the stack failed to start once, the browser opened during the rerun was never
closed, and its Playwright broke every later browser and asyncio test of the run. The same shape runs here
in a pytest of its own, with a plain module fixture that writes when it is torn down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("pytest_rerunfailures")

CONFTEST = '''
import pytest
from tests.support.rerun_teardown import pytest_configure  # noqa: F401

TORN_DOWN = __import__("pathlib").Path(__file__).with_name("torn-down")
FAILED = __import__("pathlib").Path(__file__).with_name("failed-once")


@pytest.fixture(scope="session")
def stack():
    if not FAILED.exists():
        FAILED.touch()
        raise RuntimeError("the stack did not start this time")
    yield "stack"
    with TORN_DOWN.open("a") as out:
        out.write("stack\\n")


@pytest.fixture(scope="module")
def browser():
    yield "browser"
    with TORN_DOWN.open("a") as out:
        out.write("browser\\n")
'''

TESTS = '''
import pathlib

def test_first(stack, browser):
    assert browser == "browser"
'''

LATER = '''
import pathlib

def test_after_the_module(stack):
    torn_down = pathlib.Path(__file__).with_name("torn-down")
    assert torn_down.exists() and torn_down.read_text() == "browser\\n"
'''


def test_a_fixture_first_set_up_in_a_rerun_is_torn_down_with_its_module(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_a_first.py").write_text(TESTS)
    (tmp_path / "test_b_later.py").write_text(LATER)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--reruns", "1", "-rfER",
         "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert "1 rerun" in result.stdout, result.stdout  # the first attempt failed, as in the suite
    assert result.returncode == 0, result.stdout + result.stderr
    # The browser went with its module, before the later module ran; the stack at the end of the session.
    assert (tmp_path / "torn-down").read_text() == "browser\nstack\n"
