"""Walkthroughs: a list of choice ids (and the ending they should reach) kept as YAML data.

A walkthrough survives edits to prose because it names choices by id. Replaying one is the
speedrun test, the canonical-path test and the way a failing random playthrough is reproduced.
``check`` replays every walkthrough in a story's ``walkthroughs/`` folder, so an edit that breaks
one is reported with the other problems instead of when somebody next walks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import msgspec

from game import engine
from game.bundled import canonical_walkthrough
from game.engine import ChoiceError, State
from game.story.files import read_or_problem, refusal
from game.story.model import Story
from game.story.problems import Loc, Problem, did_you_mean, file_loc

WALKTHROUGH_KEYS = ("ending", "choices", "description", "moves")
WALKTHROUGHS = "walkthroughs"
"""The folder inside a story folder that holds its walkthroughs."""
CANONICAL = "canonical.yaml"
"""The walkthrough of the story's canonical path, inside ``walkthroughs/``."""


class WalkthroughError(Exception):
    """A walkthrough file that cannot be read; the message is one ``path:line:col: error:`` line."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class Walkthrough(msgspec.Struct, frozen=True, gc=False):
    """A walkthrough as read: plain data, so that the story cache can keep it beside the story."""

    choices: tuple[str, ...]
    ending: str | None
    """The ending scene id the walkthrough expects, if it names one."""
    path: str
    choice_locs: tuple[Loc, ...] = ()


class WalkthroughFile(msgspec.Struct, frozen=True, gc=False):
    """One file of a story's ``walkthroughs/`` folder: its walkthrough, or why it cannot be walked."""

    path: str
    walkthrough: Walkthrough | None
    problem: Problem | None


@dataclass(frozen=True)
class WalkResult:
    states: tuple[State, ...]
    """The state before each move and the final one."""
    problem: Problem | None
    """Why the replay stopped or missed its ending, located in the walkthrough; None on success."""

    @property
    def final(self) -> State:
        return self.states[-1]

    @property
    def failure(self) -> str | None:
        """The problem as the one line a command prints."""
        return None if self.problem is None else str(self.problem)


def story_folder_of(walkthrough: Path) -> Path | None:
    """The story a walkthrough file belongs to: ``DIR`` for a file in ``DIR/walkthroughs/``, or the
    folder beside it when that folder is a story; None when the file stands alone."""
    parent = walkthrough.parent
    for folder in ((parent.parent,) if parent.name == WALKTHROUGHS else ()) + (parent,):
        if (folder / "story.yaml").is_file():
            return folder
    return None


def read_walkthrough(path: Path, data: bytes | None = None) -> Walkthrough:
    """Read a walkthrough file (or parse ``data``, its bytes as already read): a mapping with
    ``choices`` (list of ids) and optional ``ending``."""
    import yaml  # only when a walkthrough is really parsed: a cached check never needs it

    from game.story.yamlfile import parse_yaml_bytes, read_yaml_file

    parsed = read_yaml_file(path) if data is None else parse_yaml_bytes(str(path), data)
    if parsed.problems:
        raise WalkthroughError(parsed.problems[0])
    root = parsed.root
    assert root is not None
    if isinstance(root, yaml.SequenceNode):
        choices_node, ending = root, None
    elif isinstance(root, yaml.MappingNode):
        pairs = {k.value: (k, v) for k, v in root.value}
        for name, (key, _) in pairs.items():
            if name not in WALKTHROUGH_KEYS:
                raise WalkthroughError(Problem(parsed.loc(key), f"unknown key '{name}' in a walkthrough"
                                               f"{did_you_mean(name, WALKTHROUGH_KEYS)}"))
        if "choices" not in pairs:
            raise WalkthroughError(Problem(parsed.loc(root), "walkthrough is missing 'choices'"))
        choices_node = pairs["choices"][1]
        ending_node = pairs.get("ending", (None, None))[1]
        ending = ending_node.value if isinstance(ending_node, yaml.ScalarNode) else None
    else:
        raise WalkthroughError(Problem(parsed.loc(root), "a walkthrough is a list of choice ids"))
    if not isinstance(choices_node, yaml.SequenceNode) or not all(
            isinstance(n, yaml.ScalarNode) for n in choices_node.value):
        raise WalkthroughError(Problem(parsed.loc(choices_node), "'choices' must be a list of choice ids"))
    return Walkthrough(tuple(n.value for n in choices_node.value), ending, str(path),
                       tuple(parsed.loc(n) for n in choices_node.value))


