"""The bundled story: complete, reachable, deep, faithful to its beat sheet, and its own words."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from game import analysis, engine
from game.bundled import bundled_scenes, canonical_walkthrough
from game.plain import transcript
from game.randomplay import play_randomly
from game.render import scene_paragraphs
from game.stats import story_stats
from game.story import Story, check_story
from game.story.model import Effects, Text
from game.walkthrough import read_walkthrough, walk
from tests.conftest import ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
GOLDEN = ROOT / "tests" / "golden" / "canonical_transcript.txt"


@pytest.fixture(scope="module")
def explored(bundled: Story) -> analysis.Exploration:
    return analysis.explore(bundled)


def words(text: Text) -> int:
    """Every word the writer wrote for a scene, in all its variants."""
    return len(text.words())


def test_bundled_story_is_clean_under_strict_check() -> None:
    story, problems = check_story(bundled_scenes())
    assert story is not None
    assert [str(p) for p in problems] == []


def test_playing_the_story_out_finds_nothing_no_doom_no_dead_text_no_idle_lock(bundled: Story) -> None:
    """What `check --strict` finds by playing: no unreachable text, no lock that never binds, no
    choice after which every route ends badly without the prose saying so, within the state limit."""
    found = analysis.explore(bundled, thorough=True)
    assert not found.truncated, found.states
    assert [str(p) for p in analysis.findings(bundled, found)] == []


def test_canonical_walkthrough_reaches_the_canonical_ending(bundled: Story) -> None:
    result = walk(bundled, read_walkthrough(canonical_walkthrough(bundled_scenes())))
    assert result.failure is None
    ending = engine.ending_of(bundled, result.final)
    assert ending is not None and ending.kind == "canonical"
    assert result.final.scene == "epi_dressing_room"


def canonical_beats_shown(story: Story, choices: list[str]) -> list[str]:
    canonical = {b.id for b in story.beats if b.canonical}
    return [b for b in engine.beats_shown(story, engine.replay(story, choices)) if b in canonical]


def test_canonical_walkthrough_shows_every_canonical_beat_in_order(bundled: Story) -> None:
    choices = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)
    assert canonical_beats_shown(bundled, choices) == [b.id for b in bundled.beats if b.canonical]


def test_shortest_route_to_the_canonical_ending_skips_no_canonical_beat(bundled: Story,
                                                                        explored: analysis.Exploration) -> None:
    par = explored.routes["epi_dressing_room"]
    assert canonical_beats_shown(bundled, par) == [b.id for b in bundled.beats if b.canonical]


def test_every_scene_and_ending_is_reachable_under_the_real_rules(bundled: Story,
                                                                 explored: analysis.Exploration) -> None:
    assert not explored.truncated
    assert sorted(set(bundled.scenes) - explored.scenes) == []
    assert sorted(e.id for e in bundled.endings) == sorted(explored.routes)


def test_no_softlocks_and_no_dead_ends(explored: analysis.Exploration) -> None:
    assert explored.softlocks == {}
    assert explored.stuck == {}


def test_every_choice_can_be_taken_in_some_play(bundled: Story, explored: analysis.Exploration) -> None:
    every = {(s.id, c.id) for s in bundled.scenes.values() for c in s.choices}
    assert sorted(every - explored.opened) == []


def all_effects(story: Story) -> Iterator[tuple[str, Effects]]:
    for scene in story.scenes.values():
        yield scene.act, scene.on_enter
        for choice in scene.choices:
            yield scene.act, choice.effects


def test_every_item_is_given_somewhere_and_required_somewhere(bundled: Story) -> None:
    given = {item for _, effects in all_effects(bundled) for item in effects.give}
    required = {name for s in bundled.scenes.values() for c in s.choices if c.condition
                for kind, name in c.condition.reads() if kind == "item"}
    assert set(bundled.items) == given == required


def prose_words(text: str) -> int:
    return len(re.findall(r"\S+", text))


def scene_words(story: Story, scene_id: str) -> int:
    """Every word written for a scene, in every branch of its text."""
    return len(story.scenes[scene_id].text.words())


def figure(story: Story, name: str) -> int:
    """One of the counts ``daylights stats --json`` prints."""
    value = story_stats(story)[name]
    assert isinstance(value, int)
    return value


def test_story_is_deep_not_a_corridor(bundled: Story) -> None:
    assert len(bundled.scenes) >= 130
    assert len(bundled.items) >= 12
    assert len(bundled.endings) >= 16
    assert {e.ending.kind for e in bundled.endings if e.ending} == {"canonical", "alternate", "death", "failure"}


def test_the_whole_story_runs_to_at_least_30000_words(bundled: Story) -> None:
    assert figure(bundled, "words") >= 30_000


def test_the_films_path_reads_at_least_15000_words(bundled: Story) -> None:
    choices = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)
    assert prose_words(transcript(bundled, choices)) >= 15_000


def test_at_most_15_percent_of_scenes_offer_a_single_choice(bundled: Story) -> None:
    single, scenes = figure(bundled, "single_choice_scenes"), figure(bundled, "non_ending_scenes")
    assert single <= 0.15 * scenes, (single, scenes)


def test_at_least_40_scenes_answer_the_player_with_conditional_text(bundled: Story) -> None:
    assert figure(bundled, "conditional_text_scenes") >= 40


def test_every_scene_has_between_60_and_600_words_written(bundled: Story) -> None:
    outside = {sid: scene_words(bundled, sid) for sid in bundled.scenes
               if not 60 <= scene_words(bundled, sid) <= 600}
    assert outside == {}


def test_no_scene_reads_longer_than_450_words_on_the_films_path(bundled: Story) -> None:
    choices = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)
    state = engine.new_game(bundled)
    long = {}
    for choice in [*choices, None]:
        shown = prose_words(" ".join(scene_paragraphs(bundled, state)))
        if shown > 450:
            long[state.scene] = shown
        if choice is not None:
            state = engine.choose(bundled, state, choice)
    assert long == {}


def test_random_players_mostly_get_past_the_first_act(bundled: Story) -> None:
    report = play_randomly(bundled, 1000, seed=1)
    first = bundled.acts[0].id
    in_first = sum(n for scene, n in report.endings.items() if bundled.scenes[scene].act == first)
    assert report.failures == []
    assert in_first <= 0.30 * 1000, dict(report.endings)


def test_karas_regard_is_shown_and_moves_both_ways_in_the_second_half(bundled: Story) -> None:
    trust = bundled.variables["kara_trust"]
    assert trust.label and (trust.low, trust.high) == (0, 5)
    later = {a.id for a in bundled.acts[5:]}
    steps = {n for act, effects in all_effects(bundled) if act in later for name, n in effects.add
             if name == "kara_trust"}
    assert any(n > 0 for n in steps) and any(n < 0 for n in steps), steps


def test_at_least_three_variables_change_what_happens(bundled: Story) -> None:
    read = {name for s in bundled.scenes.values() for c in s.choices if c.condition
            for kind, name in c.condition.reads() if kind == "variable"}
    changed = {name for _, effects in all_effects(bundled) for name, _ in (*effects.set, *effects.add)}
    assert len(read & changed) >= 3


def test_at_least_six_decisions_pay_off_two_or_more_acts_later(bundled: Story) -> None:
    order = {act.id: index for index, act in enumerate(bundled.acts)}
    made: dict[str, int] = {}
    for act, effects in all_effects(bundled):
        for name in (*effects.give, *(n for n, _ in effects.set), *(n for n, _ in effects.add)):
            made[name] = min(made.get(name, 99), order[act])
    later = set()
    for scene in bundled.scenes.values():
        for choice in scene.choices:
            for _, name in choice.condition.reads() if choice.condition else ():
                if name in made and order[scene.act] - made[name] >= 2:
                    later.add(name)
    assert len(later) >= 6, sorted(later)


def ways_through(story: Story, act: str) -> set[frozenset[str]]:
    """The distinct sets of scenes a play can pass through in ``act`` on its way to the next act."""
    entries = {c.target for s in story.scenes.values() if s.act != act for c in s.choices
               if story.scenes[c.target].act == act}
    if story.scenes[story.start].act == act:
        entries.add(story.start)
    found: set[frozenset[str]] = set()

    def follow(scene_id: str, path: list[str]) -> None:
        scene = story.scenes[scene_id]
        for choice in scene.choices:
            target = story.scenes[choice.target]
            if target.act != act:
                found.add(frozenset(path))
            elif choice.target not in path:
                follow(choice.target, [*path, choice.target])

    for entry in entries:
        follow(entry, [entry])
    return found


def test_at_least_three_acts_offer_more_than_one_way_through(bundled: Story) -> None:
    branching = [act.id for act in bundled.acts if len(ways_through(bundled, act.id)) >= 2]
    assert len(branching) >= 3, branching


def test_no_two_choices_in_a_scene_have_the_same_outcome(bundled: Story) -> None:
    for scene in bundled.scenes.values():
        outcomes = [(c.target, c.effects) for c in scene.choices]
        assert len(outcomes) == len(set(outcomes)), scene.id


def test_beat_sheet_matches_the_story_beats(bundled: Story) -> None:
    sheet = yaml.safe_load((ROOT / "seeds" / "beats.yaml").read_text(encoding="utf-8"))
    beats = sheet["beats"]
    assert len(beats) >= 35
    assert [(b["id"], b["canonical"]) for b in beats] == [(b.id, b.canonical) for b in bundled.beats]
    files = set(sheet["sources"].values())
    assert len(files) == 4
    for beat in beats:
        assert beat["summary"] and beat["sources"] and set(beat["sources"]) <= files, beat["id"]
        for version in beat.get("versions", []):
            assert set(version["sources"]) <= files and beat.get("game_follows"), beat["id"]
    if SEEDS.is_dir():
        assert files == {p.name for p in SEEDS.glob("*.txt")}


def own_words_files() -> list[Path]:
    return [*sorted((ROOT / "scenes").rglob("*.yaml")), *sorted((ROOT / "seeds").iterdir()),
            *sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed synopses live in ../shared/seeds")
def test_no_sentence_is_taken_from_the_synopses() -> None:
    def runs(text: str) -> set[tuple[str, ...]]:
        tokens = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(tokens[i:i + 7]) for i in range(len(tokens) - 6)}

    seed_runs = set().union(*(runs(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")))
    copied = {p.name: sorted(" ".join(r) for r in runs(p.read_text(encoding="utf-8")) & seed_runs)
              for p in own_words_files()}
    assert {name: found for name, found in copied.items() if found} == {}


def test_plain_transcript_of_the_canonical_walkthrough_matches_the_golden_file(bundled: Story) -> None:
    """Any change to the canonical text shows up here. Regenerate the file with
    ``daylights walk --transcript > tests/golden/canonical_transcript.txt`` and review the diff."""
    choices = list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices)
    assert transcript(bundled, choices) == GOLDEN.read_text(encoding="utf-8")


def beat_cues() -> dict[str, list[str]]:
    sheet = yaml.safe_load((ROOT / "seeds" / "beats.yaml").read_text(encoding="utf-8"))
    return {b["id"]: b.get("cues", []) for b in sheet["beats"]}


def shows_cue(story: Story, state: engine.State, beat: str, cues: dict[str, list[str]]) -> bool:
    prose = " ".join(scene_paragraphs(story, state)).lower()
    return any(cue.lower() in prose for cue in cues[beat])


def test_every_beat_has_cue_words(bundled: Story) -> None:
    cues = beat_cues()
    assert [b.id for b in bundled.beats if not cues.get(b.id)] == []


def test_every_scene_tagged_with_a_beat_shows_one_of_its_cues(bundled: Story) -> None:
    """Every visit to a beat's scene, on the film's path and in 300 seeded random plays, shows
    one of the beat's cue words in the prose the player reads."""
    cues = beat_cues()
    plays = [list(read_walkthrough(canonical_walkthrough(bundled_scenes())).choices),
             *play_randomly(bundled, 300, seed=7).log]
    missing: dict[tuple[str, str], list[str]] = {}
    for choices in plays:
        state = engine.new_game(bundled)
        for choice in [*choices, None]:
            for beat in bundled.scenes[state.scene].beats:
                if not shows_cue(bundled, state, beat, cues):
                    missing.setdefault((state.scene, beat), choices[:len(state.path)])
            if choice is not None:
                state = engine.choose(bundled, state, choice)
    assert missing == {}


def test_the_shortest_route_to_the_canonical_ending_shows_every_canonical_beat_in_its_prose(
        bundled: Story, explored: analysis.Exploration) -> None:
    cues = beat_cues()
    route = explored.routes["epi_dressing_room"]
    canonical = [b.id for b in bundled.beats if b.canonical]
    shown: list[str] = []
    state = engine.new_game(bundled)
    for choice in [*route, None]:
        for beat in bundled.scenes[state.scene].beats:
            if beat in canonical and beat not in shown and shows_cue(bundled, state, beat, cues):
                shown.append(beat)
        if choice is not None:
            state = engine.choose(bundled, state, choice)
    assert shown == canonical
