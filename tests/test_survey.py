"""The survey: sound claims about a story from each name's possible values per scene, and `check`
searching every state only when the survey says that is cheap (or when asked with --deep)."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from game import analysis
from game.story import Story, check_story, load_story
from game.survey import survey
from tests.conftest import run_cli, write_story

HEAD = """\
id: flags
title: Flags
version: "1"
start: s0
acts:
  one: One
variables:
{variables}
"""


OUT = """\
  out:
    title: Out
    text: Out.
    ending: {kind: canonical, title: Out}
"""


def many_flags(flags: int, last: str) -> tuple[str, str]:
    """A story that sets ``flags`` independent flags one scene after another, then ``last`` (which
    may lead to the ending ``out``): far more states than the survey lets `check` search by default,
    in only a few scenes."""
    variables = "\n".join([*(f"  f{n}: false" for n in range(flags)), "  forced: false"])
    scenes = ["act: one", "scenes:"]
    for n in range(flags):
        following = f"s{n + 1}" if n + 1 < flags else "last"
        scenes += [f"  s{n}:", f"    title: Step {n}", "    text: A fork.", "    choices:",
                   f"      - id: yes{n}", "        text: Yes", f"        goto: {following}",
                   f"        do: {{set: f{n}}}",
                   f"      - id: no{n}", "        text: No", f"        goto: {following}"]
    every = " and ".join(f"f{n}" for n in range(flags))
    return HEAD.format(variables=variables), "\n".join(scenes) + "\n" + last.format(every=every) + OUT


SOFTLOCK_AT_THE_END = """\
  last:
    title: Last
    text: A door.
    choices:
      - id: open
        text: Open it
        if: {every}
        goto: out
      - id: force
        text: Force it
        if: not f0
        goto: out
        do: {{set: forced}}
"""


def flags_story(tmp_path: Path, flags: int, last: str = SOFTLOCK_AT_THE_END) -> Path:
    story, act = many_flags(flags, last)
    return write_story(tmp_path / "flags", story, {"one.yaml": act})


def test_survey_allows_everything_the_full_search_finds(bundled: Story) -> None:
    found = analysis.explore(bundled)
    surveyed = survey(bundled)
    assert found.scenes <= set(surveyed.values)
    assert found.opened <= surveyed.opened
    assert found.locked <= surveyed.locked
    bound = analysis.state_bound(bundled, surveyed).states
    assert bound is not None and found.states <= bound


def test_survey_of_the_bundled_story_proves_every_text_claim_the_full_search_makes(bundled: Story) -> None:
    quick = analysis.surveyed_exploration(bundled, survey(bundled))
    assert analysis.findings(bundled, quick) == []
    assert quick.softlocks == {} and quick.stuck == {} and quick.doomed == {}


def test_survey_follows_a_choice_only_under_values_that_open_it(tmp_path: Path) -> None:
    story = load_story(flags_story(tmp_path, 2))
    surveyed = survey(story)
    assert surveyed.values["last"][("variable", "f0")] == frozenset({False, True})
    assert ("last", "open") in surveyed.opened and ("last", "open") in surveyed.locked
    assert surveyed.unsure == {"last"}  # f0 true and f1 false leaves the door shut


def test_check_searches_a_small_story_in_full_and_finds_its_softlock(tmp_path: Path) -> None:
    folder = flags_story(tmp_path, 3)
    result = run_cli("check", str(folder))
    assert "softlock: scene 'last' can be reached with every choice locked" in result.stdout
    assert "Surveyed only" not in result.stdout


def test_check_only_surveys_a_story_with_too_many_states_and_says_what_it_left_out(tmp_path: Path) -> None:
    folder = flags_story(tmp_path, 16)
    surveyed = survey(load_story(folder))
    bound = analysis.state_bound(load_story(folder), surveyed).states
    assert bound is not None and bound > analysis.SEARCH_BOUND
    result = run_cli("check", str(folder))
    assert result.returncode == 0
    assert "softlock" not in result.stdout.split("Surveyed only")[0]
    note = result.stdout.strip().splitlines()[-1]
    assert note.startswith("Surveyed only: the story may have up to ")
    assert "The survey cannot rule out a softlock in 1 scene: last." in note
    assert note.endswith(f"To search every state: daylights check --deep {folder}")


def test_check_deep_searches_every_state_of_a_large_story(tmp_path: Path) -> None:
    folder = flags_story(tmp_path, 16)
    result = run_cli("check", "--deep", str(folder))
    assert "softlock: scene 'last' can be reached with every choice locked" in result.stdout
    assert "Surveyed only" not in result.stdout


NEVER = """\
  last:
    title: Last
    text:
      - if: f0 and not f0
        text: A passage no one reads.
      - if: {every}
        text: Every flag is up.
      - The door.
    choices:
      - id: out
        text: Out
        goto: out
      - id: key
        text: Use the key
        if: has key
        goto: out
      - id: all
        text: Every flag is up
        if: {every}
        goto: out
        do: {{set: forced}}
