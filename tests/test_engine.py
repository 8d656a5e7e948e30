"""The rules: conditions, effects, locked choices, endings, determinism and the State value."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game import engine
from game.engine import ChoiceError, State, Trail
from game.story.model import Story


def test_new_game_starts_in_the_start_scene_with_defaults(tiny: Story) -> None:
    state = engine.new_game(tiny)
    assert state.scene == "hall"
    assert dict(state.variables) == {"brave": False, "trust": 0}
    assert state.inventory == frozenset()
    assert dict(state.visits) == {"hall": 1}
    assert state.moves == 0


def test_locked_choice_shown_with_reason_hidden_one_left_out(tiny: Story) -> None:
    views = engine.choice_views(tiny, engine.new_game(tiny))
    assert [(v.choice.id, v.number, v.locked_reason) for v in views] == [
        ("take_key", 1, None), ("cellar", None, "You need the brass key."), ("flatter", 2, None)]


def test_effects_give_items_set_flags_and_add_to_counters(tiny: Story) -> None:
    state = engine.choose(tiny, engine.new_game(tiny), "take_key")
    assert state.inventory == {"key"}
    assert state.variables["brave"] is True
    state = engine.replay(tiny, ["flatter", "flatter"], start=state)
    assert state.variables["trust"] == 2
    assert state.visits["hall"] == 4
    assert list(state.path) == ["take_key", "flatter", "flatter"]


def test_condition_opens_a_choice_once_it_holds(tiny: Story) -> None:
    state = engine.replay(tiny, ["flatter", "flatter"])
    assert "secret" not in [c.id for c in engine.open_choices(tiny, state)]
    state = engine.choose(tiny, state, "take_key")
    assert "secret" in [c.id for c in engine.open_choices(tiny, state)]


def test_taking_a_locked_choice_is_refused_with_the_condition(tiny: Story) -> None:
    with pytest.raises(ChoiceError, match="choice 'cellar' in scene 'hall' is locked: needs has key"):
        engine.choose(tiny, engine.new_game(tiny), "cellar")


def test_unknown_choice_lists_the_open_ones(tiny: Story) -> None:
    with pytest.raises(ChoiceError, match=r"has no choice 'dance' \(open choices: take_key, flatter\)"):
        engine.choose(tiny, engine.new_game(tiny), "dance")


def test_an_ending_is_final(tiny: Story) -> None:
    state = engine.replay(tiny, ["take_key", "cellar"])
    ending = engine.ending_of(tiny, state)
    assert ending is not None and ending.kind == "death" and ending.title == "Eaten by a grue"
    assert engine.choice_views(tiny, state) == []
    with pytest.raises(ChoiceError, match="the story has ended"):
        engine.choose(tiny, state, "take_key")


def test_same_story_state_and_choice_always_give_the_same_state(tiny: Story) -> None:
    moves = ["take_key", "flatter", "flatter", "secret"]
    assert engine.replay(tiny, moves) == engine.replay(tiny, moves)
    assert hash(engine.replay(tiny, moves)) == hash(engine.replay(tiny, moves))


def test_choosing_never_changes_the_old_state(tiny: Story) -> None:
    before = engine.new_game(tiny)
    snapshot = before.to_json()
    engine.choose(tiny, before, "take_key")
    assert before.to_json() == snapshot


def test_history_lists_scenes_and_choices_taken(tiny: Story) -> None:
    state = engine.replay(tiny, ["take_key", "cellar"])
    assert [(s.id, c.id if c else None) for s, c in engine.history(tiny, state)] == [
        ("hall", "take_key"), ("hall", "cellar"), ("cellar", None)]


def test_state_round_trips_through_json_text(tiny: Story) -> None:
    state = engine.replay(tiny, ["take_key", "flatter"]).with_elapsed(12.5)
    assert State.from_json(json.loads(json.dumps(state.to_json()))) == state


names = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


@settings(max_examples=200)
@given(scene=names, inventory=st.frozensets(names), path=st.lists(names, max_size=30),
       variables=st.dictionaries(names, st.one_of(st.booleans(), st.integers(-10**9, 10**9))),
       visits=st.dictionaries(names, st.integers(0, 10**6)),
       elapsed=st.floats(0, 10**7, allow_nan=False))
def test_any_state_round_trips_through_json(scene, inventory, path, variables, visits, elapsed) -> None:
    from immutables import Map

    state = State(scene, inventory, Map(variables), Map(visits), Trail.of(path), elapsed)
    again = State.from_json(json.loads(json.dumps(state.to_json())))
    assert again == state
    assert again.to_json() == state.to_json()


@pytest.mark.parametrize("bad, message", [
    ([], "state must be a JSON object"),
    ({"scene": 3}, "state.scene must be a non-empty string"),
    ({"scene": "x", "inventory": "key"}, "state.inventory must be a list of strings"),
    ({"scene": "x", "variables": {"a": "yes"}}, "state.variables must map names to integers or booleans"),
    ({"scene": "x", "visits": {"a": -1}}, "state.visits must map scene ids to counts of zero or more"),
    ({"scene": "x", "elapsed": float("nan")}, "state.elapsed must be a number of seconds"),
    ({"scene": "x", "cheat": 1}, "state has unknown field 'cheat'"),
])
def test_malformed_state_json_is_refused_with_a_reason(bad: object, message: str) -> None:
    with pytest.raises(engine.StateFormatError, match=message):
        State.from_json(bad)


def test_trail_appends_share_structure_and_compare_by_content() -> None:
    base = Trail.of(["a", "b"])
    assert base.plus("c") == Trail.of(["a", "b", "c"])
    assert base.plus("c") != base.plus("d")
    assert list(base) == ["a", "b"] and len(base) == 2
    assert base.previous == Trail.of(["a"])


def test_taking_a_listed_choice_gives_what_choosing_its_id_gives(tiny: Story, bundled: Story) -> None:
    chance = random.Random(4)
    for story in (tiny, bundled):
        for _ in range(20):
            state = engine.new_game(story)
            while options := engine.open_choices(story, state):
                for choice in options:
                    assert engine.take(story, state, choice) == engine.choose(story, state, choice.id)
                state = engine.take(story, state, chance.choice(options))


def test_taking_a_choice_of_another_scene_is_refused(tiny: Story) -> None:
    hall = tiny.scenes["hall"]
    ended = engine.replay(tiny, ["take_key", "cellar"])
    with pytest.raises(ChoiceError, match="choice 'flatter' does not belong to scene 'cellar' of this story"):
        engine.take(tiny, ended, hall.choices[2])


def test_a_300000_move_game_is_played_compared_hashed_and_freed(tiny: Story) -> None:
    """Each move adds a link to the trail: a long chain must be hashed and freed without deep recursion."""
    flatter = tiny.scenes["hall"].choice("flatter")
    assert flatter is not None
    state = engine.new_game(tiny)
    for _ in range(300_000):
        state = engine.take(tiny, state, flatter)
    same = Trail.of(["flatter"] * 300_000)
    assert state.moves == 300_000 and state.path == same and hash(state.path) == hash(same)
    assert state.path != same.previous.plus("take_key")
    del state, same
