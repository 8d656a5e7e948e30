"""The TUI driven through Textual's Pilot at 80x24: every screen and every binding."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.color import Color
from textual.widgets import DataTable, Input, OptionList, Static

from game import engine
from game.bundled import bundled_scenes, canonical_walkthrough
from game.saves import SaveStore
from game.story import Story
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
from tests.tui_builder import build_app

SIZE = (80, 24)


def menu_ids(app: DaylightsApp) -> list[str]:
    menu = app.screen.query_one("#menu", OptionList)
    return [menu.get_option_at_index(i).id or "" for i in range(menu.option_count)]


def text_of(app: DaylightsApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def new_game(pilot) -> None:
    app = pilot.app
    menu = app.screen.query_one("#menu", OptionList)
    menu.highlighted = menu_ids(app).index("new")
    await pilot.press("enter")
    await pilot.pause()


def choice_prompts(app: DaylightsApp) -> list[str]:
    choices = app.screen.query_one("#choices", OptionList)
    return [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]


async def test_title_screen_offers_continue_only_when_an_autosave_exists(tmp_path: Path, bundled: Story) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        assert "The Living Daylights" in text_of(app, "#title-text")
        assert menu_ids(app) == ["new", "load", "speedrun", "endings", "quit"]
    SaveStore(tmp_path).autosave(bundled, engine.replay(bundled, ["follow_004"]))
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert menu_ids(app) == ["continue", "new", "load", "speedrun", "endings", "quit"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_cliff"


async def test_number_keys_arrows_enter_and_clicks_all_take_choices(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        assert isinstance(app.screen, PlayScreen)
        assert "Gibraltar" in text_of(app, "#status") and "moves 0" in text_of(app, "#status")
        await pilot.press("1")
        assert app.session.state.scene == "gib_cliff"
        await pilot.press("down", "enter")
        assert app.session.state.scene == "gib_pursuit" and "smiert_note" not in app.session.state.inventory
        await pilot.click("#choices", offset=(4, 1))
        await pilot.pause()
        assert app.session.state.scene == "gib_fight"
        assert "moves 3" in text_of(app, "#status")


async def test_locked_choice_is_shown_dimmed_with_its_reason(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        for key in ["1", "2", "1", "1", "1", "2", "1"]:
            await pilot.press(key)
        assert app.session.state.scene == "brat_flat"
        choices = app.screen.query_one("#choices", OptionList)
        locked = choices.get_option_at_index(0)
        assert locked.disabled and "locked: You need the field binoculars." in str(locked.prompt)
        assert choice_prompts(app)[1] == "1. Lie down behind the rifle and wait for the interval"


async def test_inventory_panel_toggles_and_describes_the_selected_item(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "1")
        assert not app.screen.query("#inventory")
        await pilot.press("i")
        panel = app.screen.query_one("#inventory")
        assert panel.display and app.screen.focused is app.screen.query_one("#items")
        items = app.screen.query_one("#items", OptionList)
        assert str(items.get_option_at_index(0).prompt) == "Torn label"
        assert "Smiert Spionam" in text_of(app, "#item-description")
        await pilot.press("i")
        assert not panel.display and app.screen.focused is app.screen.query_one("#choices")
        await pilot.press("u", "u", "i")
        assert panel.display and items.option_count == 0
        assert text_of(app, "#item-description") == "You carry nothing of note."


async def test_key_bar_names_the_current_screens_keys_and_a_click_presses_one(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.screen.query_one(KeyBar)
        assert str(bar.render()).split() == ["?", "Help", "q", "Quit", "^p", "palette"]
        await new_game(pilot)
        bar = app.screen.query_one(KeyBar)
        line = str(bar.render())
        assert line.split() == ["i", "Inventory", "j", "Journal", "s", "Save", "l", "Load", "u", "Undo", "?", "Help",
                                "^p", "palette"]
        assert line.endswith(" ^p palette ") and len(line) == SIZE[0]
        await pilot.click(KeyBar, offset=(line.index("Journal"), 0))
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        assert str(app.screen.query_one(KeyBar).render()).split()[:2] == ["esc", "Close"]


async def test_journal_lists_scenes_and_choices_and_rereads_old_text(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "1", "j")
        await pilot.pause()
        assert isinstance(app.screen, JournalScreen)
        listing = app.screen.query_one("#journal-list", OptionList)
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert prompts[0] == "1. The drop over the Rock → Lean east and follow 004 down towards the cliffs"
        assert prompts[-1] == "3. The Land Rover  (you are here)"
        await pilot.press("up", "up")
        await pilot.pause()
        assert "The Hercules drones above a black sea" in text_of(app, "#journal-text")
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen)


async def test_named_save_overwrite_confirmation_load_and_delete(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "s")
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NameScreen)
        await pilot.press(*"bad/name", "enter")
        await pilot.pause()
        assert "cannot contain '/'" in text_of(app, "#name-error")
        app.screen.query_one(Input).value = ""
        await pilot.press(*"cliff", "enter")
        await pilot.pause()
        assert (tmp_path / "cliff.json").is_file()
        await pilot.press("1", "s")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert SaveStore(tmp_path).load("cliff", app.story).state.scene == "gib_pursuit"
        await pilot.press("1", "l")
        await pilot.pause()
        slots = [row.value for row in app.screen.query_one(DataTable).rows]
        assert "cliff" in slots
        app.screen.query_one(DataTable).move_cursor(row=slots.index("cliff"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_pursuit"
        await pilot.press("l")
        await pilot.pause()
        slots = [row.value for row in app.screen.query_one(DataTable).rows]
        app.screen.query_one(DataTable).move_cursor(row=slots.index("cliff"))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert (tmp_path / "cliff.json").is_file()


async def test_quicksave_and_quickload(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "f5", "1", "1")
        assert app.session.state.scene == "gib_fight"
        await pilot.press("f9")
        await pilot.pause()
        assert app.session.state.scene == "gib_cliff"


async def test_undo_with_u_and_ctrl_z_and_restart_with_confirmation(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "1", "1")
        await pilot.press("u")
        assert app.session.state.scene == "gib_pursuit"
        await pilot.press("ctrl+z")
        assert app.session.state.scene == "gib_cliff"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.session.state.scene == "gib_drop" and app.session.state.moves == 0


async def test_ending_screen_shows_the_ending_and_offers_undo_restart_title(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("2", "2")
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert text_of(app, "#ending-title") == "Out of the Game"
        assert text_of(app, "#ending-kind") == "Failure ending"
        assert "2 moves" in text_of(app, "#ending-stats")
        assert "endings discovered 1 of 16" in text_of(app, "#ending-stats")
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_scrub"
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_drop"
        await pilot.press("2", "2")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert menu_ids(app) == ["continue", "new", "load", "speedrun", "endings", "quit"]
        app.screen.query_one("#menu", OptionList).highlighted = 4
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EndingsScreen)
        listing = text_of(app, "#endings-list")
        assert "★ Out of the Game  (failure)" in listing and listing.count("??? (locked)") == 15


async def test_help_opens_with_question_mark_and_f1_and_lists_every_binding(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            keys = text_of(app, "#help-keys")
            for binding in ("1 – 9", "i", "j", "F5", "F9", "ctrl+z", "ctrl+r", "Escape", "ctrl+p"):
                assert binding in keys
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen)


async def test_command_palette_offers_the_game_commands(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"New game", "Save", "Load", "Undo", "Journal", "Inventory", "Endings", "Theme"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_default_theme_is_ours_and_builtin_themes_remain(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "daylights"
        title = app.screen.query_one("#title-text")
        ours = app.get_css_variables()
        assert title.styles.color == Color.parse(ours["primary"])
        assert title.styles.color.rgb == pytest.approx(Color.parse(DAYLIGHTS_THEME.primary).rgb, abs=2)
        assert {"textual-dark", "textual-light", "nord"} <= set(app.available_themes)
        app.theme = "nord"
        await pilot.pause()
        assert app.theme == "nord"
        assert title.styles.color == Color.parse(app.get_css_variables()["primary"]) != Color.parse(ours["primary"])


async def test_escape_goes_to_the_title_and_resume_returns(tmp_path: Path) -> None:
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("1", "escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen) and menu_ids(app)[0] == "resume"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_cliff"


async def test_a_small_terminal_gets_a_message_not_a_broken_layout(tmp_path: Path) -> None:
    app = build_app(tmp_path)
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
        await pilot.press("enter")
        await pilot.pause()
        assert menu_ids(app) == ["new", "load", "speedrun", "endings", "quit"]


async def test_a_damaged_save_gives_a_message_and_the_game_goes_on(tmp_path: Path) -> None:
    (tmp_path / "quicksave.json").write_text("{ not json")
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == "gib_drop"
        assert any("damaged" in str(n.message) for n in app._notifications)


async def test_the_canonical_walkthrough_played_with_keys_reaches_the_canonical_ending(
        tmp_path: Path, bundled: Story) -> None:
    choices = read_walkthrough(canonical_walkthrough(bundled_scenes())).choices
    app = build_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        for choice_id in choices:
            open_ids = [c.id for c in engine.open_choices(bundled, app.session.history[-1])]
            await pilot.press(str(open_ids.index(choice_id) + 1))
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert app.session.state.scene == "epi_dressing_room"
        assert text_of(app, "#ending-kind") == "Canonical ending"


@pytest.mark.parametrize("start, scene", [("new", "gib_drop"), ("load:mine", "gib_cliff")])
async def test_start_options_open_the_game_directly(tmp_path: Path, bundled: Story, start: str, scene: str) -> None:
    SaveStore(tmp_path).save("mine", bundled, engine.replay(bundled, ["follow_004"]))
    app = build_app(tmp_path, start=start)
    async with app.run_test(size=SIZE):
        assert isinstance(app.screen, PlayScreen) and app.session.state.scene == scene


async def test_live_reload_shows_an_edit_keeps_the_player_in_place_and_survives_a_broken_file(
        tmp_path: Path) -> None:
    import shutil

    from tests.tui_builder import FrozenClock

    scenes = tmp_path / "scenes"
    shutil.copytree(bundled_scenes(), scenes)
    act = scenes / "01_gibraltar.yaml"
    app = DaylightsApp(scenes, SaveStore(tmp_path / "saves"), start="new", clock=FrozenClock(), watch=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1")
        assert app.session.state.scene == "gib_cliff"
        act.write_text(act.read_text().replace("004 is halfway up the cliff", "004 is nearly at the top of the cliff"))
        await pilot.pause(1.5)
        assert "004 is nearly at the top of the cliff" in text_of(app, "#prose")
        assert app.session.state.scene == "gib_cliff" and list(app.session.state.path) == ["follow_004"]
        good = act.read_text()
        act.write_text(good.replace("goto: gib_pursuit", "goto: gib_nowhere", 1))
        await pilot.pause(1.5)
        assert any("does not load" in str(n.title) for n in app._notifications)
        assert "004 is nearly at the top of the cliff" in text_of(app, "#prose")
        await pilot.press("1")
        assert app.session.state.scene == "gib_pursuit"