"""


def never_story(tmp_path: Path) -> Path:
    """16 flags, then a scene with a passage no one reads and a choice that needs a key never given."""
    story, act = many_flags(16, NEVER)
    return write_story(tmp_path / "never", story + "items:\n  key: {name: Key, description: Small.}\n",
                       {"one.yaml": act})


def test_a_surveyed_check_still_reports_what_never_happens(tmp_path: Path) -> None:
    folder = never_story(tmp_path)
    result = run_cli("check", str(folder))
    assert "Surveyed only" in result.stdout
    assert "text never shown: every time scene 'last' is reached, 'f0 and not f0' is false" in result.stdout
    assert "choice 'key' in scene 'last' can never be taken" in result.stdout
    deep = run_cli("check", "--deep", str(folder))
    assert [line for line in result.stdout.splitlines() if "warning" in line] == \
        [line for line in deep.stdout.splitlines() if "warning" in line]


# -- the survey never claims more than the full search: random small stories -------------------

CONDITIONS = ("has key", "not has key", "lit", "not lit", "brave and lit", "n >= 1", "n >= 2", "n < 2",
              "visited s1", "visits s2 >= 2", "lit or has key", "not brave")
EFFECTS = ("", "{give: key}", "{take: key}", "{set: lit}", "{clear: lit}", "{set: brave}", "{add: {n: 1}}",
           "{add: {n: -1}}", "{set: {n: 0}}")


@st.composite
def small_stories(draw: st.DrawFn) -> str:
    """The act file of a random story of a few scenes, with conditions, effects, once-only and
    fallback choices, loops and passages of text that vary."""
    scenes = draw(st.integers(3, 6))
    lines = ["act: one", "scenes:"]
    for number in range(scenes):
        lines += [f"  s{number}:", f"    title: Scene {number}", "    text:",
                  f"      - if: {draw(st.sampled_from(CONDITIONS))}",
                  "        text: One way.",
                  "      - else: The other way.",
                  "    choices:"]
        for index in range(draw(st.integers(1, 3))):
            lines += [f"      - id: c{index}", f"        text: Choice {index}",
                      f"        goto: {draw(st.sampled_from([*(f's{n}' for n in range(scenes)), 'win', 'lose']))}"]
            if draw(st.booleans()):
                lines.append(f"        if: {draw(st.sampled_from(CONDITIONS))}")
            effect = draw(st.sampled_from(EFFECTS))
            if effect:
                lines.append(f"        do: {effect}")
            kind = draw(st.sampled_from(["", "", "once", "fallback"]))
            if kind:
                lines.append(f"        {kind}: true")
    lines += ["  win:", "    title: Won", "    text: Won.", "    ending: {kind: canonical, title: Won}",
              "  lose:", "    title: Lost", "    text: Lost.", "    ending: {kind: death, title: Lost}"]
    return "\n".join(lines) + "\n"


SMALL_HEAD = """\
id: small
title: Small
version: "1"
start: s0
acts:
  one: One
items:
  key: {name: Key, description: Small.}
variables:
  lit: false
  brave: false
  n: 0
"""


FALLBACK_NEVER_SHOWN = """\
act: one
scenes:
  s0:
    title: Scene 0
    text: Dark.
    choices:
      - {id: c0, text: Go, goto: s2, once: true}
  s2:
    title: Scene 2
    text: Darker.
    choices:
      - {id: c0, text: Back, goto: s0, if: not has key, fallback: true}
      - {id: c1, text: Take it, goto: s0, do: {give: key}}
  win:
    title: Won
    text: Won.
    ending: {kind: canonical, title: Won}
