"""Tools for writers: analysis findings in check, routes, random tests, graph, stats, schema, live reload."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from game import analysis
from game.bundled import bundled_scenes
from game.randomplay import play_randomly
from game.story import Story, load_story
from game.story.schema import scene_schema, schema_text, story_schema
from game.walkthrough import read_walkthrough, walk
from tests.conftest import ROOT, TINY_STORY, run_cli, write_story

STORY = """\
id: t
title: T
version: "1"
start: a
acts: {one: One}
items:
  key: {name: Key}
  lamp: {name: Lamp}
variables:
  n: 0
  lit: false
"""


def story_with(tmp_path: Path, scenes: str, story: str = STORY) -> Path:
    return write_story(tmp_path / "s", story=story, acts={"one.yaml": "act: one\nscenes:\n" + scenes})


def warnings_of(folder: Path) -> list[str]:
    result = run_cli("check", str(folder))
    return [line.split(": warning: ")[0].rsplit("/", 1)[-1] + ": " + line.split(": warning: ")[1]
            for line in result.stdout.splitlines() if ": warning: " in line]


def test_unreachable_scene_is_reported_at_the_scene(tmp_path: Path) -> None:
    folder = story_with(tmp_path, """\
  a:
    title: A
    text: Start.
    choices:
      - {id: go, text: Go, goto: end, do: {give: key}}
      - {id: secret, text: Secret, goto: hidden, if: n > 5}
  hidden:
    title: Hidden
    text: Never.
    choices:
      - {id: back, text: Back, goto: end, do: {add: {n: 1}, set: lit}}
  end:
    title: End
    text: Done.
    choices:
      - {id: fin, text: Finish, goto: over, if: has key or lit}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
""", STORY.replace("  lamp: {name: Lamp}\n", ""))
    found = warnings_of(folder)
    assert "one.yaml:9:3: scene 'hidden' can never be reached: every way in is locked in every play" in found
    assert "one.yaml:8:9: choice 'secret' in scene 'a' can never be taken: its condition is false every " \
           "time the scene is reached" in found


SOFTLOCK_SCENES = """\
  a:
    title: A
    text: Start.
    choices:
      - {id: take_lamp, text: Lamp, goto: b, do: {give: lamp}}
      - {id: take_key, text: Key, goto: b, do: {give: key}}
  b:
    title: B
    text: A door.
    choices:
      - {id: open, text: Open, goto: c, if: has key, do: {add: {n: 1}, set: lit}}
  c:
    title: C
    text: Done.
    choices:
      - {id: fin, text: Finish, goto: over, if: n > 0 and lit and (has key or has lamp)}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
"""


def test_softlock_is_reported_with_the_play_that_reaches_it(tmp_path: Path) -> None:
    folder = story_with(tmp_path, SOFTLOCK_SCENES)
    found = warnings_of(folder)
    assert "one.yaml:9:3: softlock: scene 'b' can be reached with every choice locked; one such play: " \
        "1 move ending take_lamp" in found


def test_a_dead_end_is_reported_there_and_not_upstream_as_a_loop(tmp_path: Path) -> None:
    folder = story_with(tmp_path, """\
  a:
    title: A
    text: Start.
    choices:
      - {id: take_lamp, text: Lamp, goto: b, do: {give: lamp}}
      - {id: take_key, text: Key, goto: b, do: {give: key}}
  b:
    title: B
    text: A corridor.
    choices:
      - {id: on, text: On, goto: c}
  c:
    title: C
    text: A door.
    choices:
      - {id: open, text: Open, goto: over, if: has key, do: {add: {n: 1}, set: lit}}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
""")
    found = warnings_of(folder)
    assert [f for f in found if "loop" in f] == []
    assert [f.split(":")[3].strip() for f in found if "softlock" in f] == ["softlock"]


def test_loop_with_no_way_out_is_reported(tmp_path: Path) -> None:
    folder = story_with(tmp_path, """\
  a:
    title: A
    text: Start.
    choices:
      - {id: in, text: In, goto: loop, do: {give: key}}
      - {id: win, text: Win, goto: over, do: {give: lamp, set: lit, add: {n: 1}}}
  loop:
    title: Loop
    text: Round and round.
    choices:
      - {id: again, text: Again, goto: loop2, if: has key or has lamp or lit or n > 3}
  loop2:
    title: Loop 2
    text: And round.
    choices:
      - {id: back, text: Back, goto: loop}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
