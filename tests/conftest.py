"""Shared by every suite."""

from tests.support.rerun_teardown import pytest_configure  # noqa: F401  (a hook: teardowns kept across reruns)
