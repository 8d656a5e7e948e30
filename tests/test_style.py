"""The code base stays ruff-clean; the check runs with the tests so CI enforces it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_ruff_finds_nothing() -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is part of the test extras"
    result = subprocess.run([ruff, "check", "game", "tests", "benchmarks"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_mypy_strict_finds_nothing_in_the_game() -> None:
    """Types are checked strictly: mypy would have caught the unawaited coroutines that once
    shipped as dead buttons."""
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "game"], capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:]