""")
    found = warnings_of(folder)
    assert any(f.startswith("one.yaml:9:3: from scene 'loop' some plays can never reach an ending") for f in found)


def test_a_story_too_large_to_explore_says_so(tmp_path: Path) -> None:
    result = run_cli("check", "--deep", "--limit", "3", str(bundled_scenes()))
    assert "story.yaml:1:1: warning: the story has more than 3 distinct states; the analysis stopped" in result.stdout
    assert result.returncode == 0
    assert run_cli("check", "--deep", "--strict", "--limit", "3", str(bundled_scenes())).returncode == 1


def test_static_warnings_name_items_and_variables(tmp_path: Path) -> None:
    folder = write_story(tmp_path / "s", story=TINY_STORY.replace("  trust: 0\n", "  trust: 0\n  idle: 1\n"))
    found = warnings_of(folder)
    assert found == ["story.yaml:14:3: variable 'idle' is never read by any condition"]


ROUTE_STORY = """\
  a:
    title: Hall
    text: Start.
    choices:
      - {id: door, text: Door, goto: locked_room}
      - {id: detour, text: Detour, goto: shed}
      - {id: long, text: Long way, goto: l1}
  shed:
    title: Shed
    text: A key.
    choices:
      - {id: grab, text: Grab key, goto: a, do: {give: key}}
  locked_room:
    title: Locked
    text: A locked door.
    choices:
      - {id: unlock, text: Unlock, goto: over, if: has key}
      - {id: back, text: Back, goto: a}
  l1: {title: L1, text: x, choices: [{id: n1, text: n, goto: l2}]}
  l2: {title: L2, text: x, choices: [{id: n2, text: n, goto: l3}]}
  l3: {title: L3, text: x, choices: [{id: n3, text: n, goto: l4}]}
  l4: {title: L4, text: x, choices: [{id: n4, text: n, goto: over, do: {set: lit, add: {n: 1}, give: lamp}}]}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
