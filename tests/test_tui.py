"""The TUI driven through Textual's Pilot at 80x24: every screen, every key and button, and what each does.

Each test asserts the effect of a key (the screen shown, the state, the file written), not only
that the app survived it. Most play ``KEYS_STORY`` (tests/tui_builder.py), a story written for
these tests; the last plays the bundled story's canonical walkthrough by key presses.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from textual.color import Color
from textual.widgets import Button, DataTable, Input, OptionList, Static

from game import engine
from game.bundled import bundled_scenes, canonical_walkthrough
from game.saves import SaveStore
from game.story import Story, load_story
from game.tui.app import DaylightsApp, TooSmallScreen
from game.tui.dialogs import ConfirmScreen, NameScreen
from game.tui.help import HelpScreen
from game.tui.keybar import KeyBar
from game.tui.play import PlayScreen
from game.tui.saves_screen import SavesScreen
from game.tui.screens import EndingScreen, EndingsScreen, JournalScreen, TitleScreen
from game.tui.theme import DAYLIGHTS_THEME
from game.walkthrough import read_walkthrough
from tests.conftest import TINY_ACT, write_story
from tests.tui_builder import FrozenClock, build_app, write_keys_story

SIZE = (80, 24)


@pytest.fixture
def scenes(tmp_path: Path) -> Path:
    return write_keys_story(tmp_path / "scenes")


@pytest.fixture
def story(scenes: Path) -> Story:
    return load_story(scenes)


def app_for(tmp_path: Path, scenes: Path, **options: object) -> DaylightsApp:
    return build_app(tmp_path / "saves", scenes=scenes, **options)  # type: ignore[arg-type]


def menu_ids(app: DaylightsApp) -> list[str]:
    menu = app.screen.query_one("#menu", OptionList)
    return [menu.get_option_at_index(i).id or "" for i in range(menu.option_count)]


def text_of(app: DaylightsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def help_text(app: DaylightsApp) -> str:
    """The help table as a 200-column terminal would print it."""
    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one("#help-keys", Static).content)
    return console.export_text()


def keys_shown(app: DaylightsApp) -> list[str]:
    return str(app.screen.query_one(KeyBar).render()).split()


def notices(app: DaylightsApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def choice_prompts(app: DaylightsApp) -> list[str]:
    choices = app.screen.query_one("#choices", OptionList)
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


async def pick(pilot, entry: str) -> None:  # type: ignore[no-untyped-def]
    """Choose ``entry`` on the title menu with the arrows and Enter."""
    menu = pilot.app.screen.query_one("#menu", OptionList)
    menu.highlighted = menu_ids(pilot.app).index(entry)
    await pilot.press("enter")
    await pilot.pause()


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await pilot.pause()


# -- the title screen ---------------------------------------------------------------------------

async def test_title_offers_continue_when_an_autosave_exists_and_resume_instead_during_a_game(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen) and text_of(app, "#title-text") == "The House on the Hill"
        assert menu_ids(app) == ["new", "load", "speedrun", "endings", "quit"]
    SaveStore(tmp_path / "saves").autosave(story, engine.replay(story, ["take_lamp"]))
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        assert menu_ids(app) == ["continue", "new", "load", "speedrun", "endings", "quit"]
        await pick(pilot, "continue")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"
        await press(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)
        assert menu_ids(app) == ["resume", "new", "load", "speedrun", "endings", "quit"]
        await pick(pilot, "resume")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"


async def test_title_q_quits_and_question_mark_opens_its_help(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen) and "quit the game" in help_text(app)
        await press(pilot, "escape", "q")
        assert not app.is_running


# -- playing --------------------------------------------------------------------------------------

async def test_number_keys_arrows_enter_and_clicks_all_take_choices(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PlayScreen)
        assert "The Approach  ·  The gate  ·  moves 0" in text_of(app, "#status")
        await press(pilot, "1")
        assert app.session.state.scene == "path"
        await press(pilot, "down", "enter")
        assert app.session.state.scene == "gate"
        await pilot.click("#choices", offset=(4, 1))
        await pilot.pause()
        assert app.session.state.scene == "path"
        assert "moves 3" in text_of(app, "#status")
        await press(pilot, "9")
        assert app.session.state.scene == "path"


async def test_locked_choice_is_shown_dimmed_with_its_reason_and_cannot_be_taken(
        tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        choices = app.screen.query_one("#choices", OptionList)
        locked = choices.get_option_at_index(2)
        assert locked.disabled and str(locked.prompt) == "   Unlock the lodge door  (locked: You need the folded map.)"
        await press(pilot, "3")
        assert app.session.state.scene == "gate"


async def test_a_slow_disk_never_holds_up_a_key_press_and_the_autosave_lands_before_exit(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    import threading

    app = app_for(tmp_path, scenes, start="new")
    disk = threading.Event()
    write = app.store.autosave

    def slow_autosave(story: Story, state: engine.State) -> object:
        disk.wait(10)
        return write(story, state)

    app.store.autosave = slow_autosave  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "1")
        assert app.session.state.scene == "door", "both moves were taken while the disk was stuck"
        assert SaveStore(tmp_path / "saves").latest_autosave(story) is None
        disk.set()
    latest = SaveStore(tmp_path / "saves").latest_autosave(story)
    assert latest is not None and latest.scene_title == "The door"


async def test_inventory_panel_describes_items_and_leaves_the_choices_visible(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "1")
        assert not app.screen.query("#inventory")
        await press(pilot, "i")
        panel = app.screen.query_one("#inventory")
        assert app.screen.focused is app.screen.query_one("#items")
        items = app.screen.query_one("#items", OptionList)
        assert [str(items.get_option_at_index(i).prompt) for i in range(items.option_count)] == \
            ["Brass lamp", "Folded map"]
        assert text_of(app, "#item-description") == "It smells of lamp oil and old fingers."
        await press(pilot, "down")
        assert text_of(app, "#item-description") == "The house is marked with a cross in red ink."
        choices = app.screen.query_one("#choices")
        assert not choices.region.overlaps(panel.region) and choices.region.bottom <= SIZE[1] - 1
        await press(pilot, "i")
        assert not app.screen.query("#inventory") and app.screen.focused is app.screen.query_one("#choices")
        await press(pilot, "u", "u", "i")
        assert app.screen.query_one("#items", OptionList).option_count == 0
        assert text_of(app, "#item-description") == "You carry nothing of note."


async def test_long_prose_scrolls_with_page_keys_while_a_panel_has_the_focus(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "i")
        story_view = app.screen.query_one("#story")
        choices = app.screen.query_one("#choices")
        assert story_view.max_scroll_y > 0 and choices.region.bottom <= SIZE[1] - 1
        await press(pilot, "pagedown")
        assert story_view.scroll_y > 0
        await press(pilot, "pageup")
        assert story_view.scroll_y == 0


async def test_dossier_shows_the_shown_variables_and_never_the_hidden_ones(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        assert "Dossier" in keys_shown(app)
        await press(pilot, "d")
        assert text_of(app, "#dossier-lines") == "Courage: 0 of 5"
        await press(pilot, "1")
        assert text_of(app, "#dossier-lines") == "Courage: 1 of 5"
        screen_text = app.export_screenshot()
        assert "secret" not in screen_text and "Never shown" not in screen_text
        await press(pilot, "i")
        assert app.screen.query("#inventory") and not app.screen.query("#dossier")
        await press(pilot, "d", "d")
        assert not app.screen.query("#dossier") and not app.screen.query("#inventory")
        await press(pilot, "d", "escape")
        assert isinstance(app.screen, PlayScreen) and not app.screen.query("#dossier")
        await press(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)


async def test_a_story_without_shown_variables_offers_no_dossier_key(tmp_path: Path) -> None:
    app = build_app(tmp_path / "saves", scenes=write_story(tmp_path / "tiny"), start="new")
    async with app.run_test(size=SIZE) as pilot:
        assert "Dossier" not in keys_shown(app)
        assert "Dossier" not in {c.title for c in app.get_system_commands(app.screen)}
        await press(pilot, "d")
        assert not app.screen.query("#dossier")


async def test_wide_terminal_keeps_a_readable_measure_with_the_choices_under_the_prose(
        tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=(200, 60)) as pilot:
        await press(pilot, "1")
        prose = app.screen.query_one("#prose")
        choices = app.screen.query_one("#choices")
        assert prose.region.width <= 84
        assert 0 <= choices.region.y - app.screen.query_one("#story").region.bottom <= 1
        assert choices.region.y < 15


async def test_notifications_never_cover_the_choices(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await press(pilot, "f5")
        await pilot.pause()
        assert "Quicksaved." in notices(app)
        toasts = list(app.screen.query("Toast"))
        assert toasts
        choices = app.screen.query_one("#choices").region
        assert all(not toast.region.overlaps(choices) for toast in toasts)


# -- the key bar and help -----------------------------------------------------------------------

async def test_key_bar_names_only_the_keys_that_work_on_each_screen(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        assert keys_shown(app) == ["?", "Help", "q", "Quit", "^p", "palette"]
        await pick(pilot, "new")
        line = str(app.screen.query_one(KeyBar).render())
        assert line.split() == ["i", "Inventory", "d", "Dossier", "j", "Journal", "s", "Save", "l", "Load",
                                "u", "Undo", "?", "Help", "^p", "palette"]
        assert len(line) == SIZE[0]
        await pilot.click(KeyBar, offset=(line.index("Journal"), 0))
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen) and keys_shown(app)[:2] == ["esc", "Close"]
        await press(pilot, "escape", "s")
        assert isinstance(app.screen, SavesScreen)
        assert keys_shown(app)[:6] == ["esc", "Close", "n", "New", "save", "d"]
        await press(pilot, "escape", "l")
        assert "New" not in keys_shown(app) and keys_shown(app)[:2] == ["esc", "Close"]
        await press(pilot, "escape", "question_mark")
        assert isinstance(app.screen, HelpScreen) and keys_shown(app)[:2] == ["esc", "Close"]
        await press(pilot, "escape", "1", "ctrl+r")
        assert isinstance(app.screen, ConfirmScreen) and keys_shown(app)[:4] == ["y", "Yes", "n", "No"]


async def test_undo_is_hidden_in_a_speedrun_and_dimmed_with_nothing_to_undo(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        bar = app.screen.query_one(KeyBar)
        assert [enabled for binding, enabled in bar.shown()[0] if binding.action == "app.undo"] == [False]
        await press(pilot, "1")
        assert [enabled for binding, enabled in bar.shown()[0] if binding.action == "app.undo"] == [True]
    app = app_for(tmp_path, scenes, start="speedrun")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1")
        assert "Undo" not in keys_shown(app) and "Save" not in keys_shown(app)
        await press(pilot, "u", "s", "l", "f9")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"
        assert not {"Undo", "Save", "Load"} & {c.title for c in app.get_system_commands(app.screen)}


async def test_help_is_written_from_the_bindings_of_the_screen_it_was_opened_on(
        tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        for key in ("question_mark", "f1"):
            await press(pilot, key)
            assert isinstance(app.screen, HelpScreen)
            rows = help_text(app)
            for binding in PlayScreen.BINDINGS:
                assert binding.tooltip and binding.tooltip in rows
            for keys in ("1–9", "u ^z", "f5", "f9", "^r", "esc", "^q", "^p", "pgup"):
                assert keys in rows
            assert "Focus Next" not in rows
            await press(pilot, "escape")
            assert isinstance(app.screen, PlayScreen)


def test_every_key_the_game_declares_explains_itself_for_the_help() -> None:
    from game.tui.saves_screen import SavesScreen

    screens = [DaylightsApp, PlayScreen, TitleScreen, EndingScreen, JournalScreen, EndingsScreen, SavesScreen,
               HelpScreen, ConfirmScreen, NameScreen]
    for screen in screens:
        for binding in screen.BINDINGS:
            assert not isinstance(binding, tuple) and binding.tooltip, f"{screen.__name__}: {binding}"


# -- journal, saves -----------------------------------------------------------------------------

async def test_journal_lists_scenes_and_choices_and_rereads_old_text(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "1", "j")
        assert isinstance(app.screen, JournalScreen)
        listing = app.screen.query_one("#journal-list", OptionList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert prompts == ["1. The gate → Take the lamp from the lodge", "2. The path → Pick up the map from the mud",
                           "3. The door  (you are here)"]
        await press(pilot, "up", "up")
        assert "Paragraph 12 of the gate" in text_of(app, "#journal-text")
        assert text_of(app, "#journal-text").endswith("You chose: Take the lamp from the lodge")
        await press(pilot, "j")
        assert isinstance(app.screen, PlayScreen)


async def test_named_save_overwrite_confirmation_load_and_delete(tmp_path: Path, scenes: Path, story: Story) -> None:
    store = SaveStore(tmp_path / "saves")
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "s", "enter")
        assert isinstance(app.screen, NameScreen)
        await press(pilot, *"bad/name", "enter")
        assert "cannot contain '/'" in text_of(app, "#name-error")
        app.screen.query_one(Input).value = ""
        await press(pilot, *"hill", "enter")
        assert store.path(story, "hill").is_file() and not app.session.unsaved
        await press(pilot, "1", "s")
        table = app.screen.query_one(DataTable)
        assert [row.value for row in table.rows] == ["\0new", "hill"]
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, ConfirmScreen) and "Overwrite the save 'hill'?" in text_of(app, "#question")
        await press(pilot, "y")
        assert store.read("hill", story).state.scene == "door"
        await press(pilot, "u", "l")
        assert app.session.state.scene == "path"
        slots = [row.value for row in app.screen.query_one(DataTable).rows]
        app.screen.query_one(DataTable).move_cursor(row=slots.index("hill"))
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmScreen) and "Load 'hill'?" in text_of(app, "#question")
        await press(pilot, "y")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "door"
        await press(pilot, "u")
        assert app.session.state.scene == "path", "undo goes back through the loaded save's choices"
        await press(pilot, "l")
        slots = [row.value for row in app.screen.query_one(DataTable).rows]
        app.screen.query_one(DataTable).move_cursor(row=slots.index("hill"))
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "n")
        assert store.path(story, "hill").is_file()
        await press(pilot, "l")
        app.screen.query_one(DataTable).move_cursor(row=slots.index("hill"))
        await press(pilot, "d", "y")
        assert not store.path(story, "hill").exists()


async def test_the_remaining_dialog_keys_and_buttons_do_what_they_say(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "s", "n")
        assert isinstance(app.screen, NameScreen)
        await press(pilot, *"kept", "escape")
        assert isinstance(app.screen, PlayScreen) and not SaveStore(tmp_path / "saves").path(story, "kept").exists()
        await press(pilot, "ctrl+r")
        await pilot.click("#no")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"
        await press(pilot, "ctrl+r")
        await pilot.click("#yes")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gate"
        for closing in ("q", "f1", "question_mark", "escape"):
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            await press(pilot, closing)
            assert isinstance(app.screen, PlayScreen)
        await press(pilot, "2", "escape")
        assert isinstance(app.screen, TitleScreen)
        await pick(pilot, "endings")
        await press(pilot, "e")
        assert isinstance(app.screen, TitleScreen)
        await press(pilot, "ctrl+q")
        assert not app.is_running


async def test_load_list_is_newest_first_with_seconds(tmp_path: Path, scenes: Path, story: Story) -> None:
    store = SaveStore(tmp_path / "saves")
    for slot, stamp in (("alpha", "2026-11-20T21:15:07+00:00"), ("beta", "2026-11-20T21:15:42+00:00")):
        store.save(slot, story, engine.new_game(story))
        path = store.path(story, slot)
        record = json.loads(path.read_text())
        record["saved_at"] = stamp
        path.write_text(json.dumps(record))
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "load")
        table = app.screen.query_one(DataTable)
        assert [row.value for row in table.rows] == ["beta", "alpha"]
        assert table.get_row_at(0)[-1].endswith(":42") and table.get_row_at(1)[-1].endswith(":07")
        assert table.ordered_columns[0].content_width >= len("alpha"), "names are not cut to the header's width"


async def test_quicksave_writes_the_file_and_quickload_asks_over_unsaved_moves_and_keeps_undo(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "f5")
        assert SaveStore(tmp_path / "saves").read("quicksave", story).state.scene == "path"
        await press(pilot, "1", "f9")
        assert isinstance(app.screen, ConfirmScreen) and "Quickload?" in text_of(app, "#question")
        await press(pilot, "n")
        assert app.session.state.scene == "door"
        await press(pilot, "f9", "y")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"
        await press(pilot, "f9")
        assert isinstance(app.screen, PlayScreen), "nothing unsaved: no question"
        await press(pilot, "u")
        assert app.session.state.scene == "gate"


async def test_new_game_over_unsaved_moves_asks_first_from_title_and_palette(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "escape")
        await pick(pilot, "new")
        assert isinstance(app.screen, ConfirmScreen) and "Start a new game?" in text_of(app, "#question")
        await press(pilot, "n")
        assert app.session.state.scene == "path"
        app.action_new_game()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await press(pilot, "y")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gate"


async def test_undo_with_u_and_ctrl_z_and_restart_asks_then_can_be_undone(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "1")
        assert app.session.state.scene == "door"
        await press(pilot, "u")
        assert app.session.state.scene == "path"
        await press(pilot, "ctrl+z")
        assert app.session.state.scene == "gate"
        await press(pilot, "1", "ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Undo brings you back to where you are now" in text_of(app, "#question")
        await press(pilot, "y")
        assert app.session.state.scene == "gate" and app.session.state.moves == 0
        await press(pilot, "u")
        assert app.session.state.scene == "path", "the confirmation promised undo would bring the game back"


# -- the ending ---------------------------------------------------------------------------------

async def test_ending_screen_shows_the_prose_then_the_ending_and_its_numbers(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        assert isinstance(app.screen, EndingScreen)
        assert text_of(app, "#ending-prose").startswith("You run until the house is only a shape")
        assert text_of(app, "#ending-title") == "The Road Home"
        assert text_of(app, "#ending-kind") == "Failure ending"
        assert text_of(app, "#ending-stats") == "1 move  ·  0:00:00  ·  endings discovered 1 of 2"
        assert keys_shown(app) == ["u", "Undo", "r", "Restart", "t", "Title", "j", "Journal", "?", "Help",
                                   "^p", "palette"]


@pytest.mark.parametrize("how", ["key", "enter", "click"])
async def test_ending_undo_restart_and_title_work_by_key_enter_and_click(
        tmp_path: Path, scenes: Path, how: str) -> None:
    async def do(pilot, button: str, key: str) -> None:  # type: ignore[no-untyped-def]
        if how == "key":
            await press(pilot, key)
        elif how == "enter":
            pilot.app.screen.query_one(f"#{button}", Button).focus()
            await press(pilot, "enter")
        else:
            await pilot.click(f"#{button}")
            await pilot.pause()

    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        await do(pilot, "undo", "u")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gate"
        await press(pilot, "1", "2", "2")
        assert isinstance(app.screen, EndingScreen)
        await do(pilot, "restart", "r")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gate"
        await press(pilot, "2")
        await do(pilot, "title", "t")
        assert isinstance(app.screen, TitleScreen) and menu_ids(app)[0] == "continue"


async def test_a_long_ending_scrolls_by_keys_while_a_button_has_the_focus(tmp_path: Path, scenes: Path) -> None:
    fled = scenes / "1_approach.yaml"
    fled.write_text(fled.read_text().replace("Nobody ever will.", "Nobody ever will.\n\n      " + "And on. " * 300))
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        view = app.screen.query_one("#ending-scroll")
        assert view.max_scroll_y > 0 and view.scroll_y == 0
        await press(pilot, "down")
        assert view.scroll_y == 1
        await press(pilot, "pagedown")
        assert view.scroll_y > 10
        await press(pilot, "pageup", "up")
        assert view.scroll_y == 0 and isinstance(app.focused, Button)


async def test_journal_and_help_work_on_the_ending_screen(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "j")
        assert isinstance(app.screen, JournalScreen)
        await press(pilot, "escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "take back the choice that ended the story" in help_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, EndingScreen)


async def test_endings_list_shows_the_found_ones_by_title(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "t")
        await pick(pilot, "endings")
        assert isinstance(app.screen, EndingsScreen)
        listing = text_of(app, "#endings-list")
        assert "★ The Road Home  (failure)" in listing and listing.count("??? (locked)") == 1
        await press(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)


# -- speedrun -----------------------------------------------------------------------------------

async def test_a_speedrun_never_touches_the_autosaves_and_its_header_fits_80_columns(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    store = SaveStore(tmp_path / "saves")
    store.autosave(story, engine.replay(story, ["take_lamp"]))
    before = {p.name: p.read_bytes() for p in store.story_folder(story).glob("autosave-*.json")}
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, "speedrun")
        await press(pilot, "1", "1")
        status = text_of(app, "#status")
        assert status.startswith("SPEEDRUN 0:00.0  ·  moves 2  ·  The Approach")
        await press(pilot, "1")
        assert isinstance(app.screen, EndingScreen) and text_of(app, "#ending-run").startswith("Finished in")
        await press(pilot, "t")
        assert menu_ids(app)[0] == "continue"
    after = {p.name: p.read_bytes() for p in store.story_folder(story).glob("autosave-*.json")}
    assert after == before


async def test_the_speedrun_header_keeps_time_moves_and_the_split_delta_in_80_columns(
        tmp_path: Path, scenes: Path, story: Story) -> None:
    from game.speedrun import Records, Result, Split

    best = Result("house_hall", 3, 2.5, (Split("approach", 3, 2.5), Split("house", 3, 2.5)))
    Records(tmp_path / "saves").submit(story, best)
    clock = FrozenClock()
    app = app_for(tmp_path, scenes, start="speedrun", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3):
            clock.now += 1.0
            await press(pilot, "1")
        assert isinstance(app.screen, EndingScreen)
        status = str(app.play_screen().status_line())
        assert status == "SPEEDRUN 0:03.0  ·  moves 3  ·  split 0:03.0 (+0.5)  ·  The House"
        assert len(status) <= SIZE[0] - 2


# -- settings, errors, start options ------------------------------------------------------------

async def test_the_theme_chosen_is_kept_in_the_settings_file_for_the_next_start(tmp_path: Path, scenes: Path) -> None:
    settings = tmp_path / "saves-settings.json"
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "daylights"
        title = app.screen.query_one("#title-text")
        assert title.styles.color.rgb == pytest.approx(Color.parse(DAYLIGHTS_THEME.primary).rgb, abs=2)
        app.theme = "nord"
        await pilot.pause()
    assert json.loads(settings.read_text()) == {"theme": "nord"}
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE):
        assert app.theme == "nord"
    settings.write_text('{"theme": 42')
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=SIZE):
        assert app.theme == "daylights"


async def test_no_color_keeps_the_key_letters_apart_from_their_labels(
        tmp_path: Path, scenes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE):
        bar = app.screen.query_one(KeyBar)
        assert bar.get_component_rich_style("keybar--key").reverse
        assert not bar.get_component_rich_style("keybar--description").reverse


@pytest.mark.parametrize("start, load, note", [
    (None, "nosuch", "Cannot load 'nosuch': there is no save called 'nosuch'"),
    ("continue", None, "There is no autosave to continue yet"),
])
async def test_a_start_option_that_cannot_open_shows_why_on_the_title_screen(
        tmp_path: Path, scenes: Path, start: str | None, load: str | None, note: str) -> None:
    app = app_for(tmp_path, scenes, start=start, load=load)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, TitleScreen)
        assert text_of(app, "#title-note").startswith(note)
        assert menu_ids(app)[0] == "new"


async def test_start_options_open_the_game_directly(tmp_path: Path, scenes: Path, story: Story) -> None:
    SaveStore(tmp_path / "saves").save("mine", story, engine.replay(story, ["take_lamp"]))
    app = app_for(tmp_path, scenes, load="mine")
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "path"
        await press(pilot, "u")
        assert app.session.state.scene == "gate"


async def test_escape_goes_to_the_title_and_the_clock_stops(tmp_path: Path, scenes: Path) -> None:
    clock = FrozenClock()
    app = app_for(tmp_path, scenes, start="new", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "escape")
        assert isinstance(app.screen, TitleScreen) and not app.session.running
        clock.now += 100
        await pick(pilot, "resume")
        assert isinstance(app.screen, PlayScreen) and app.session.state.elapsed == 0


async def test_a_small_terminal_gets_a_message_not_a_broken_layout(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "at least 80×24" in text_of(app, "#too-small") and "60×20" in text_of(app, "#too-small")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_a_broken_story_shows_its_problem_on_a_working_title_screen(tmp_path: Path) -> None:
    broken = write_story(tmp_path / "s", acts={"one.yaml": TINY_ACT.replace("goto: cellar", "goto: nowhere")})
    app = build_app(tmp_path / "saves", scenes=broken)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        assert "goes to scene 'nowhere'" in text_of(app, "#title-problem")
        assert menu_ids(app) == ["reload", "quit"]
        (broken / "one.yaml").write_text(TINY_ACT)
        await pick(pilot, "reload")
        assert menu_ids(app) == ["new", "load", "speedrun", "endings", "quit"]


async def test_a_damaged_save_gives_a_message_and_the_game_goes_on(tmp_path: Path, scenes: Path, story: Story) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        quicksave = SaveStore(tmp_path / "saves").path(story, "quicksave")
        quicksave.parent.mkdir(parents=True, exist_ok=True)
        quicksave.write_text("{ not json")
        await press(pilot, "f9")
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gate"
        assert any("damaged" in n for n in notices(app))


# -- the palette ----------------------------------------------------------------------------------

async def test_command_palette_commands_do_what_they_say(tmp_path: Path, scenes: Path) -> None:
    app = app_for(tmp_path, scenes, start="new")
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"New game", "Save", "Load", "Undo", "Journal", "Inventory", "Dossier", "Endings", "Theme",
                "Help"} <= set(commands)
        assert "Keys" not in commands, "Textual's keys panel squeezed the play screen; Help lists every key"
        await press(pilot, "ctrl+p")
        assert type(app.screen).__name__ == "CommandPalette"
        await press(pilot, *"inventory")
        await press(pilot, "enter")
        assert isinstance(app.screen, PlayScreen) and app.screen.query("#inventory")
        await press(pilot, "ctrl+p", *"help", "enter")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, PlayScreen)


async def test_live_reload_shows_an_edit_keeps_the_player_in_place_and_survives_a_broken_file(
        tmp_path: Path, scenes: Path) -> None:
    act = scenes / "1_approach.yaml"
    app = app_for(tmp_path, scenes, start="new", watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1")
        assert app.session.state.scene == "path"
        act.write_text(act.read_text().replace("dripping laurels", "dripping yews"))
        await pilot.pause(1.5)
        assert "dripping yews" in text_of(app, "#prose")
        assert app.session.state.scene == "path" and list(app.session.state.path) == ["take_lamp"]
        act.write_text(act.read_text().replace("goto: door", "goto: nowhere", 1))
        await pilot.pause(1.5)
        assert any("does not load" in str(n.title) for n in app._notifications)
        assert "dripping yews" in text_of(app, "#prose")
        await press(pilot, "1")
        assert app.session.state.scene == "door"


async def test_the_canonical_walkthrough_played_with_keys_reaches_the_canonical_ending(tmp_path: Path) -> None:
    bundled = load_story(bundled_scenes())
    choices = read_walkthrough(canonical_walkthrough(bundled_scenes())).choices
    app = build_app(tmp_path / "saves", start="new")
    async with app.run_test(size=SIZE) as pilot:
        for choice_id in choices:
            open_ids = [c.id for c in engine.open_choices(bundled, app.session.history[-1])]
            await pilot.press(str(open_ids.index(choice_id) + 1))
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert text_of(app, "#ending-kind") == "Canonical ending"


async def test_the_game_waits_for_the_story_opened_aside_once_before_opening_it(
        tmp_path: Path, scenes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``opening`` (``game.open_aside``) is waited for once, before the story is read, so that a
    story the child process has just stored is found in the cache."""
    from game.tui import app as app_module

    calls: list[str] = []
    real_open = app_module.open_story

    def open_story(folder: Path) -> object:
        calls.append("open")
        return real_open(folder)

    monkeypatch.setattr(app_module, "open_story", open_story)
    app = DaylightsApp(scenes, SaveStore(tmp_path / "saves"), start="new", clock=FrozenClock(),
                       settings=tmp_path / "settings.json", opening=lambda: calls.append("waited"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        app.action_reload()
        await pilot.pause()
    assert calls == ["waited", "open", "open"]
