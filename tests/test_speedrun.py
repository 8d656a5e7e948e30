"""Speedrunning the canonical path: par, headless runs with splits, the TUI's timed mode, records."""

from __future__ import annotations

import json
from pathlib import Path

from game import engine, speedrun
from game.bundled import bundled_scenes, canonical_walkthrough
from game.story import Story
from game.tui.play import PlayScreen
from game.tui.screens import EndingScreen, TitleScreen
from game.walkthrough import read_walkthrough
from tests.conftest import run_cli
from tests.tui_builder import build_app


def canonical_beats(story: Story, choices: list[str]) -> list[str]:
    wanted = {b.id for b in story.beats if b.canonical}
    return [b for b in engine.beats_shown(story, engine.replay(story, choices)) if b in wanted]


def test_par_is_the_shortest_route_and_still_shows_the_film(bundled: Story) -> None:
    route = speedrun.par_route(bundled)
    assert route is not None
    assert canonical_beats(bundled, route) == [b.id for b in bundled.beats if b.canonical]
    assert engine.ending_of(bundled, engine.replay(bundled, route)).kind == "canonical"


PAR_MOVES = 68
"""The par of the bundled story: the fewest moves from the drop over Gibraltar to Kara's dressing room.
A change to the story's structure that moves it should be deliberate: update this with the reason."""


def test_par_is_recorded_and_shorter_than_the_films_own_path(bundled: Story) -> None:
    route = speedrun.par_route(bundled)
    assert route is not None and len(route) == PAR_MOVES
    film = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)
    assert len(route) < len(film)
    acts = [bundled.scenes[s.id].act for s, _ in engine.history(bundled, engine.replay(bundled, route))]
    assert all(acts.count(a.id) >= 3 for a in bundled.acts), "every act takes at least three moves"


def test_headless_speedrun_reaches_the_canonical_ending_in_par_moves(bundled: Story) -> None:
    route = speedrun.par_route(bundled)
    ticks = iter(range(1000))
    result = speedrun.run_headless(bundled, route, clock=lambda: float(next(ticks)))
    assert result.ending == speedrun.canonical_ending(bundled) == "epi_dressing_room"
    assert result.moves == len(route)
    assert [s.act for s in result.splits] == [a.id for a in bundled.acts]
    assert result.splits[-1].moves == result.moves and result.seconds == float(result.moves)
    data = result.to_json()
    assert sum(s["moves"] for s in data["splits"]) == data["moves"]


def test_speedrun_command_prints_json_with_splits(bundled: Story) -> None:
    result = run_cli("speedrun", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"ending", "moves", "seconds", "splits"}
    assert data["ending"] == "epi_dressing_room" and data["moves"] == len(speedrun.par_route(bundled))
    assert [s["act"] for s in data["splits"]] == [a.id for a in bundled.acts]
    assert all(set(s) == {"act", "moves", "seconds"} and s["seconds"] >= 0 for s in data["splits"])
    assert "total" in run_cli("speedrun").stdout


def test_records_keep_the_best_time_and_best_act_times(tmp_path: Path, bundled: Story) -> None:
    records = speedrun.Records(tmp_path)
    route = speedrun.par_route(bundled)
    slow = speedrun.run_headless(bundled, route, clock=iter(range(0, 10_000, 10)).__next__)
    fast = speedrun.run_headless(bundled, route, clock=iter(range(10_000)).__next__)
    assert records.submit(bundled, slow) is True
    assert records.submit(bundled, fast) is True
    assert records.submit(bundled, slow) is False
    best = speedrun.Records(tmp_path).best(bundled)
    assert best is not None and best.seconds == fast.seconds and best.moves == len(route)
    assert set(best.segments) == {a.id for a in bundled.acts}
    speedrun.Records(tmp_path).path(bundled).write_text("{ damaged")
    assert speedrun.Records(tmp_path).best(bundled) is None


async def test_tui_speedrun_by_key_presses_reaches_the_canonical_ending_in_par(tmp_path: Path,
                                                                              bundled: Story) -> None:
    route = speedrun.par_route(bundled)
    app = build_app(tmp_path, start="speedrun")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PlayScreen)
        assert str(app.screen.query_one("#status").render()).startswith("SPEEDRUN 0:00.0")
        await pilot.press("u")
        assert app.session.state.moves == 0
        for number, choice_id in enumerate(route):
            open_ids = [c.id for c in engine.open_choices(bundled, app.session.history[-1])]
            await pilot.press(str(open_ids.index(choice_id) + 1))
            if number == 0:
                await pilot.press("u", "ctrl+z", "f9", "l")
                await pilot.pause()
                assert isinstance(app.screen, PlayScreen) and app.session.state.moves == 1
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        state = app.session.state
        assert state.scene == "epi_dressing_room" and state.moves == len(route)
        assert canonical_beats(bundled, list(state.path)) == [b.id for b in bundled.beats if b.canonical]
        assert "a new personal best" in str(app.screen.query_one("#ending-run").render())
        assert [s.act for s in app.timed_run.timer.splits] == [a.id for a in bundled.acts]
    best = speedrun.Records(tmp_path).best(bundled)
    assert best is not None and best.moves == len(route)


async def test_speedrun_clock_stops_on_menus(tmp_path: Path) -> None:
    app = build_app(tmp_path, start="speedrun")
    async with app.run_test(size=(80, 24)) as pilot:
        clock = app.clock
        clock.now += 5
        await pilot.press("1")
        assert app.session.state.elapsed == 5
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        clock.now += 100
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.session.state.elapsed == 5
