"""Prose that answers the player: passages, inline variations, values, once/fallback choices,
ranges, the dossier, and what `check` proves about text no player can see."""

from __future__ import annotations

from pathlib import Path

import pytest

from game import analysis, engine, render
from game.engine import ChoiceError, State
from game.plain import render_dossier
from game.stats import story_stats
from game.story import Story, StoryError, check_story, load_story
from tests.conftest import run_cli, write_story

STORY = """\
id: prose
title: Prose
version: "1"
start: hall
acts:
  one: One
items:
  key:
    name: Brass key
    description: Warm from someone's pocket.
variables:
  trust:
    default: 0
    show: The butler's trust
    range: [0, 3]
  brave:
    default: false
    show: Feeling brave
  secret: 0
"""

ACT = """\
act: one
scenes:
  hall:
    title: Hall
    text:
      - |
        Trust ${trust}, visit ${visits here}. The butler
        ${if trust >= 2 then smiles | elif brave then nods | else frowns}.
      - if: has key
        text: The ${key} is warm in your hand.
        else: Your pockets are empty.
      - if: visits here > 1
        text: You have been here before.
      - elif: brave
        text: You feel brave.
      - else: This is new. $${literal}
    choices:
      - id: take_key
        text: Take the ${key}
        goto: hall
        once: true
        do: {give: key, set: brave}
      - id: flatter
        text: Flatter the butler${if trust >= 1 then  again}
        goto: hall
        do: {add: {trust: 5}}
      - id: leave
        text: Leave ${if brave then boldly | else quietly}
        goto: out
        if: has key and trust >= 2
        locked: You need the ${key} and trust ${trust} is not enough.
      - id: sit
        text: Sit down and wait
        goto: out
        fallback: true
  out:
    title: Out
    text: Out.
    ending: {kind: canonical, title: Out}
"""


@pytest.fixture
def prose(tmp_path: Path) -> Story:
    return load_story(write_story(tmp_path / "prose", STORY, {"one.yaml": ACT}))


def text_of(story: Story, state: State) -> str:
    return "\n\n".join(render.scene_paragraphs(story, state))


def views(story: Story, state: State) -> list[tuple[str, str | None]]:
    return [(v.text, v.locked_reason) for v in engine.choice_views(story, state)]


def test_a_new_game_shows_the_else_of_every_variation_and_prints_values(prose: Story) -> None:
    state = engine.new_game(prose)
    assert text_of(prose, state) == ("Trust 0, visit 1. The butler frowns.\n\nYour pockets are empty.\n\n"
                                     "This is new. ${literal}")


def test_passages_and_inline_variations_follow_the_state(prose: Story) -> None:
    state = engine.choose(prose, engine.new_game(prose), "take_key")
    assert text_of(prose, state) == ("Trust 0, visit 2. The butler nods.\n\nThe Brass key is warm in your hand."
                                     "\n\nYou have been here before.")
    state = engine.choose(prose, state, "flatter")
    assert "The butler smiles." in text_of(prose, state)
    assert "Trust 3, visit 3" in text_of(prose, state)


def test_choice_texts_and_lock_reasons_vary_with_the_state(prose: Story) -> None:
    start = engine.new_game(prose)
    assert views(prose, start) == [("Take the Brass key", None), ("Flatter the butler", None),
                                   ("Leave quietly", "You need the Brass key and trust 0 is not enough.")]
    after = engine.choose(prose, start, "flatter")
    assert ("Flatter the butler again", None) in views(prose, after)


def test_a_once_only_choice_is_gone_after_it_is_taken(prose: Story) -> None:
    state = engine.choose(prose, engine.new_game(prose), "take_key")
    assert "take_key" not in [c.id for c in engine.open_choices(prose, state)]
    assert state.used == frozenset({"hall.take_key"})
    with pytest.raises(ChoiceError, match="only once"):
        engine.choose(prose, state, "take_key")
    assert State.from_json(state.to_json()) == state


def test_a_fallback_choice_shows_only_when_nothing_else_is_open(tmp_path: Path) -> None:
    act = ACT.replace("goto: hall\n        do: {add: {trust: 5}}",
                      "goto: hall\n        once: true\n        do: {add: {trust: 1}}")
    story = load_story(write_story(tmp_path / "fallback", STORY, {"one.yaml": act}))
    state = engine.new_game(story)
    assert "sit" not in [c.id for c in engine.open_choices(story, state)]
    with pytest.raises(ChoiceError, match="fallback"):
        engine.choose(story, state, "sit")
    state = engine.choose(story, engine.choose(story, state, "take_key"), "flatter")
    assert [c.id for c in engine.open_choices(story, state)] == ["sit"]
    assert engine.choose(story, state, "sit").scene == "out"


def test_a_counter_with_a_range_never_leaves_it(prose: Story) -> None:
    state = engine.choose(prose, engine.new_game(prose), "flatter")
    assert state.variables["trust"] == 3


def test_the_dossier_shows_only_declared_variables_with_their_labels(prose: Story) -> None:
    state = engine.choose(prose, engine.new_game(prose), "take_key")
    lines = render.dossier(prose, state)
    assert [(line.label, line.text) for line in lines] == [("The butler's trust", "0 of 3"), ("Feeling brave", "yes")]
    assert "secret" not in render_dossier(prose, state)


