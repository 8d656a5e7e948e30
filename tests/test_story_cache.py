"""The story cache: a story that has not changed opens without parsing, and nothing stale survives."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from game import engine
from game.locations import CACHE_ENV
from game.story import StoryError
from game.story import loader as story_loader
from game.story_cache import CheckedStory, check_story, load_story, open_story
from game.walkthrough import read_walkthroughs, walkthrough_problems
from tests.conftest import TINY_ACT, write_story


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder: object) -> None:
        raise AssertionError("the story was parsed although the cache holds it")

    monkeypatch.setattr(story_loader, "check_story", refuse)


def assert_parsed_afresh(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading ``folder`` now parses its files: the cache is not used."""
    no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        load_story(folder)


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "stories").glob("*.json"))


def test_an_unchanged_story_opens_from_the_cache_and_plays_the_same(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    parsed = load_story(folder)
    assert len(entries(cache)) == 1
    no_parsing(monkeypatch)
    cached = load_story(folder)
    assert cached == parsed and cached.fingerprint == parsed.fingerprint
    moves = ["take_key", "flatter", "flatter", "secret"]
    assert engine.replay(cached, moves).scene == "win"
    hall = engine.new_game(cached)
    assert [c.id for c in engine.open_choices(cached, hall)] == ["take_key", "flatter"]


def test_editing_a_scene_file_is_seen_at_once(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    (folder / "one.yaml").write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a ballroom."))
    assert "ballroom" in load_story(folder).scenes["hall"].text.fixed
    assert len(entries(cache)) == 1


def test_a_new_file_in_the_folder_is_seen_at_once(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    (folder / "two.yaml").write_text("act: one\nscenes:\n  attic:\n    title: Attic\n    text: Dust.\n"
                                     "    ending: {kind: failure, title: Lost}\n")
    assert "attic" in load_story(folder).scenes


def test_a_file_made_broken_raises_even_though_an_older_story_is_cached(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    (folder / "one.yaml").write_text(TINY_ACT.replace("goto: cellar", "goto: celar"))
    with pytest.raises(StoryError, match="celar"):
        load_story(folder)


def test_a_story_parsed_for_the_game_is_stored_only_when_asked_and_only_if_unchanged(
        tmp_path: Path, cache: Path) -> None:
    """The game stores a parsed story beside its first frame (``open_story``); an edit made meanwhile is not stored."""
    folder = write_story(tmp_path / "tiny")
    story, store = open_story(folder)
    assert store is not None and entries(cache) == []
    store()
    [entry] = entries(cache)
    assert open_story(folder) == (story, None)
    stored = entry.read_bytes()
    (folder / "one.yaml").write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a ballroom."))
    _, store = open_story(folder)
    (folder / "one.yaml").write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a ballroom!"))
    assert store is not None
    store()
    assert entry.read_bytes() == stored


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_entry_is_rebuilt_not_trusted(tmp_path: Path, cache: Path, damage: bytes | None) -> None:
    folder = write_story(tmp_path / "tiny")
    parsed = load_story(folder)
    [entry] = entries(cache)
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert load_story(folder) == parsed
    assert entry.read_bytes() == data


def test_an_entry_edited_into_another_valid_story_is_rebuilt_not_trusted(tmp_path: Path, cache: Path) -> None:
    """A hand edit that keeps the JSON well formed (here a choice sent to a scene that does not exist,
    which would crash the game) fails the entry's digest."""
    folder = write_story(tmp_path / "tiny")
    parsed = load_story(folder)
    [entry] = entries(cache)
    data = entry.read_bytes()
    assert data.count(b'"target":"win"') == 1
    entry.write_bytes(data.replace(b'"target":"win"', b'"target":"wim"'))
    assert load_story(folder) == parsed
    assert entry.read_bytes() == data


def test_a_file_edited_and_put_back_while_it_is_parsed_is_not_stored_under_the_old_key(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``git stash`` and ``git stash pop`` during a check: the key is made from A, the parse reads B,
    and A is back by the time the entry is stored. B's story must not be what A's key opens."""
    folder = write_story(tmp_path / "tiny")
    act = folder / "one.yaml"
    real_check = story_loader.check_story

    def parse_while_edited(root: Path) -> object:
        act.write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a ballroom."))
        try:
            return real_check(root)
        finally:
            act.write_text(TINY_ACT)

    monkeypatch.setattr(story_loader, "check_story", parse_while_edited)
    assert "ballroom" in load_story(folder).scenes["hall"].text.fixed
    assert entries(cache) == []
    monkeypatch.setattr(story_loader, "check_story", real_check)
    assert "ballroom" not in load_story(folder).scenes["hall"].text.fixed


def test_walkthroughs_are_parsed_from_the_bytes_the_key_was_made_from(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    walkthrough = with_walkthrough(folder, "take_key, flatter, flatter, secret")
    real_check = story_loader.check_story

    def parse_while_edited(root: Path) -> object:
        walkthrough.write_text("ending: win\nchoices: [take_key, secret]\n")  # after the key was made
        return real_check(root)

    monkeypatch.setattr(story_loader, "check_story", parse_while_edited)
    checked = checked_and_stored(folder)
    assert checked is not None and walkthrough_problems(checked.story, checked.walkthroughs) == []
    assert entries(cache) == []  # the walkthrough on disk is no longer what was keyed


def test_an_unwritable_cache_never_stops_the_story_from_opening(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    folder = write_story(tmp_path / "tiny")
    assert load_story(folder).start == "hall"
    assert load_story(folder).start == "hall"


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    assert_parsed_afresh(folder, monkeypatch)


def test_the_same_folder_named_two_ways_never_shares_paths_in_messages(tmp_path: Path, cache: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    absolute = load_story(folder)
    monkeypatch.chdir(tmp_path)
    relative = load_story(Path("tiny"))
    assert absolute.root == str(folder) and relative.root == "tiny"
    assert relative.scenes["hall"].loc.path != absolute.scenes["hall"].loc.path


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")
def test_an_entry_owned_by_another_user_is_never_read(tmp_path: Path, cache: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    [entry] = entries(cache)
    os.chown(entry, 12345, 12345)
    assert_parsed_afresh(folder, monkeypatch)


def test_an_entry_that_is_not_a_regular_file_is_never_read(tmp_path: Path, cache: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe (or a link to /dev/zero) in the cache could stall or flood the reader: only plain files are read."""
    folder = write_story(tmp_path / "tiny")
    load_story(folder)
    [entry] = entries(cache)
    data = entry.read_bytes()
    entry.unlink()
    os.mkfifo(entry)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), entry.open("wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    assert_parsed_afresh(folder, monkeypatch)
    for _ in range(200):  # a reader that opens and closes lets the writer's open return, then its write fail
        os.close(os.open(entry, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=0.05)
        if not writer.is_alive():
            break
    assert not writer.is_alive()


def test_without_the_loaders_source_to_key_on_nothing_is_cached(tmp_path: Path, cache: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from game import story_cache

    monkeypatch.setattr(story_cache, "_SOURCES", (tmp_path / "no-sources",))
    load_story(write_story(tmp_path / "tiny"))
    assert entries(cache) == []


def test_a_file_edited_while_the_story_is_parsed_is_never_cached_under_the_old_key(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    parse = story_loader.check_story

    def parse_then_edit(where: object) -> object:
        result = parse(where)  # type: ignore[arg-type]
        (folder / "one.yaml").write_text(TINY_ACT.replace("You stand in a hall.", "You stand in a ballroom."))
        return result

    monkeypatch.setattr(story_loader, "check_story", parse_then_edit)
    load_story(folder)
    assert entries(cache) == []
    monkeypatch.setattr(story_loader, "check_story", parse)
    assert load_story(folder).scenes["hall"].text.fixed == "You stand in a ballroom."


def with_walkthrough(folder: Path, choices: str) -> Path:
    """``folder`` with one walkthrough, ``walkthroughs/win.yaml``, and a ``.yml`` file the loader
    warns about; returns the walkthrough."""
    (folder / "notes.yml").write_text("not: a scene file\n")
    (folder / "walkthroughs").mkdir(exist_ok=True)
    walkthrough = folder / "walkthroughs" / "win.yaml"
    walkthrough.write_text(f"ending: win\nchoices: [{choices}]\n")
    return walkthrough


def checked_and_stored(folder: Path) -> CheckedStory | None:
    """``check_story`` as the command makes it: the story checked, then stored."""
    checked, _, store = check_story(folder)
    if store is not None:
        store()
    return checked


def test_check_reads_the_warnings_and_walkthroughs_from_the_cache_too(
        tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    with_walkthrough(folder, "take_key, flatter, flatter, secret")
    first, warnings, store = check_story(folder)
    assert first is not None and [w.message for w in warnings] == ["ignored: scene files must end in .yaml"]
    assert [Path(w.path).name for w in first.walkthroughs] == ["win.yaml"]
    assert store is not None and entries(cache) == []
    store()
    no_parsing(monkeypatch)
    again, cached, store = check_story(folder)
    assert again == first and cached == warnings and store is None
    assert again is not None and walkthrough_problems(again.story, again.walkthroughs) == []


def test_an_edited_walkthrough_is_checked_afresh(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    walkthrough = with_walkthrough(folder, "take_key, flatter, flatter, secret")
    checked_and_stored(folder)
    walkthrough.write_text("ending: win\nchoices: [take_key, secret]\n")
    checked = checked_and_stored(folder)
    assert checked is not None
    [problem] = walkthrough_problems(checked.story, checked.walkthroughs)
    assert problem.loc.path == str(walkthrough) and problem.loc.line == 2 and "move 2" in problem.message
    no_parsing(monkeypatch)
    assert check_story(folder)[0] == checked  # and that is what is cached now


def test_a_story_the_game_stored_gives_check_its_walkthroughs(tmp_path: Path, cache: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    with_walkthrough(folder, "take_key, secret")
    story = load_story(folder)
    no_parsing(monkeypatch)
    checked, warnings, _ = check_story(folder)
    assert checked is not None and checked.story == story and len(warnings) == 1
    assert checked.walkthroughs == read_walkthroughs(folder)
    [problem] = walkthrough_problems(story, checked.walkthroughs)
    assert problem.message == "move 2: choice 'secret' in scene 'hall' is locked: needs trust >= 2 and brave"


def test_an_entry_is_written_a_scene_at_a_time_and_is_the_same_json(tmp_path: Path, cache: Path) -> None:
    """Streamed (so a large story never holds its whole encoding), and byte for byte what encoding it
    whole gives."""
    import msgspec

    from game import story_cache

    folder = write_story(tmp_path / "tiny")
    with_walkthrough(folder, "take_key")
    checked = checked_and_stored(folder)
    assert checked is not None
    [entry] = entries(cache)
    header, _, rest = entry.read_bytes().partition(b"\n")
    body, _, digest = rest.rpartition(b"\n")
    assert header.startswith(story_cache.FORMAT)
    assert body == msgspec.json.encode(checked, enc_hook=story_cache._encode)
    assert digest == hashlib.sha256(body).hexdigest().encode()
    assert len(list(story_cache._pieces(b"", checked))) > len(checked.story.scenes)


OPEN_ASIDE = """
import sys
from pathlib import Path
from game.open_aside import open_aside
wait = open_aside(Path(sys.argv[1]))
print("started" if wait is not None else "not started")
if wait is not None:
    wait()
"""


@pytest.mark.skipif(not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork and two processors")
def test_a_story_opened_aside_is_in_the_cache_once_waited_for(tmp_path: Path, cache: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_story(tmp_path / "tiny")
    done = subprocess.run([sys.executable, "-c", OPEN_ASIDE, str(folder)], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout == "started\n" and done.stderr == ""  # the child writes nothing to the terminal
    assert len(entries(cache)) == 1
    no_parsing(monkeypatch)
    assert open_story(folder)[1] is None  # read from the cache the child filled


def test_nothing_is_opened_aside_without_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    done = subprocess.run([sys.executable, "-c", OPEN_ASIDE, str(write_story(tmp_path / "tiny"))],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout == "not started\n"


def test_a_broken_story_opened_aside_is_still_reported_by_the_game(tmp_path: Path, cache: Path) -> None:
    folder = write_story(tmp_path / "tiny", acts={"one.yaml": TINY_ACT.replace("goto: win", "goto: nowhere")})
    subprocess.run([sys.executable, "-c", OPEN_ASIDE, str(folder)], timeout=60, check=True)
    assert entries(cache) == []
    with pytest.raises(StoryError, match="nowhere"):
        open_story(folder)


def test_a_path_json_cannot_hold_goes_uncached_never_a_traceback(tmp_path: Path, cache: Path) -> None:
    """A file name that is not UTF-8 reaches the story as a lone surrogate, which JSON cannot hold."""
    folder = write_story(tmp_path / "tiny")
    (folder / os.fsdecode(b"old\xff.yml")).write_text("act: one\n")
    checked = checked_and_stored(folder)
    assert checked is not None and entries(cache) == []
    assert not list((cache / "stories").glob(".tmp-*"))