"""


def test_route_finds_the_optimum_through_a_detour_for_an_item(tmp_path: Path) -> None:
    folder = story_with(tmp_path, ROUTE_STORY.replace("if: has key}", "if: has key and not lit and n == 0 and "
                                                     "not has lamp}"))
    result = run_cli("route", "--to", "over", "--json", "--scenes", str(folder))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"ending": "over", "moves": 4, "choices": ["detour", "grab", "door", "unlock"]}
    route_file = tmp_path / "route.json"
    route_file.write_text(result.stdout)
    assert run_cli("walk", str(route_file), "--scenes", str(folder)).returncode == 0


def test_route_to_an_unknown_or_unreachable_ending_is_a_clear_message(tmp_path: Path) -> None:
    unknown = run_cli("route", "--to", "nowhere")
    assert unknown.returncode == 2 and "'nowhere' is not an ending of this story" in unknown.stderr
    folder = story_with(tmp_path, ROUTE_STORY.replace("if: has key}", "if: has key and n > 9 and lit and has lamp}"))
    result = run_cli("route", "--to", "over", "--scenes", str(folder))
    assert result.returncode == 0
    blocked = story_with(tmp_path / "b", ROUTE_STORY.replace("goto: over, do", "goto: l1, do").replace(
        "if: has key}", "if: has key and n > 9 and lit and has lamp}"))
    none = run_cli("route", "--to", "over", "--scenes", str(blocked))
    assert none.returncode == 1 and none.stderr.strip() == "daylights: no play reaches ending 'over'"


def test_random_testing_is_reproducible(bundled: Story) -> None:
    first = play_randomly(bundled, 40, seed=5)
    second = play_randomly(bundled, 40, seed=5)
    assert first.log == second.log
    assert play_randomly(bundled, 40, seed=6).log != first.log


def test_random_testing_covers_the_bundled_story_without_failures() -> None:
    result = run_cli("test", "--random", "1000", "--seed", "3", "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 0 and report["failures"] == []
    assert report["scenes"]["seen"] >= 85 and report["endings"]["reached"] >= 10


def test_a_failing_random_playthrough_is_written_as_a_walkthrough_that_reproduces_it(tmp_path: Path) -> None:
    folder = story_with(tmp_path, SOFTLOCK_SCENES)
    out = tmp_path / "failures"
    result = run_cli("test", "--random", "5", "--seed", "1", "--out", str(out), "--scenes", str(folder))
    assert result.returncode == 1
    assert "FAILED softlock: no open choice in scene 'b'" in result.stdout
    written = sorted(out.glob("*.yaml"))
    assert written
    story = load_story(folder)
    replay = walk(story, read_walkthrough(written[0]))
    assert replay.final.scene == "b" and replay.failure is not None and "not an ending" in replay.failure


def test_graph_draws_acts_endings_and_conditions(bundled: Story) -> None:
    mermaid = run_cli("graph").stdout
    assert mermaid.startswith("flowchart TD\n")
    assert '  subgraph gibraltar["Gibraltar"]' in mermaid
    assert "  class epi_dressing_room canonical" in mermaid
    dot = run_cli("graph", "--format", "dot").stdout
    assert "subgraph cluster_tangier {" in dot and 'label="Tangier";' in dot
    assert dot.count("shape=doubleoctagon") == len(bundled.endings)


def test_graph_edges_are_labelled_with_choice_ids_and_conditions(tmp_path: Path) -> None:
    folder = story_with(tmp_path, ROUTE_STORY)
    mermaid = run_cli("graph", str(folder)).stdout
    assert '  a -->|"door"| locked_room' in mermaid
    assert '  locked_room -.->|"unlock if has key"| over' in mermaid
    assert '    over(["Over"])' in mermaid
    dot = run_cli("graph", str(folder), "--format", "dot").stdout
    assert '  a -> locked_room [label="door"];' in dot
    assert '  locked_room -> over [label="unlock if has key", style=dashed];' in dot


def test_stats_count_the_story(bundled: Story) -> None:
    data = json.loads(run_cli("stats", "--json").stdout)
    assert data["scenes"] == len(bundled.scenes) and data["items"] == len(bundled.items)
    assert sum(data["endings"].values()) == len(bundled.endings)
    assert [a["id"] for a in data["acts"]] == [a.id for a in bundled.acts]
    assert sum(a["words"] for a in data["acts"]) == data["words"] >= 12_000
    assert "Bratislava, again" in run_cli("stats").stdout


def test_shipped_schema_is_the_one_the_code_builds() -> None:
    assert (ROOT / "docs" / "scene-schema.json").read_text(encoding="utf-8") == schema_text()
    assert run_cli("schema").stdout == schema_text()


@pytest.mark.parametrize("path", sorted(p.name for p in (ROOT / "scenes").glob("*.yaml")))
def test_every_bundled_file_validates_against_the_schema_and_points_at_it(path: str) -> None:
    text = (ROOT / "scenes" / path).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../docs/scene-schema.json\n")
    jsonschema.validate(yaml.safe_load(text), scene_schema())


def test_every_bundled_file_validates_against_the_bundled_story_schema(bundled: Story) -> None:
    validator = jsonschema.Draft202012Validator(story_schema(bundled))
    for path in sorted((ROOT / "scenes").glob("*.yaml")):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path.name


def test_schema_rejects_an_unknown_key() -> None:
    bad = {"act": "one", "scenes": {"a": {"title": "A", "txet": "typo"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, scene_schema())


def test_analysis_reports_nothing_for_the_bundled_story(bundled: Story) -> None:
    assert analysis.findings(bundled, analysis.explore(bundled)) == []


def errors_of(folder: Path) -> list[str]:
    """Each error line of 'check', with the story folder's path left out so tests read like the output."""
    result = run_cli("check", str(folder))
    return [line.replace(f"{folder}/", "") for line in result.stdout.splitlines() if ": error: " in line]


CANONICAL_STORY = """\
id: t
title: T
version: "1"
start: a
acts: {one: One}
beats:
  first: {title: First, canonical: true}
  second: {title: Second, canonical: true}
"""
CANONICAL_SCENES = """\
  a:
    title: A
    text: Start.
    beats: [first]
    choices:
      - {id: go, text: Go, goto: b}
      - {id: skip, text: Skip, goto: over}
  b:
    title: B
    text: Middle.
    beats: [second]
    choices:
      - {id: on, text: On, goto: over}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
"""
EFFECT_SCENES = """\
  a:
    title: A
    text: Start.
    choices:
      - {id: go, text: Go, goto: b, do: {give: key, set: lit, add: {n: 1}}}
      - {id: skip, text: Skip, goto: b, do: {give: lamp}}
  b:
    title: B
    text: Middle.
    choices:
      - {id: on, text: On, goto: over, if: has key or has lamp or lit or n > 0}
  over:
    title: Over
    text: Over.
    ending: {kind: canonical, title: Over}
"""


def canonical_story(tmp_path: Path, walkthrough: str, scenes: str = CANONICAL_SCENES) -> Path:
    folder = story_with(tmp_path, scenes, CANONICAL_STORY)
    (folder / "walkthroughs").mkdir()
    (folder / "walkthroughs" / "canonical.yaml").write_text(walkthrough)
    return folder


