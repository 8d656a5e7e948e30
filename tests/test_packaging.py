"""The bundled story is found from an installed wheel, not only from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_carries_the_story_and_finds_it(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("daylights-*.whl"))
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(installed)
    assert "game/_story/story.yaml" in names
    assert "game/_story/walkthroughs/canonical.yaml" in names
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}
    probe = "import game.bundled as b; print(b.bundled_scenes())"
    where = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()) == installed / "game" / "_story"
    check = subprocess.run([sys.executable, "-m", "game", "walk"], capture_output=True, text=True,
                           cwd=elsewhere, env=env, timeout=120)
    assert check.returncode == 0, check.stderr
    assert "Ending:" in check.stdout
