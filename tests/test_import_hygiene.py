"""The engine and the author commands never import Textual (they must start fast and run anywhere)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from game.locations import CACHE_ENV
from tests.conftest import ROOT


def modules_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_importing_the_engine_does_not_import_textual() -> None:
    loaded = modules_after("import game.engine, game.story, game.walkthrough")
    assert "game.engine" in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


CHECK = ("import contextlib, io\nfrom game.cli import main\n"
         "with contextlib.redirect_stdout(io.StringIO()):\n    assert main(['check']) == 0")


def test_check_and_walk_commands_do_not_import_textual() -> None:
    loaded = modules_after(f"{CHECK}\n    assert main(['walk']) == 0")
    assert "game.analysis" in loaded and "game.walkthrough" in loaded
    assert not any(m == "textual" or m.startswith("textual.") for m in loaded)


def test_check_parses_a_story_it_has_not_seen_and_then_reads_it_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first check of a story parses it; a second, with nothing changed, needs neither YAML nor
    the loader (the story, its warnings and its walkthroughs come from the story cache) and,
    since it writes nothing, no temporary files (``game.atomic.write_atomic`` imports tempfile)."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    first = modules_after(CHECK)
    assert "game.story.loader" in first and "yaml" in first
    again = modules_after(CHECK)
    assert "game.atomic" in again
    assert not {"yaml", "game.story.loader", "tempfile", "difflib"} & again


def test_check_with_the_cache_off_parses_and_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    loaded = modules_after(CHECK)
    assert "game.story.loader" in loaded and "tempfile" not in loaded


def test_a_cached_story_opens_without_importing_yaml_or_the_loader() -> None:
    opening = ("from game.story_cache import load_story\nfrom game.bundled import bundled_scenes\n"
               "load_story(bundled_scenes())")
    modules_after(opening)
    loaded = modules_after(opening)
    assert "game.story_cache" in loaded
    assert "yaml" not in loaded and "game.story.loader" not in loaded
    assert "difflib" not in loaded  # only a 'did you mean' needs it


def test_the_command_line_imports_the_game_only_in_the_commands_that_need_it() -> None:
    """`daylights --help` and the parser itself start without the engine, the saves or msgspec."""
    loaded = modules_after("import game.cli")
    heavy = {"game.engine", "game.analysis", "game.saves", "game.story_cache", "msgspec", "immutables", "platformdirs"}
    assert not heavy & loaded


def test_help_reads_the_story_s_line_without_yaml_msgspec_or_the_commands() -> None:
    """`daylights --help` once its story line is kept (see ``game.presentation``): argparse and little else."""
    asked = ("import contextlib, io\nfrom game.cli import main\n"
             "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])")
    modules_after(asked)
    loaded = modules_after(asked)
    assert "game.presentation" in loaded
    assert not {"yaml", "msgspec", "game.story", "json", "typing", "datetime"} & loaded


def test_the_check_limit_the_help_shows_is_the_analysis_default() -> None:
    from game.analysis import DEFAULT_LIMIT
    from game.cli import ANALYSIS_LIMIT

    assert ANALYSIS_LIMIT == DEFAULT_LIMIT
