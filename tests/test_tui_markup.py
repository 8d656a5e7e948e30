"""Every string from a file or a player is shown as text: never parsed as markup, never a raw control.

The property: take any string made of markup-like pieces and control characters, put it in every
field of a story the TUI shows (titles, prose, choices, lock reasons, items, dossier labels, the
ending), in a save's name and in a notification, then visit every screen. The exact text, with
control characters made visible, must be on screen, and no action hidden in it may run.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual.widgets import DataTable, OptionList, Static

from game import engine
from game.saves import SaveStore
from game.story import Story, load_story
from game.story.model import plain_text
from game.tui.app import DaylightsApp
from game.tui.play import PlayScreen
from game.tui.safe import clean, content, one_line
from game.tui.screens import EndingScreen, JournalScreen, TitleScreen
from tests.tui_builder import FrozenClock, write_keys_story

PAYLOADS = ["[/]", "[@click=app.screenshot]x[/]", "[b]bold?[/b]", "\x1b]52;c;aGVsbG8=\x07", "[WIP] run",
            "\x1b[2J\x9b31m", "abc\u202edcba", "$primary [on red]", "[link='file:///etc/passwd']y"]
PIECES = st.sampled_from(["[", "]", "[/]", "[b]", "[@click=", "app.quit", "app.bell()", "]x", "$", "\\", "=",
                          "\x1b", "\x07", "\x9b", "\u202e", "\x00", "\t", " ", "word", "é", "漢"])
HOSTILE = st.one_of(st.sampled_from(PAYLOADS),
                    st.lists(PIECES, min_size=1, max_size=8).map("".join).filter(lambda s: s.strip()))


class Base:
    """The test story and its folder (with a short repr: Hypothesis prints it with every failure)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.story = load_story(folder)

    def __repr__(self) -> str:
        return f"Base({self.folder})"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return Base(write_keys_story(tmp_path_factory.mktemp("markup") / "scenes"))


def hostile_story(story: Story, word: str) -> Story:
    """``story`` with ``word`` in every string the player can see (built past the loader, which may
    refuse control characters: the TUI must be safe whatever reaches it)."""
    replace = msgspec.structs.replace
    text = plain_text(word)
    scenes = {}
    for scene_id, scene in story.scenes.items():
        choices = tuple(replace(c, text=plain_text(f"{word} {c.id}"),
                                locked_reason=text if c.locked_reason is not None else None)
                        for c in scene.choices)
        ending = replace(scene.ending, title=word) if scene.ending is not None else None
        scenes[scene_id] = replace(scene, title=word, text=text, choices=choices, ending=ending)
    return replace(story, title=word, subtitle=word, acts=tuple(replace(a, title=word) for a in story.acts),
                   items={i: replace(item, name=word, description=word) for i, item in story.items.items()},
                   variables={v: replace(var, label=text if var.label else None)
                              for v, var in story.variables.items()},
                   scenes=scenes)


def shown(app: DaylightsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def prompts(app: DaylightsApp, selector: str) -> list[str]:
    listing = app.screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def visit_every_screen(folder: Path, saves: Path, story: Story, word: str) -> None:
    store = SaveStore(saves)
    store.save("[WIP] run", story, engine.new_game(story))
    app = DaylightsApp(folder, store, story=story, clock=FrozenClock(), settings=saves / "settings.json")
    actions_run: list[str] = []
    app.action_screenshot = lambda *args, **kwargs: actions_run.append("screenshot")  # type: ignore[method-assign]
    app.action_bell = lambda: actions_run.append("bell")  # type: ignore[method-assign]
    app.action_quit = lambda: actions_run.append("quit")  # type: ignore[method-assign,assignment]
    visible, line = clean(word), one_line(word)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        assert isinstance(app.screen, TitleScreen)
        assert shown(app, "#title-text") == visible and shown(app, "#title-sub") == visible
        await pilot.click("#title-text")
        app.action_new_game()
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert shown(app, "#status").startswith(f"{line}  ·  {line}  ·  moves 0")
        assert shown(app, "#prose") == f"{visible}\n\n{clean(' '.join(word.split()))}"
        said = clean(" ".join(word.split()))  # choice texts and lock reasons arrive rendered on one line
        assert prompts(app, "#choices")[0] == f"1. {said} take_lamp"
        assert prompts(app, "#choices")[2] == f"   {said} open_door  (locked: {said})"
        await pilot.click("#status")
        await pilot.click("#prose")
        await pilot.press("1", "i")
        await pilot.pause()
        assert prompts(app, "#items") == [visible]
        assert shown(app, "#item-description") == visible
        await pilot.press("d")
        await pilot.pause()
        label = " ".join(word.split())  # a label is text, rendered on one line; a blank one waits
        assert shown(app, "#dossier-lines") == (f"{clean(label)}: 1 of 5" if label else "Nothing in the dossier yet.")
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        assert prompts(app, "#journal-list")[0] == f"1. {line} → {said} take_lamp"
        assert shown(app, "#journal-text").startswith(f"{visible} — {visible}")
        await pilot.press("escape", "l")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert [str(table.get_row(key)[0]) for key in table.rows if key.value == "[WIP] run"] == ["[WIP] run"]
        await pilot.press("escape")
        app.say(word, title=word)
        await pilot.pause()
        notification = list(app._notifications)[-1]
        assert (notification.message, notification.title, notification.markup) == (visible, visible, False)
        assert "\x1b" not in app.export_screenshot()
        await pilot.press("1", "1")
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert shown(app, "#ending-title") == visible and shown(app, "#ending-prose") == clean(" ".join(word.split()))
        await pilot.click("#ending-title")
    assert actions_run == []


@given(word=HOSTILE)
@example(word="[@click=app.screenshot]x[/]")
@example(word="[/]")
@example(word="\x1b]52;c;aGVsbG8=\x07")
@example(word="[\t")
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_string_in_a_story_or_a_save_is_shown_exactly_and_runs_nothing(
        base: Base, tmp_path_factory: pytest.TempPathFactory, word: str) -> None:
    saves = tmp_path_factory.mktemp("saves")
    asyncio.run(visit_every_screen(base.folder, saves, hostile_story(base.story, word), word))


@pytest.mark.parametrize("raw, seen", [
    ("\x1b]2;pwned\x07", "␛]2;pwned␇"), ("a\u202eb", "a\ufffdb"), ("\x9b", "\ufffd"), ("tab\there", "tab␉here"),
    ("[b]x[/b]", "[b]x[/b]"), ("line\nbreak", "line\nbreak"), ("Zürich 漢字", "Zürich 漢字"),
])
def test_control_characters_become_visible_symbols_and_brackets_stay_text(raw: str, seen: str) -> None:
    assert clean(raw) == seen
    assert str(content(raw)) == seen and content(raw).spans == []