def write_walkthrough(path: Path, choices: list[str], ending: str | None, description: str = "") -> None:
    """Write a walkthrough file that ``read_walkthrough`` reads back."""
    import yaml

    from game.atomic import write_atomic

    data: dict[str, object] = {}
    if description:
        data["description"] = description
    if ending:
        data["ending"] = ending
    data["choices"] = list(choices)
    # Replaced atomically, never written through: a link or a FIFO planted at this predictable name
    # is replaced, not followed (raises AtomicWriteError with a one-line reason).
    write_atomic(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8"), durable=False)


def walk(story: Story, walkthrough: Walkthrough) -> WalkResult:
    """Replay ``walkthrough`` on ``story`` with the player's rules, stopping at the first bad move."""
    state = engine.new_game(story)
    states = [state]
    for index, choice_id in enumerate(walkthrough.choices):
        try:
            state = engine.choose(story, state, choice_id)
        except ChoiceError as exc:
            where = walkthrough.choice_locs[index] if index < len(walkthrough.choice_locs) else \
                file_loc(walkthrough.path)
            return WalkResult(tuple(states), Problem(where, f"move {index + 1}: {exc}"))
        states.append(state)
    ending = engine.ending_of(story, state)
    if ending is None:
        return WalkResult(tuple(states), Problem(file_loc(walkthrough.path), f"the walkthrough ends in scene "
                                                 f"'{state.scene}', which is not an ending"))
    if walkthrough.ending and walkthrough.ending != state.scene:
        return WalkResult(tuple(states), Problem(file_loc(walkthrough.path), f"expected ending "
                                                 f"'{walkthrough.ending}' but reached '{state.scene}'"))
    return WalkResult(tuple(states), None)


def canonical_endings(story: Story) -> list[str]:
    """The ids of the endings marked ``kind: canonical``, in the order the story defines them."""
    return [s.id for s in story.endings if s.ending is not None and s.ending.kind == "canonical"]


def walkthrough_paths(folder: Path) -> list[Path]:
    """The files of ``folder``'s ``walkthroughs/`` that ``check`` replays, in name order."""
    try:
        return sorted(p for p in (folder / WALKTHROUGHS).iterdir() if p.suffix == ".yaml" and p.is_file())
    except OSError:
        return []


WalkthroughSource = tuple[Path, "bytes | Problem"]
"""One file of ``walkthroughs/`` as read: its bytes, or why it could not be read."""


def walkthrough_sources(folder: Path) -> tuple[WalkthroughSource, ...]:
    """The bytes of every walkthrough of the story in ``folder``, read under the scene files' rules
    (no link out of the folder, no pipes); a file that cannot be read carries its problem instead."""
    try:
        inside = folder.resolve(strict=True)
    except (OSError, RuntimeError):  # the folder went away (or became a loop) since the story was read
        return ()
    sources: list[WalkthroughSource] = []
    for path in walkthrough_paths(folder):
        refused = refusal(path, inside)
        if refused is not None:
            sources.append((path, Problem(file_loc(path), refused[0], refused[1])))
            continue
        sources.append((path, read_or_problem(path)))
    return tuple(sources)


def read_walkthroughs(folder: Path, sources: tuple[WalkthroughSource, ...] | None = None
                      ) -> tuple[WalkthroughFile, ...]:
    """Every walkthrough of the story in ``folder``, parsed from ``sources`` (by default read now by
    ``walkthrough_sources``: the story cache passes the bytes its key was made from)."""
    files: list[WalkthroughFile] = []
    for path, source in walkthrough_sources(folder) if sources is None else sources:
        if isinstance(source, Problem):
            files.append(WalkthroughFile(str(path), None, source))
            continue
        try:
            files.append(WalkthroughFile(str(path), read_walkthrough(path, source), None))
        except WalkthroughError as exc:
            files.append(WalkthroughFile(str(path), None, exc.problem))
    return tuple(files)


def walkthrough_problems(story: Story, files: tuple[WalkthroughFile, ...]) -> list[Problem]:
    """What ``check`` reports about a story's walkthroughs (``files``, from ``read_walkthroughs``)
    and its canonical path.

    Every file in ``walkthroughs/`` must replay to an ending; the story has exactly one canonical
    ending (two would make ``route --to canonical`` and speedruns pick one silently); and the
    canonical walkthrough, when there is one, reaches that ending showing every beat marked
    ``canonical: true`` in the order ``story.yaml`` declares them.
    """
    folder = Path(story.root)
    story_file = file_loc(folder / "story.yaml")
    problems: list[Problem] = []
    canonical = canonical_endings(story)
    if not canonical:
        problems.append(Problem(story_file, "the story has no canonical ending; mark its main ending with "
                                "'ending: {kind: canonical, ...}' (speedruns and 'route --to canonical' need "
                                "one)", "warning"))
    for extra in canonical[1:]:
        first = story.scenes[canonical[0]]
        problems.append(Problem(story.scenes[extra].loc, f"scene '{extra}' is a second canonical ending (the "
                                f"first is '{first.id}' at {first.loc}); a story has one, so make the other "
                                "'alternate'"))
    walked: dict[str, WalkResult] = {}
    for file in files:
        if file.walkthrough is None:
            if file.problem is not None:
                problems.append(file.problem)
            continue
        result = walk(story, file.walkthrough)
        walked[Path(file.path).name] = result
        if result.problem is not None:
            problems.append(result.problem)
    canonical_beats = [b for b in story.beats if b.canonical]
    replay = walked.get(CANONICAL)
    where = file_loc(canonical_walkthrough(folder))
    if replay is None:
        if canonical_beats and CANONICAL not in {Path(f.path).name for f in files}:
            problems.append(Problem(story_file, f"beats marked canonical are checked on "
                                    f"{WALKTHROUGHS}/{CANONICAL}, which this story does not have; add it "
                                    "(a list of choice ids that reaches the canonical ending)", "warning"))
        return problems
    if replay.problem is not None:
        return problems
    final = replay.final
    if canonical and final.scene not in canonical:
        kind = story.scenes[final.scene].ending.kind  # type: ignore[union-attr]
        problems.append(Problem(where, f"the canonical walkthrough reaches '{final.scene}', {_a(kind)} ending, "
                                f"not the canonical ending '{canonical[0]}'"))
    wanted = [b.id for b in canonical_beats]
    shown = [b for b in engine.beats_shown(story, final) if b in wanted]
    for beat in canonical_beats:
        if beat.id not in shown:
            problems.append(Problem(where, f"the canonical walkthrough never shows canonical beat '{beat.id}' "
                                    f"(declared at {beat.loc}); list it in the 'beats' of a scene on the path"))
    in_order = [b for b in wanted if b in shown]
    if shown != in_order:
        first_wrong = next(i for i, (a, b) in enumerate(zip(shown, in_order, strict=True)) if a != b)
        problems.append(Problem(where, f"the canonical walkthrough shows canonical beat '{shown[first_wrong]}' "
                                f"before '{in_order[first_wrong]}'; canonical beats must appear in the order "
                                "story.yaml declares them"))
    return problems


def _a(word: str) -> str:
    """``word`` with its indefinite article: 'an alternate', 'a death'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
