"""Debian's headless Chromium for the browser tests (driven by Playwright, no browser download), and
console accounts made with the command line as an admin would."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv-app" / "bin" / "python"


@contextmanager
def headless_chromium(*extra_args: str) -> Iterator[object]:
    """The browser, closed afterwards; `extra_args` add Chromium switches (a fake microphone, say)."""
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need /usr/bin/chromium: run scripts/setup_test_tools.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox", *extra_args])
        try:
            yield chromium
        finally:
            chromium.close()


def create_operator(env: Mapping[str, str], email: str, password: str, role: str = "editor") -> str:
    """An account in the database `env` names, through `python -m api.cli create-operator`."""
    subprocess.run([str(APP_PYTHON), "-m", "api.cli", "create-operator", "--role", role, "--email", email,
                    "--password-stdin"], input=password + "\n", text=True, env=dict(env), cwd=ROOT, check=True,
                   capture_output=True)
    return email


def log_in(page, base_url: str, email: str, password: str, lands_on: str) -> None:  # type: ignore[no-untyped-def]
    """Fill the console's login form and wait for the page the account's role lands on (`lands_on`, a URL glob)."""
    page.goto(f"{base_url}/console/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lands_on)
