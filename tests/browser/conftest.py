"""The browser tests' shared headless Chromium (Debian's, driven by Playwright; no browser download)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browsers import headless_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One browser per test file."""
    with headless_chromium() as chromium:
        yield chromium
