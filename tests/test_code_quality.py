"""The library stays typed (mypy strict) and lint-clean (ruff): both run as part of the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent


def run_tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_mypy_strict() -> None:
    result = run_tool("mypy", "verifier")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    result = run_tool("ruff", "check", "verifier", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
