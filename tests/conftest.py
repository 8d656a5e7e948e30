"""Shared helpers: the bundled story, and tiny story folders written for one test."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from game.bundled import bundled_scenes
from game.locations import CACHE_ENV, SAVES_ENV
from game.story import Story, load_story

ROOT = Path(__file__).resolve().parent.parent

TINY_STORY = """\
id: tiny
title: Tiny
version: "1"
start: hall
acts:
  one: Act One
items:
  key:
    name: Brass key
    description: It opens the cellar.
variables:
  brave: false
  trust: 0
"""

TINY_ACT = """\
act: one
scenes:
  hall:
    title: Hall
    text: You stand in a hall.
    choices:
      - id: take_key
        text: Take the key
        goto: hall
        do: {give: key, set: brave}
      - id: cellar
        text: Open the cellar
        goto: cellar
        if: has key
        locked: true
      - id: flatter
        text: Flatter the butler
        goto: hall
        do: {add: {trust: 1}}
      - id: secret
        text: Ask the butler for the secret
        goto: win
        if: trust >= 2 and brave
  cellar:
    title: Cellar
    text: It is dark.
    ending: {kind: death, title: Eaten by a grue}
  win:
    title: Win
    text: The butler tells you everything.
    ending: {kind: canonical, title: The secret}
"""


def write_story(folder: Path, story: str = TINY_STORY, acts: dict[str, str] | None = None) -> Path:
    """Write a story folder: ``story.yaml`` plus act files (default: the tiny story)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "story.yaml").write_text(textwrap.dedent(story), encoding="utf-8")
    for name, text in (acts if acts is not None else {"one.yaml": TINY_ACT}).items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def tiny(tmp_path: Path) -> Story:
    return load_story(write_story(tmp_path / "tiny"))


@pytest.fixture(scope="session")
def bundled() -> Story:
    return load_story(bundled_scenes())


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m game ARGS`` in a real subprocess, as a user or CI would.

    Unless ``env`` says otherwise, saves go to a fresh temporary folder, never the checkout's.
    """
    if env is None:
        env = {**os.environ, SAVES_ENV: tempfile.mkdtemp(prefix="daylights-saves-")}
    return subprocess.run([sys.executable, "-m", "game", *args], input=input, capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=120)


@pytest.fixture(scope="session")
def _story_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def _saves_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                                 _story_cache: Path) -> None:
    """No test ever writes into the checkout's saves/ folder or the user's story cache."""
    monkeypatch.setenv(SAVES_ENV, str(tmp_path_factory.mktemp("saves")))
    monkeypatch.setenv(CACHE_ENV, str(_story_cache))
