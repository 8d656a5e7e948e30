"""`daylights --help` presents a story from a kept line only while its story.yaml holds the same bytes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from game import presentation
from game.locations import CACHE_ENV
from game.story import yamlfile
from tests.conftest import TINY_STORY, write_story

PRESENTED = TINY_STORY.replace("title: Tiny\n", "title: Tiny\nauthor: Ada\nblurb: A butler keeps a secret.\n")
LINE = "Tiny, by Ada. A butler keeps a secret."


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder of this test's own, so that it sees only the entries it made."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))


def kept() -> list[Path]:
    return sorted(Path(os.environ[CACHE_ENV], "help").glob("*"))


def not_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading story.yaml fail the test: the line must come from the cache."""
    def refuse(path: Path) -> yamlfile.YamlFile:
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(yamlfile, "read_yaml_file", refuse)


def test_the_line_is_kept_and_used_while_story_yaml_holds_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "s", story=PRESENTED)
    assert presentation.story_line(folder) == LINE
    with monkeypatch.context() as patched:
        not_read_again(patched)
        assert presentation.story_line(folder) == LINE
    same_size = PRESENTED.replace("Ada", "Bob")
    stat = (folder / "story.yaml").stat()
    (folder / "story.yaml").write_text(same_size, encoding="utf-8")
    os.utime(folder / "story.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    assert presentation.story_line(folder) == "Tiny, by Bob. A butler keeps a secret."


@pytest.mark.parametrize("damage", [b"", b"garbage", b"daylights-help 1\n", "truncated", "escape", "not utf-8",
                                    "huge size"])
def test_a_damaged_or_planted_entry_is_made_again(tmp_path: Path, damage: bytes | str) -> None:
    folder = write_story(tmp_path / "s", story=PRESENTED)
    presentation.story_line(folder)
    [entry] = kept()
    whole = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(whole[:-len(LINE) - 10])
    elif damage == "escape":
        entry.write_bytes(whole.replace(b"Ada", b"\x1b[2J"))
    elif damage == "not utf-8":
        entry.write_bytes(whole.replace(b"Ada", b"\xff"))
    elif damage == "huge size":  # more digits than int() reads
        entry.write_bytes(re.sub(rb"\n[0-9]+\n", b"\n" + b"9" * 5000 + b"\n", whole, count=1))
    else:
        assert isinstance(damage, bytes)
        entry.write_bytes(damage)
    assert presentation.story_line(folder) == LINE
    assert entry.read_bytes() == whole


def test_an_unusable_story_yaml_or_cache_only_loses_the_line_or_the_speed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = write_story(tmp_path / "broken", story="title: [\n")
    assert presentation.story_line(broken) == ""
    assert presentation.story_line(tmp_path / "missing") == ""
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "story.yaml")
    assert presentation.story_line(fifo) == ""  # never blocks
    folder = write_story(tmp_path / "s", story=PRESENTED)
    (tmp_path / "not a folder").write_text("")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "not a folder"))
    assert presentation.story_line(folder) == LINE
    monkeypatch.setenv(CACHE_ENV, "off")
    assert presentation.story_line(folder) == LINE