def test_check_replays_every_walkthrough_and_locates_a_broken_one(tmp_path: Path) -> None:
    folder = canonical_story(tmp_path, "choices: [go, on]\n")
    (folder / "walkthroughs" / "detour.yaml").write_text("ending: over\nchoices: [go, back]\n")
    assert errors_of(folder) == ["walkthroughs/detour.yaml:2:15: error: move 2: scene 'b' has no choice 'back' "
                                 "(open choices: on)"]
    assert run_cli("check", str(folder)).returncode == 1


def test_check_reports_an_unreadable_walkthrough_in_its_file(tmp_path: Path) -> None:
    folder = canonical_story(tmp_path, "choices: [go, on]\n")
    (folder / "walkthroughs" / "typo.yaml").write_text("choises: [go]\n")
    assert errors_of(folder) == ["walkthroughs/typo.yaml:1:1: error: unknown key 'choises' in a walkthrough "
                                 "(did you mean 'choices'?)"]


def test_a_canonical_walkthrough_that_skips_a_canonical_beat_is_an_error(tmp_path: Path) -> None:
    folder = canonical_story(tmp_path, "choices: [skip]\n")
    assert errors_of(folder) == ["walkthroughs/canonical.yaml:1:1: error: the canonical walkthrough never shows "
                                 "canonical beat 'second' (declared at story.yaml:8:3); list it in the 'beats' "
                                 "of a scene on the path"]


def test_canonical_beats_must_appear_in_the_order_story_yaml_declares(tmp_path: Path) -> None:
    swapped = CANONICAL_SCENES.replace("beats: [first]", "beats: [one]").replace(
        "beats: [second]", "beats: [first]").replace("beats: [one]", "beats: [second]")
    folder = canonical_story(tmp_path, "choices: [go, on]\n", swapped)
    assert errors_of(folder) == ["walkthroughs/canonical.yaml:1:1: error: the canonical walkthrough shows "
                                 "canonical beat 'second' before 'first'; canonical beats must appear in the "
                                 "order story.yaml declares them"]


def test_a_clean_canonical_walkthrough_passes_strict_check(tmp_path: Path) -> None:
    folder = canonical_story(tmp_path, "ending: over\nchoices: [go, on]\n")
    result = run_cli("check", "--strict", str(folder))
    assert result.returncode == 0, result.stdout


def test_a_story_without_its_canonical_walkthrough_is_warned_when_beats_are_canonical(tmp_path: Path) -> None:
    folder = story_with(tmp_path, CANONICAL_SCENES, CANONICAL_STORY)
    assert "story.yaml:1:1: beats marked canonical are checked on walkthroughs/canonical.yaml" in \
        " ".join(warnings_of(folder))


def test_two_canonical_endings_are_an_error_and_route_will_not_pick_one(tmp_path: Path) -> None:
    scenes = CANONICAL_SCENES.replace("{id: skip, text: Skip, goto: over}", "{id: skip, text: Skip, goto: other}") \
        + "  other:\n    title: Other\n    text: Other.\n    ending: {kind: canonical, title: Other}\n"
    folder = canonical_story(tmp_path, "choices: [go, on]\n", scenes)
    assert errors_of(folder) == ["one.yaml:20:3: error: scene 'other' is a second canonical ending (the first is "
                                 "'over' at one.yaml:16:3); a story has one, so make the other 'alternate'"]
    route = run_cli("route", str(folder), "--to", "canonical")
    assert route.returncode == 2
    assert route.stderr.strip() == ("daylights: this story has 2 canonical endings (over, other); name one with "
                                    "--to, and make the others 'alternate'")


def test_a_misspelt_section_of_story_yaml_is_one_error(tmp_path: Path) -> None:
    folder = story_with(tmp_path, EFFECT_SCENES, STORY.replace("variables:", "variabels:"))
    assert errors_of(folder) == ["story.yaml:9:1: error: unknown key 'variabels' in story.yaml (did you mean "
                                 "'variables'?); expected one of: id, title, subtitle, author, blurb, version, "
                                 "start, acts, items, variables, beats, description"]


def test_an_invalid_effect_does_not_also_warn_of_twin_choices(tmp_path: Path) -> None:
    scenes = EFFECT_SCENES.replace("do: {give: lamp}}", "do: {give: lmap}}\n      - {id: wait, text: Wait, goto: b}")
    result = run_cli("check", str(story_with(tmp_path, scenes)))
    assert "unknown item 'lmap' (did you mean 'lamp'?)" in result.stdout
    assert "same scene with the same effects" not in result.stdout


@pytest.mark.parametrize(("written", "read"), [("No", "No"), ("1984", "1984"), ("yes", "yes"), ("3.10", "3.10"),
                                               ("'null'", "null")])