"""
"""Once-only, so s2 is only ever reached without the key: the search says the fallback never
shows because another choice is always open; the survey, which cannot tie the key to the
once-only choice, says the weaker 'its condition is false or another choice is open'."""


def claim(finding: str) -> str:
    """A finding without its reason, which the search may know better than the survey."""
    return finding.split(" can never be taken: ")[0]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(act=small_stories())
@example(act=FALLBACK_NEVER_SHOWN)
def test_the_survey_never_claims_more_than_the_full_search(tmp_path: Path, act: str) -> None:
    folder = write_story(tmp_path / "small", SMALL_HEAD, {"one.yaml": act})
    story, _ = check_story(folder)
    assume(story is not None)
    assert story is not None
    surveyed = survey(story)
    found = analysis.explore(story, 5_000, thorough=True, surveyed=surveyed)
    quick = analysis.surveyed_exploration(story, surveyed)
    bound = analysis.state_bound(story, surveyed).states
    assert found.truncated or bound is None or found.states <= bound
    assume(not found.truncated)
    assert found.scenes <= quick.scenes
    assert found.opened <= quick.opened
    assert found.locked <= quick.locked
    assert found.shown <= quick.shown
    assert set(found.softlocks) <= surveyed.unsure
    # what the survey reports, the search reports too, or something stronger: the scene unreachable
    deep = {claim(str(p)) for p in analysis.findings(story, found)}
    for problem in analysis.findings(story, quick):
        scene = re.findall(r"(?:scene|ending) '([^']+)'", str(problem))[0]
        assert claim(str(problem)) in deep or scene not in found.scenes, str(problem)


COUNTER_AND_FLAG = """\
act: one
scenes:
  s0:
    title: Start
    text: Start.
    choices:
      - id: count
        text: Count
        goto: hub
        do: {add: {n: 1}}
      - id: light
        text: Light the lamp
        goto: hub
        do: {set: lit}
  hub:
    title: Hub
    text: The lamp is ${if lit then lit | else dark}.
    choices:
      - id: by_count
        text: By count
        goto: good
        if: n >= 1
      - id: by_lamp
        text: By lamplight
        goto: good2
        if: lit
  good:
    title: Good
    text: Good.
    ending: {kind: canonical, title: Good}
  good2:
    title: Good2
    text: Good2.
    ending: {kind: alternate, title: Good2}
"""


def test_a_flag_that_can_be_true_is_never_taken_for_the_number_one(tmp_path: Path) -> None:
    """{True} and {1} are equal sets; keeping one object per set must not turn a flag into a number
    (a condition on a flag tests `is True`), or the survey would call its passage unseen."""
    story = load_story(write_story(tmp_path / "lamp", SMALL_HEAD, {"one.yaml": COUNTER_AND_FLAG}))
    surveyed = survey(story)
    assert all(type(value) is bool for value in surveyed.at("hub", [("variable", "lit")])[("variable", "lit")] or ())
    assert analysis.findings(story, analysis.surveyed_exploration(story, surveyed)) == []


def test_a_search_that_stops_at_its_limit_still_reports_what_the_survey_proves(tmp_path: Path) -> None:
    folder = never_story(tmp_path)
    result = run_cli("check", "--deep", "--limit", "100", str(folder))
    assert "the story has more than 100 distinct states; the analysis stopped there" in result.stdout
    assert "text never shown: every time scene 'last' is reached, 'f0 and not f0' is false" in result.stdout
    assert "choice 'key' in scene 'last' can never be taken" in result.stdout


UNCOUNTED = """\
  last:
    title: Last
    text: A counter nobody caps.
    choices:
      - id: again
        text: Again
        goto: last
        do: {{add: {{down: -1}}}}
      - id: out
        text: Out
        if: down < 0 and {every}
        goto: out
"""


def test_the_note_names_the_counter_the_survey_cannot_bound(tmp_path: Path) -> None:
    story, act = many_flags(3, UNCOUNTED)
    folder = write_story(tmp_path / "uncounted", story.replace("  forced: false", "  forced: false\n  down: 0"),
                         {"one.yaml": act})
    result = run_cli("check", str(folder))
    assert ("Surveyed only: the story may have more states than it can count (it cannot tell how far 'down' "
            "goes by scene 'last')") in result.stdout, result.stdout


def test_the_note_prints_a_folder_name_as_text_not_as_terminal_escapes(tmp_path: Path) -> None:
    story, act = many_flags(16, SOFTLOCK_AT_THE_END)
    folder = write_story(tmp_path / "red\x1b[31mfolder", story, {"one.yaml": act})
    note = run_cli("check", str(folder)).stdout.strip().splitlines()[-1]
    assert note.startswith("Surveyed only") and "\x1b" not in note
    assert note.endswith("red\\x1b[31mfolder'")