def test_plain_mode_dossier_command(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "prose", STORY, {"one.yaml": ACT})
    result = run_cli("play", "--plain", "--scenes", str(folder), input="2\ndossier\nq\n")
    assert result.returncode == 0, result.stderr
    assert "The butler's trust  3 of 3" in result.stdout


def test_stats_count_conditional_text_and_single_choice_scenes(prose: Story) -> None:
    stats = story_stats(prose)
    assert stats["conditional_text_scenes"] == 1
    assert stats["single_choice_scenes"] == 0


def errors_for(tmp_path: Path, act: str, story: str = STORY) -> list[str]:
    folder = write_story(tmp_path / "bad", story, {"one.yaml": act})
    loaded, problems = check_story(folder)
    assert loaded is None
    return [str(p).replace(str(folder) + "/", "") for p in problems if p.is_error]


def scene_with(text_lines: str) -> str:
    return ACT.replace(ACT[ACT.index("    text:\n      - |"):ACT.index("    choices:")], text_lines)


@pytest.mark.parametrize(("text", "expected"), [
    ("    text: |\n      One line.\n      Then ${trsut} here.\n",
     "one.yaml:7:14: error: in text of scene 'hall': unknown name 'trsut' in '${trsut}' (did you mean 'trust'?)"),
    ("    text: |\n      Unclosed ${trust here.\n",
     "one.yaml:6:16: error: in text of scene 'hall': '${' is never closed"),
    ("    text: |\n      A ${if brave smiles}.\n",
     "one.yaml:6:14: error: in text of scene 'hall': expected 'then' after the condition"),
    ("    text: |\n      A ${if bravo then smiles}.\n",
     "one.yaml:6:14: error: in condition 'bravo': unknown variable 'bravo' (did you mean 'brave'?)"),
    ("    text: |\n      A ${if trust >= 1 then smiles | frowns | sighs}.\n",
     "one.yaml:6:46: error: in text of scene 'hall': a variation has one clause after its last condition"),
    ("    text: |\n      Flags have no value: ${brave}.\n",
     "one.yaml:6:30: error: in text of scene 'hall': 'brave' is a flag and has no value to print"),
    ("    text:\n      - Plain.\n      - else: Nothing before.\n",
     "one.yaml:7:9: error: 'else' without an 'if' passage just before it"),
    ("    text:\n      - Plain.\n      - elif: brave\n        text: x\n",
     "one.yaml:7:9: error: 'elif' without an 'if' passage just before it"),
    ("    text:\n      - if: brave\n        text: {a: b}\n",
     "one.yaml:7:15: error: a passage's text must be text or a list, not a mapping"),
    ("    text:\n      - if: brave\n",
     "one.yaml:6:9: error: this 'if' passage has no 'text' to show"),
    ("    text:\n      - if: brave\n        txet: x\n",
     "one.yaml:7:9: error: unknown key 'txet' in a passage of text of scene 'hall' (did you mean 'text'?)"),
    ("    text: {a: b}\n",
     "one.yaml:5:11: error: text of scene 'hall' must be text, or a list of texts and 'if:' passages, not a mapping"),
])
def test_mistakes_in_text_point_inside_the_text(tmp_path: Path, text: str, expected: str) -> None:
    errors = errors_for(tmp_path, scene_with(text))
    assert any(e.startswith(expected) for e in errors), errors
    assert all("\n" not in e for e in errors)


def test_a_range_outside_its_default_or_on_a_flag_is_refused(tmp_path: Path) -> None:
    story = STORY.replace("range: [0, 3]", "range: [1, 3]").replace("show: Feeling brave",
                                                                   "show: Feeling brave\n    range: [0, 1]")
    errors = errors_for(tmp_path, ACT, story)
    assert any("the default of 'trust' (0) is outside its range [1, 3]" in e for e in errors), errors
    assert any("'brave' is a flag; only counters (whole numbers) have a range" in e for e in errors), errors


def test_here_outside_a_scene_is_refused(tmp_path: Path) -> None:
    errors = errors_for(tmp_path, ACT.replace("if: has key and trust >= 2", "if: visits here > 1 and nope"))
    assert any("unknown variable 'nope'" in e for e in errors), errors


CHECKED = """\
act: one
scenes:
  hall:
    title: Hall
    text:
      - Always.
      - if: trust >= 5
        text: Never, trust only reaches 1.
      - elif: trust >= 0
        text: Always true.
      - else: Never either.
    choices:
      - id: flatter
        text: Flatter
        goto: room
        do: {add: {trust: 1}}
      - id: cheat
        text: Cheat ${if has key then with the key | else empty-handed}
        goto: pit
        if: trust >= 0
  room:
    title: Room
    text: A room.
    choices:
      - id: finish
        text: Finish
        goto: out
  pit:
    title: Pit
    text: A long fall begins.
    choices:
      - id: fall
        text: Fall
        goto: pit2
  pit2:
    title: Pit, lower
    text: Still falling.
    choices:
      - id: fall
        text: Fall
        goto: pit3
  pit3:
    title: Pit, lowest
    text: Nearly there.
    choices:
      - id: fall
        text: Fall
        goto: pit4
  pit4:
    title: Pit, bottom
    text: Almost.
    choices:
      - id: fall
        text: Fall
        goto: dead
  dead:
    title: Dead
    text: The end.
    ending: {kind: death, title: Fallen}
  out:
    title: Out
    text: Out.
    ending: {kind: canonical, title: Out}
"""


