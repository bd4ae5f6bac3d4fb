"""The architecture of api/: no import cycle between its packages or inside api/nlg, routes on top.

The contracts are import-linter's, in pyproject.toml (`[tool.importlinter]`); this test runs them
so a new import that closes a cycle fails the suite, with the import to remove in the message.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_api_keeps_its_import_contracts() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