def test_text_fields_take_any_scalar_as_the_words_written(tmp_path: Path, written: str, read: str) -> None:
    scenes = CANONICAL_SCENES.replace("    title: A\n    text: Start.", f"    title: {written}\n    text: {written}")
    story = load_story(story_with(tmp_path, scenes, CANONICAL_STORY))
    assert story.scenes["a"].title == read
    assert story.scenes["a"].text.fixed == read


def test_a_null_text_is_empty(tmp_path: Path) -> None:
    folder = story_with(tmp_path, CANONICAL_SCENES.replace("    title: A\n", "    title: ~\n"), CANONICAL_STORY)
    assert errors_of(folder) == ["one.yaml:4:12: error: title of scene 'a' is empty"]


def test_messages_use_the_right_article(tmp_path: Path) -> None:
    scenes = EFFECT_SCENES.replace("give: key, set: lit", "give: n, set: lit")
    assert "cannot give 'n': it is an integer, not an item; use 'set' or 'add'" in " ".join(
        errors_of(story_with(tmp_path, scenes)))


def test_an_id_message_says_what_the_docs_say(tmp_path: Path) -> None:
    folder = story_with(tmp_path, CANONICAL_SCENES.replace("id: go,", "id: 2go,"), CANONICAL_STORY)
    assert "choice id '2go' must start with a letter or _ and use only letters, digits and _" in " ".join(
        errors_of(folder))
    assert "Ids start with a letter or `_`" in (ROOT / "docs" / "AUTHORING.md").read_text(encoding="utf-8")


YAML_MISTAKES = [
    (2, "    text: He said: run", "5:11", "the ': ' at column 18 is inside the text of 'text', where YAML reads it "
     "as a new key; put the whole text in quotes (\"...\"), or write it on the lines after 'text: |'"),
    (1, '    title: "Start', "4:12", "the quote \" that starts here is never closed; end the text with \" on "
     "the same line, or drop the quotes and write the text on the lines after 'title: |'"),
    (1, "    title: 'Kara's cello'", "4:12", "this text starts with ', so it ends at the next ' and the words after "
     "it are left over; write an apostrophe inside '...' twice ('') or use double quotes, or drop the quotes"),
    (2, "\ttext: Start.", "5:1", "a tab in the indentation; YAML indents with spaces only (set your editor to "
     "insert spaces)"),
    (3, "    beats: [first", "6:12", "the '[' here is never closed with ']'; close it, or if it is part of a text, "
     "put the whole text in quotes"),
    (2, "   text: Start.", "5:4", "this line starts at column 4, which lines up with no key above it; indent it "
     "to line up with its siblings (lines above start at column 1, 3, 5), with spaces"),
]


@pytest.mark.parametrize(("index", "line", "where", "message"), YAML_MISTAKES)
def test_a_yaml_syntax_error_names_its_likely_cause_where_it_starts(tmp_path: Path, index: int, line: str,
                                                                    where: str, message: str) -> None:
    lines = CANONICAL_SCENES.splitlines()
    lines[index] = line
    folder = story_with(tmp_path, "\n".join(lines) + "\n", CANONICAL_STORY)
    assert errors_of(folder) == [f"one.yaml:{where}: error: invalid YAML: {message}"]


def test_a_scene_pushed_to_column_0_is_one_error(tmp_path: Path) -> None:
    scenes = CANONICAL_SCENES.replace("  over:\n", "over:\n")
    assert errors_of(story_with(tmp_path, scenes, CANONICAL_STORY)) == [
        "one.yaml:16:1: error: scene 'over' is outside 'scenes:' (it starts at column 1); indent it under "
        "'scenes:' like the scenes above it"]


def test_schema_for_a_story_lists_its_names(tmp_path: Path) -> None:
    folder = story_with(tmp_path, EFFECT_SCENES)
    result = run_cli("schema", "--story", str(folder))
    assert result.returncode == 0, result.stderr
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    defs = schema["$defs"]
    assert defs["choice"]["properties"]["goto"]["enum"] == ["a", "b", "over"]
    assert defs["effects"]["properties"]["give"]["anyOf"][0] == {"enum": ["key", "lamp"]}
    assert defs["effects"]["properties"]["add"]["propertyNames"] == {"enum": ["n"]}
    assert defs["effects"]["properties"]["clear"]["anyOf"][0] == {"enum": ["lit"]}
    bad = {"act": "one", "scenes": {"x": {"title": "X", "text": "x", "choices": [
        {"id": "c", "text": "C", "goto": "ovr"}]}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    printed = run_cli("schema", "--story", str(folder), "--output", "-")
    assert json.loads(printed.stdout) == schema