def check_messages(tmp_path: Path, act: str) -> list[str]:
    folder = write_story(tmp_path / "checked", STORY, {"one.yaml": act})
    story = load_story(folder)
    found = analysis.explore(story, thorough=True)
    return [str(p).replace(str(folder) + "/", "") for p in analysis.findings(story, found)]


def test_check_finds_text_no_player_can_see(tmp_path: Path) -> None:
    messages = check_messages(tmp_path, CHECKED)
    assert any(m.startswith("one.yaml:7:13: warning: text never shown: every time scene 'hall' is reached, "
                            "'trust >= 5' is false") for m in messages), messages
    assert any(m.startswith("one.yaml:11:9: warning: the 'else' text is never shown") for m in messages), messages
    assert any("'has key' is false" in m for m in messages), messages


def test_check_finds_a_lock_that_never_binds(tmp_path: Path) -> None:
    messages = check_messages(tmp_path, CHECKED)
    assert any(m.startswith("one.yaml:17:9: warning: the lock on choice 'cheat' never binds: 'trust >= 0'")
               for m in messages), messages


def test_check_finds_a_choice_that_dooms_the_player_silently(tmp_path: Path) -> None:
    messages = check_messages(tmp_path, CHECKED)
    assert any("choice 'cheat' in scene 'hall' dooms the player" in m and "nearest 4 moves later" in m
               for m in messages), messages
    marked = CHECKED.replace("        if: trust >= 0\n", "        if: trust >= 0\n        risky: true\n")
    assert not any("dooms" in m for m in check_messages(tmp_path, marked))


def test_a_doom_that_comes_at_once_is_fair(tmp_path: Path) -> None:
    quick = CHECKED.replace("goto: pit2", "goto: dead")
    assert not any("dooms" in m for m in check_messages(tmp_path, quick))


def test_load_story_refuses_bad_text_with_every_problem(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "bad", STORY, {"one.yaml": scene_with("    text: |\n      ${nope} ${nada}\n")})
    with pytest.raises(StoryError) as caught:
        load_story(folder)
    assert len([p for p in caught.value.problems if p.is_error]) == 2


def test_the_authoring_guide_prose_example_checks_clean_and_varies(tmp_path: Path) -> None:
    import re

    from tests.conftest import ROOT

    guide = (ROOT / "docs" / "AUTHORING.md").read_text(encoding="utf-8")
    blocks = dict(re.findall(r"```yaml\n# prose-example: (\S+)\n(.*?)```", guide, re.S))
    header = ("id: heist\ntitle: The Embassy Job\nversion: \"1\"\nstart: gate\nacts:\n  embassy: The Embassy\n"
              "items:\n  pass_card:\n    name: Pass card\n")
    folder = write_story(tmp_path / "heist", header + blocks["story.yaml"], {"embassy.yaml": blocks["embassy.yaml"]})
    story, problems = check_story(folder)
    assert story is not None and [p for p in problems if p.is_error] == []
    messages = [str(p) for p in analysis.findings(story, analysis.explore(story, thorough=True))]
    assert messages == [], messages
    state = engine.new_game(story)
    assert "stamps his feet" in text_of(story, state)
    state = engine.choose(story, engine.choose(story, state, "talk_to_guard"), "pick_up_card")
    assert "gives you a second look" in text_of(story, state)
    assert "stood at this gate 3 times" in text_of(story, state)
    assert engine.choice_views(story, state)[0].text == "Show the Pass card and smile"


def test_a_counter_compared_only_in_text_is_told_apart_by_check(tmp_path: Path) -> None:
    act = """\
act: one
scenes:
  hall:
    title: Hall
    text: Hall.
    choices:
      - {id: once_more, text: Once more, goto: hall, do: {add: {secret: 1}}}
      - {id: go, text: Go, goto: out}
  out:
    title: Out
    text: "${if secret == 2 then Twice. | elif secret == 1 then Once. | else Never.}"
    ending: {kind: canonical, title: Out}
"""
    assert not any("never shown" in m for m in check_messages(tmp_path, act))


def test_a_dossier_label_can_wait_until_the_player_has_met_the_person(tmp_path: Path) -> None:
    story_yaml = STORY.replace("show: The butler's trust", "show: ${if visits hall > 1 then The butler's trust}")
    story = load_story(write_story(tmp_path / "waits", story_yaml, {"one.yaml": ACT}))
    start = engine.new_game(story)
    assert [line.label for line in render.dossier(story, start)] == ["Feeling brave"]
    later = engine.choose(story, start, "flatter")
    assert [line.label for line in render.dossier(story, later)] == ["The butler's trust", "Feeling brave"]
