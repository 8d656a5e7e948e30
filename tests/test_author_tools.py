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
from game.story.schema import scene_schema, schema_text
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
    result = run_cli("check", "--limit", "3", str(bundled_scenes()))
    assert "story.yaml:1:1: warning: the story has more than 3 distinct states; the analysis stopped" in result.stdout
    assert result.returncode == 0
    assert run_cli("check", "--strict", "--limit", "3", str(bundled_scenes())).returncode == 1


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
    assert '    epi_dressing_room(["The Living Daylights"])' in mermaid
    assert '  brat_flat -. "has binoculars" .-> brat_sweep' in mermaid
    assert "  class epi_dressing_room canonical" in mermaid
    dot = run_cli("graph", "--format", "dot").stdout
    assert "subgraph cluster_tangier {" in dot and 'label="Tangier";' in dot
    assert 'brat_flat -> brat_sweep [label="has binoculars", style=dashed];' in dot
    assert dot.count("shape=doubleoctagon") == len(bundled.endings)


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


def test_schema_rejects_an_unknown_key() -> None:
    bad = {"act": "one", "scenes": {"a": {"title": "A", "txet": "typo"}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, scene_schema())


def test_analysis_reports_nothing_for_the_bundled_story(bundled: Story) -> None:
    assert analysis.findings(bundled, analysis.explore(bundled)) == []
