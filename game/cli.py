"""The ``daylights`` command: play a story, and the tools writers and testers use.

Every command that reads a story takes its folder the same way, as ``DIR`` or ``--scenes DIR``
(the bundled story when neither is given). Author commands (check, walk, ...) never import
Textual, so they start fast and run anywhere.
"""

from __future__ import annotations

import argparse
import atexit
import io
import os
import shlex
import sys
import textwrap
from pathlib import Path

from game import __version__
from game.bundled import bundled_scenes, canonical_walkthrough
from game.display import count
from game.gcpause import start_up, start_up_done
from game.locations import SAVES_ENV, saves_folder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (a twentieth of --help's time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from game.analysis import StateBound
    from game.story.model import Story
    from game.story.problems import Problem
    from game.story_cache import CheckedStory

# The game's own modules (engine, analysis, saves, story) are imported by the commands that use
# them, not here: `daylights --help` and every command that needs none of them start without
# their imports (msgspec, immutables, the loader), which took twice as long as argparse itself.
ANALYSIS_LIMIT = 250_000
"""States `check` explores by default; game.analysis.DEFAULT_LIMIT, written here so that building
the parser does not import the analysis (a test keeps the two equal)."""

COMMANDS = ("play", "new", "check", "walk", "route", "test", "graph", "stats", "schema", "speedrun", "serve")
"""The subcommands; ``daylights DIR`` is short for ``daylights play DIR``."""
HELP_WIDTH = 78
FAILURES = Path("daylights-failures")
"""Where ``test --random`` writes failing playthroughs unless ``--out`` says otherwise."""


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An option's type: a whole number from ``low`` to ``high``; anything else is a usage error that
    says so (a count of 10^20 playthroughs ran for ever; -1 states meant nothing)."""

    def whole(text: str) -> int:
        value = int(text) if text.strip().lstrip("+-").isdigit() and len(text) <= 12 else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, not {text!r}")
        return value

    return whole


def _named(text: str) -> str:
    """A save's name as an option's value: an empty one is a usage error, not a new game."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a save needs a name (see 'saves' in the game, or the saves folder)")
    return text


class UsageError(Exception):
    """The command line asks for something impossible; printed as one line, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage error)."""
    _sturdy_streams()
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0] not in COMMANDS and not words[0].startswith("-") and Path(words[0]).is_dir():
        words.insert(0, "play")
    parser = _parser(_help_story(words))
    args = parser.parse_args(words)
    if args.command is None:
        args = parser.parse_args(["play", *words])
    try:
        return int(args.run(args))
    except UsageError as exc:
        print(f"daylights: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


def run() -> None:
    """The ``daylights`` program: ``main``, then an exit that skips the interpreter's clean-up when
    nothing needs it (its output is out, no other thread runs, no exit handler is registered).
    Freeing every object one at a time only returns memory the system takes back anyway, and cost
    a sixth as much as the work of checking the bundled story. A closed pipe on the final flush
    (``daylights check | head -1``) exits quietly too."""
    code = main()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and not stream.closed:  # either may have been closed by the caller
                stream.flush()
    except (OSError, ValueError):  # nobody reads any more (or the stream closed as it was flushed)
        os._exit(code)
    threads = sys.modules.get("threading")
    if (threads is None or threads.active_count() == 1) and atexit._ncallbacks() == 0:
        os._exit(code)
    sys.exit(code)


def _sturdy_streams() -> None:
    """Never fail on the terminal: replace characters a non-UTF-8 locale cannot show, treat a
    closed standard input as an empty one and a closed output as one nobody reads."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if sys.stdin is None:
        sys.stdin = io.StringIO()
    if sys.stdout is None:
        sys.stdout = io.StringIO()
    if sys.stderr is None:
        sys.stderr = io.StringIO()


def _help_story(words: list[str]) -> Path | None:
    """The story folder a ``--help`` is about, so the help can present that story; None when no
    help is asked for (reading story.yaml would only slow the start)."""
    if "-h" not in words and "--help" not in words:
        return None
    for index, word in enumerate(words):
        if word == "--scenes" and index + 1 < len(words):
            return Path(words[index + 1])
        if word.startswith("--scenes="):
            return Path(word.partition("=")[2])
    dirs = [Path(w) for w in words[1:] if not w.startswith("-") and Path(w).is_dir()]
    return dirs[0] if dirs else bundled_scenes()


def _description(folder: Path | None) -> str:
    """``--help``'s opening: the story's title, subtitle, author and blurb from its story.yaml."""
    engine_line = "The daylights engine: play a story, or write, check and test your own (see 'daylights new')."
    if folder is None:
        return textwrap.fill(engine_line, HELP_WIDTH)
    from game.presentation import story_line

    line = story_line(folder)
    if not line:
        return textwrap.fill(engine_line, HELP_WIDTH)
    return f"{textwrap.fill(line, HELP_WIDTH)}\n\n{textwrap.fill(engine_line, HELP_WIDTH)}"


def _add_common_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--scenes and --saves, which go before or after the command name alike."""
    parser.add_argument("--scenes", metavar="DIR", type=Path, default=default,
                        help="story folder to use (default: the bundled story)")
    parser.add_argument("--saves", metavar="DIR", type=Path, default=default,
                        help=f"save folder (default: ${SAVES_ENV}, saves/ in a checkout, else your data folder)")


class _Deferred(argparse.ArgumentParser):
    """A command's parser, built (with its arguments) only when the command line reaches the command.

    ``daylights --help`` lists every command but needs none of their parsers, and building them
    all took a third as long as a bare argparse program's whole ``--help`` (each new parser looks
    its messages' translations up on disk). argparse only ever reads a command's parser's
    attributes, so the first attribute missing builds it.
    """

    def __init__(self, *, fill: Callable[[argparse.ArgumentParser], None], **kwargs: Any) -> None:
        self._deferred = (fill, kwargs)  # argparse.ArgumentParser.__init__ runs on first use, below

    def __getattr__(self, name: str) -> Any:
        deferred = self.__dict__.pop("_deferred", None)
        if deferred is None:
            raise AttributeError(name)
        fill, kwargs = deferred
        super().__init__(**kwargs)
        fill(self)
        return getattr(self, name)


def _parser(help_story: Path | None = None) -> argparse.ArgumentParser:
    description = _description(help_story)
    parser = argparse.ArgumentParser(prog="daylights", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_common_options(parser, None)
    parser.add_argument("--version", action="version", version=f"daylights {__version__}")
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Deferred)

    def command(name: str, help: str, story: bool = True) -> Callable[[Callable[[argparse.ArgumentParser], None]],
                                                                     None]:
        """Declare a command; the function it decorates adds the command's own arguments. A command
        that reads a story (``story``) takes it as ``DIR`` or ``--scenes DIR``, the same everywhere."""
        def declare(arguments: Callable[[argparse.ArgumentParser], None]) -> None:
            def fill(made: argparse.ArgumentParser) -> None:
                if story:
                    purpose = textwrap.fill(help[:1].upper() + help[1:] + ".", HELP_WIDTH)
                    made.description = f"{description}\n\n{purpose}"
                    made.formatter_class = argparse.RawDescriptionHelpFormatter
                    # A command's own defaults are suppressed, or 'daylights --scenes DIR check' would
                    # have the command's default overwrite the DIR given before it.
                    _add_common_options(made, argparse.SUPPRESS)
                    made.add_argument("folder", nargs="?", type=Path, metavar="DIR",
                                      help="story folder (same as --scenes; default: the bundled story)")
                arguments(made)

            sub.add_parser(name, help=help, fill=fill)
        return declare

    @command("play", "play the story (the default command; 'daylights DIR' plays DIR)")
    def play(play: argparse.ArgumentParser) -> None:
        play.add_argument("--plain", action="store_true", help="line-by-line mode for pipes and screen readers")
        start = play.add_mutually_exclusive_group()
        start.add_argument("--new", action="store_true", help="start a new game at once, skipping the title screen")
        start.add_argument("--continue", dest="resume", action="store_true", help="continue from the latest autosave")
        start.add_argument("--load", metavar="NAME", type=_named, help="start from a saved slot")
        start.add_argument("--speedrun", action="store_true",
                           help="start a timed run to the canonical ending, with splits and personal bests")
        play.add_argument("--watch", action="store_true",
                          help="reload the story when its files change, keeping your place (for writers)")
        play.set_defaults(run=_play)

    @command("new", "start a new story: a small playable story folder to edit", story=False)
    def new(new: argparse.ArgumentParser) -> None:
        new.add_argument("target", type=Path, metavar="DIR", help="the folder to create (new or empty)")
        new.set_defaults(run=_new)

    @command("check", "validate a story folder, play it out and replay its walkthroughs")
    def check(check: argparse.ArgumentParser) -> None:
        check.add_argument("--strict", action="store_true", help="fail on warnings too")
        check.add_argument("--deep", action="store_true",
                           help="search every state, whatever it costs: a large story is otherwise only surveyed")
        check.add_argument("--limit", type=_whole(1, 10**9), default=ANALYSIS_LIMIT, metavar="N",
                           help=f"states the full search (--deep, or any story small enough) may explore "
                            f"(default {ANALYSIS_LIMIT:,})")
        check.set_defaults(run=_check)

    @command("route", "the shortest route to an ending")
    def route(route: argparse.ArgumentParser) -> None:
        route.add_argument("--to", required=True, metavar="ENDING", help="ending scene id (or 'canonical')")
        route.add_argument("--json", action="store_true", help="print {ending, moves, choices}")
        route.set_defaults(run=_route)

    @command("test", "seeded random playthroughs")
    def test(test: argparse.ArgumentParser) -> None:
        test.add_argument("--random", type=_whole(1, 10**6), default=200, metavar="N",
                          help="how many playthroughs (default 200)")
        test.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
        test.add_argument("--out", type=Path, default=FAILURES, metavar="DIR",
                          help=f"where failing playthroughs are written as walkthroughs (default: ./{FAILURES})")
        test.add_argument("--json", action="store_true", help="print the report as JSON")
        test.set_defaults(run=_random_test)

    @command("graph", "the scene graph as Mermaid or Graphviz, edges labelled with choice ids")
    def graph(graph: argparse.ArgumentParser) -> None:
        graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
        graph.set_defaults(run=_graph)

    @command("stats", "counts: scenes, choices, items, words per act")
    def stats(stats: argparse.ArgumentParser) -> None:
        stats.add_argument("--json", action="store_true", help="print JSON")
        stats.set_defaults(run=_stats)

    @command("speedrun", "play the par route and print splits")
    def speedrun(speedrun: argparse.ArgumentParser) -> None:
        speedrun.add_argument("--json", action="store_true", help="print {ending, moves, seconds, splits}")
        speedrun.set_defaults(run=_speedrun)

    @command("schema", "the JSON Schema of scene files, or of one story's files", story=False)
    def schema(schema: argparse.ArgumentParser) -> None:
        schema.add_argument("--story", metavar="DIR", type=Path, default=None,
                            help="write DIR/schema.json: the schema with DIR's scene, item, variable, act "
                                 "and beat names, so an editor completes and checks them")
        schema.add_argument("--output", metavar="FILE", default=None,
                            help="where to write it ('-' for standard output; default: standard output, "
                                 "or DIR/schema.json with --story)")
        schema.set_defaults(run=_schema)

    @command("walk", "replay a walkthrough headlessly", story=False)
    def walk(walk: argparse.ArgumentParser) -> None:
        _add_common_options(walk, argparse.SUPPRESS)
        walk.add_argument("file", nargs="?", type=Path, metavar="FILE|DIR",
                          help="a walkthrough (a file in DIR/walkthroughs/ is walked on the story in DIR), "
                               "or a story folder to walk its canonical walkthrough (default: the bundled story's)")
        shown = walk.add_mutually_exclusive_group()
        shown.add_argument("--json", action="store_true", help="print one JSON object")
        shown.add_argument("--transcript", action="store_true",
                           help="print the plain-mode session of the walkthrough (the golden transcript)")
        walk.set_defaults(run=_walk)

    @command("serve", "play in a browser: serve the game on this machine (needs the 'web' extra)")
    def serve(serve: argparse.ArgumentParser) -> None:
        serve.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default 127.0.0.1: only this machine; there is no password)")
        serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
        serve.set_defaults(run=_serve)

    return parser


def _serve(args: argparse.Namespace) -> int:
    """Check that the story loads, then serve it: a story that cannot load would fail in every tab."""
    from game.serve import serve

    if _load(args) is None:
        return 1
    return serve(_scenes(args).resolve(), saves_folder(args.saves).resolve(), args.host, args.port)


def _named_folder(args: argparse.Namespace) -> Path | None:
    """The story folder named on the command line (``DIR`` or ``--scenes DIR``), if any."""
    folder: Path | None = getattr(args, "folder", None)
    if folder is not None and args.scenes is not None and folder.resolve() != args.scenes.resolve():
        raise UsageError(f"two story folders given ({folder} and {args.scenes}); name one")
    return folder if folder is not None else args.scenes


def _scenes(args: argparse.Namespace) -> Path:
    named = _named_folder(args)
    return named if named is not None else bundled_scenes()


def _scenes_option(args: argparse.Namespace) -> str:
    """`` --scenes DIR`` for a command printed for pasting, or nothing for the bundled story."""
    named = _named_folder(args)
    return "" if named is None else f" --scenes {shlex.quote(str(named))}"


def _load(args: argparse.Namespace, folder: Path | None = None) -> Story | None:
    """Load the story, printing its errors to stderr when it cannot be loaded."""
    from game.story import StoryError
    from game.story_cache import load_story

    folder = folder if folder is not None else _scenes(args)
    try:
        return load_story(folder)
    except StoryError as exc:
        for problem in exc.problems:
            if problem.is_error:
                print(problem, file=sys.stderr)
        print(f"daylights: the story in {folder} cannot be loaded; "
              f"'daylights check {shlex.quote(str(folder))}' lists every problem", file=sys.stderr)
        return None


def _new(args: argparse.Namespace) -> int:
    from game.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(args.target)
    except ScaffoldError as exc:
        print(f"daylights: {exc}", file=sys.stderr)
        return 1
    from game.story.problems import one_line  # a folder's name may hold anything, even a terminal escape

    target = one_line(shlex.quote(str(args.target)))
    print(f"Created a small playable story in {one_line(str(args.target))}:")
    shown = [(one_line(str(path)), what) for path, what in written]
    width = max(len(path) for path, _ in shown)
    for path, what in shown:
        print(f"  {path:<{width}}  {what}")
    print(f"\nNext:\n  daylights check {target}    checks it\n  daylights play {target}     plays it\n"
          "docs/AUTHORING.md explains every key.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from game.story_cache import check_story

    checked, problems, store = check_story(_scenes(args))
    skipped: str | None = None
    if checked is not None:
        found, skipped = _findings(args, checked)
        problems = sorted([*problems, *found], key=lambda p: (p.loc.path, p.loc.line, p.loc.col))
    for problem in problems:
        print(problem)
    errors = sum(p.is_error for p in problems)
    summary = f"{count(errors, 'error')}, {count(len(problems) - errors, 'warning')}"
    if checked is not None:
        print(f"{checked.story.title}: {count(len(checked.story.scenes), 'scene')}, "
              f"{count(len(checked.story.endings), 'ending')}; {summary}")
    else:
        print(summary)
    if skipped is not None:
        print(skipped)
    if store is not None:
        sys.stdout.flush()  # the report is out before the cache is written
        store()
    return 1 if errors or (args.strict and problems) else 0


def _findings(args: argparse.Namespace, checked: CheckedStory) -> tuple[list[Problem], str | None]:
    """What playing out a valid story and replaying its walkthroughs find, and the note that says
    what a check that only surveyed the story left out."""
    from game import analysis
    from game.gcpause import paused_gc
    from game.survey import survey
    from game.walkthrough import walkthrough_problems

    story = checked.story
    skipped: str | None = None
    with paused_gc():  # the analysis builds many small objects and no cycles
        surveyed = survey(story)
        bound = analysis.state_bound(story, surveyed)
        if args.deep or (bound.states is not None and bound.states <= analysis.SEARCH_BOUND):
            found = analysis.explore(story, args.limit, thorough=True, surveyed=surveyed)
            problems = analysis.findings(story, found, args.limit)
            if found.truncated:  # what the survey proves still holds
                said = {str(p) for p in problems}
                quick = analysis.findings(story, analysis.surveyed_exploration(story, surveyed))
                problems += [p for p in quick if str(p) not in said]
        else:
            found = analysis.surveyed_exploration(story, surveyed)
            skipped = _survey_note(args, bound, [sid for sid in story.scenes if sid in surveyed.unsure])
            problems = analysis.findings(story, found, args.limit)
        problems.extend(walkthrough_problems(story, checked.walkthroughs))
    return problems, skipped


def _survey_note(args: argparse.Namespace, bound: StateBound, unsure: list[str]) -> str:
    """What a check that only surveyed the story left out, and the command that does the rest, on
    one line (a folder's name may hold anything)."""
    from game.story.problems import one_line

    named = _named_folder(args)
    command = "daylights check --deep" + (f" {shlex.quote(str(named))}" if named is not None else "")
    more = f" and {len(unsure) - 5} more" if len(unsure) > 5 else ""
    doubt = (f" The survey cannot rule out a softlock in {count(len(unsure), 'scene')}: "
             f"{', '.join(unsure[:5])}{more}.") if unsure else ""
    if bound.states is None:
        scene, name = bound.unlisted or ("", "")
        size = f"more states than it can count (it cannot tell how far '{name}' goes by scene '{scene}')"
    elif bound.states >= 10**9:
        size = "more than a billion states"
    else:
        size = f"up to {bound.states:,} states"
    return one_line(f"Surveyed only: the story may have {size}, too many to search at once, so softlocks, "
                    f"loops with no way out and choices that doom the player were not looked for.{doubt} "
                    f"To search every state: {command}")


def _wants_plain(args: argparse.Namespace) -> bool:
    """Plain mode when asked, and whenever a full-screen interface could not work."""
    return bool(args.plain or not sys.stdin.isatty() or not sys.stdout.isatty()
                or os.environ.get("TERM", "") in ("dumb", ""))


def _play(args: argparse.Namespace) -> int:
    _named_folder(args)
    with start_up():
        return _play_tui(args) if not _wants_plain(args) else _play_plain(args)


def _play_plain(args: argparse.Namespace) -> int:
    if args.speedrun:
        print("daylights: speedrun mode needs the full-screen game; 'daylights speedrun' times the "
              "par route headlessly", file=sys.stderr)
        return 2
    story = _load(args)
    if story is None:
        return 1
    from game.plain import PlainGame
    from game.saves import SaveError, SaveStore
    from game.session import restore

    store = SaveStore(saves_folder(args.saves))
    state = None
    try:
        if args.resume:
            latest = store.latest_autosave(story)
            if latest is None:
                print(f"daylights: there is no autosave to continue in {store.folder}", file=sys.stderr)
                return 1
            args.load = latest.slot
        if args.load:
            loaded = restore(story, store.read(args.load, story))
            state = loaded.state
            for note in loaded.notes:
                print(f"({note})")
    except SaveError as exc:
        print(f"daylights: {exc}", file=sys.stderr)
        return 1
    if args.watch:
        from game.plainwatch import WatchedPlainGame

        game: PlainGame = WatchedPlainGame(_scenes(args), story, sys.stdin, sys.stdout, store, state)
    else:
        game = PlainGame(story, sys.stdin, sys.stdout, store, state)
    start_up_done()
    return game.run()


def _route(args: argparse.Namespace) -> int:
    from game import analysis
    from game.walkthrough import canonical_endings

    story = _load(args)
    if story is None:
        return 1
    ending = args.to
    if ending == "canonical":
        canonical = canonical_endings(story)
        if len(canonical) > 1:
            print(f"daylights: this story has {len(canonical)} canonical endings ({', '.join(canonical)}); "
                  "name one with --to, and make the others 'alternate'", file=sys.stderr)
            return 2
        ending = canonical[0] if canonical else ending
    if ending not in story.scenes or story.scenes[ending].ending is None:
        known = ", ".join(sorted(s.id for s in story.endings))
        print(f"daylights: '{args.to}' is not an ending of this story; endings: {known}", file=sys.stderr)
        return 2
    found = analysis.explore(story)
    route = found.routes.get(ending)
    if route is None:
        why = " within the analysis limit" if found.truncated else ""
        print(f"daylights: no play reaches ending '{ending}'{why}", file=sys.stderr)
        return 1
    if args.json:
        _print_json({"ending": ending, "moves": len(route), "choices": route})
        return 0
    _print_steps(story, route, show_ids=True)
    title = story.scenes[ending].ending.title  # type: ignore[union-attr]
    print(f"Shortest route to '{ending}' ({title}): {count(len(route), 'move')}")
    return 0


def _print_json(value: object) -> None:
    """Print ``value`` as indented JSON (json is imported only by the commands that print it)."""
    import json

    print(json.dumps(value, indent=2))


def _print_steps(story: Story, choices: list[str], show_ids: bool = False) -> None:
    """One line per move: the scene and the choice taken there."""
    from game import engine, render

    state = engine.new_game(story)
    for number, choice_id in enumerate(choices, 1):
        scene = story.scenes[state.scene]
        choice = scene.choice(choice_id)
        suffix = f"  [{choice_id}]" if show_ids else ""
        shown = render.choice_text(choice, state) if choice else choice_id
        print(f"{number:3}. {scene.title}  →  {shown}{suffix}")
        state = engine.choose(story, state, choice_id)


def _random_test(args: argparse.Namespace) -> int:
    from game.atomic import AtomicWriteError
    from game.randomplay import play_randomly
    from game.walkthrough import write_walkthrough

    story = _load(args)
    if story is None:
        return 1
    report = play_randomly(story, args.random, args.seed)
    every_choice = sum(len(s.choices) for s in story.scenes.values())
    failures = report.grouped_failures()
    written = []
    for number, (failure, times) in enumerate(failures, 1):
        path = args.out / f"failure-{args.seed}-{number}.yaml"
        try:
            write_walkthrough(path, failure.choices, None, f"{failure.kind}: {failure.detail} (seed {args.seed}; "
                              f"{count(times, 'playthrough')} failed this way)")
        except AtomicWriteError as exc:
            print(f"daylights: {exc}", file=sys.stderr)
            return 1
        written.append(path)
    summary = {
        "runs": report.runs, "seed": report.seed,
        "scenes": {"seen": len(report.scenes_seen), "total": len(story.scenes)},
        "choices": {"taken": len(report.choices_taken), "total": every_choice},
        "endings": {"reached": len(report.endings), "total": len(story.endings),
                    "counts": dict(sorted(report.endings.items()))},
        "failures": [{"kind": f.kind, "scene": f.scene, "detail": f.detail, "count": times, "moves": len(f.choices),
                      "file": str(path), "replay": _replay_command(args, path)}
                     for (f, times), path in zip(failures, written, strict=True)],
    }
    if args.json:
        _print_json(summary)
    else:
        print(f"{count(report.runs, 'playthrough')}, seed {report.seed}")
        print(f"scenes seen   {len(report.scenes_seen)}/{len(story.scenes)}")
        print(f"choices taken {len(report.choices_taken)}/{every_choice}")
        print(f"endings       {len(report.endings)}/{len(story.endings)}")
        for (failure, times), path in zip(failures, written, strict=True):
            print(f"FAILED {failure.kind}: {failure.detail} ({count(times, 'playthrough')}); "
                  f"replay with: {_replay_command(args, path)}")
    return 1 if report.failures else 0


def _replay_command(args: argparse.Namespace, walkthrough: Path) -> str:
    """The exact command that replays ``walkthrough`` on the story being tested, ready to paste."""
    return f"daylights walk {shlex.quote(str(walkthrough))}{_scenes_option(args)}"


def _graph(args: argparse.Namespace) -> int:
    from game import graph

    story = _load(args)
    if story is None:
        return 1
    sys.stdout.write(graph.mermaid(story) if args.format == "mermaid" else graph.dot(story))
    return 0


def _stats(args: argparse.Namespace) -> int:
    from game.stats import story_stats

    story = _load(args)
    if story is None:
        return 1
    stats = story_stats(story)
    if args.json:
        _print_json(stats)
        return 0
    endings = ", ".join(f"{n} {kind}" for kind, n in sorted(stats["endings"].items()))  # type: ignore[attr-defined]
    print(f"{stats['title']}")
    print(f"scenes {stats['scenes']}, choices {stats['choices']} ({stats['conditional_choices']} conditional), "
          f"items {stats['items']}, variables {stats['variables']}")
    print(f"endings: {endings}")
    print(f"{'act':<28} {'scenes':>6} {'words':>7}")
    for act in stats["acts"]:  # type: ignore[attr-defined]
        print(f"{act['title']:<28} {act['scenes']:>6} {act['words']:>7}")
    print(f"{'total':<28} {stats['scenes']:>6} {stats['words']:>7}")
    return 0


def _speedrun(args: argparse.Namespace) -> int:
    from game import speedrun

    story = _load(args)
    if story is None:
        return 1
    route = speedrun.par_route(story)
    if route is None:
        print("daylights: this story's canonical ending cannot be reached", file=sys.stderr)
        return 1
    result = speedrun.run_headless(story, route)
    if args.json:
        _print_json(result.to_json())
        return 0
    print(f"Par route to '{result.ending}': {count(result.moves, 'move')}")
    print(f"{'act':<28} {'moves':>5} {'seconds':>10}")
    for split in result.to_json()["splits"]:  # type: ignore[attr-defined]
        print(f"{story.act(split['act']).title:<28} {split['moves']:>5} {split['seconds']:>10.6f}")
    print(f"{'total':<28} {result.moves:>5} {result.seconds:>10.6f}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from game.story.schema import STORY_SCHEMA, schema_text, story_schema_text

    if args.story is None:
        text = schema_text()
        output = args.output or "-"
    else:
        story = _load(args, args.story)
        if story is None:
            return 1
        text = story_schema_text(story)
        output = args.output or str(args.story / STORY_SCHEMA)
    if output == "-":
        sys.stdout.write(text)
        return 0
    from game.atomic import AtomicWriteError, write_atomic

    try:  # replaced, never written through: a link or FIFO planted in a shared folder is not followed
        write_atomic(Path(output), text.encode("utf-8"), durable=False)
    except AtomicWriteError as exc:
        print(f"daylights: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {output}; editors read it from the first line of each scene file: "
          f"# yaml-language-server: $schema={STORY_SCHEMA if args.story else output}")
    return 0


def _play_tui(args: argparse.Namespace) -> int:
    from game.open_aside import open_aside

    opening = open_aside(_scenes(args))  # before the costly imports below, to run beside them
    from game.saves import SaveStore
    from game.tui.app import DaylightsApp, StartMode

    start: StartMode | None = "new" if args.new else "continue" if args.resume else \
        "speedrun" if args.speedrun else None
    app = DaylightsApp(_scenes(args), SaveStore(saves_folder(args.saves)), start=start, load=args.load or None,
                       watch=args.watch, opening=opening)
    app.run()
    return 0


def _walk_target(args: argparse.Namespace) -> tuple[Path, Path]:
    """The story folder and the walkthrough file ``walk`` should use.

    ``walk DIR`` walks DIR's canonical walkthrough; ``walk FILE`` walks FILE on the story it
    belongs to (``DIR`` for a file in ``DIR/walkthroughs/``), unless ``--scenes`` names one.
    """
    from game.walkthrough import story_folder_of

    given: Path | None = args.file
    if given is not None and given.is_dir():
        if args.scenes is not None and given.resolve() != args.scenes.resolve():
            raise UsageError(f"two story folders given ({given} and {args.scenes}); name one")
        return given, canonical_walkthrough(given)
    folder = args.scenes
    if folder is None and given is not None:
        folder = story_folder_of(given)
    folder = folder if folder is not None else bundled_scenes()
    return folder, given if given is not None else canonical_walkthrough(folder)


def _walk(args: argparse.Namespace) -> int:
    from game import engine
    from game.walkthrough import WalkthroughError, read_walkthrough, walk

    folder, path = _walk_target(args)
    story = _load(args, folder)
    if story is None:
        return 1
    try:
        walkthrough = read_walkthrough(path)
    except WalkthroughError as exc:
        print(exc, file=sys.stderr)
        return 1
    result = walk(story, walkthrough)
    if args.transcript and result.failure is None:
        from game.plain import transcript

        sys.stdout.write(transcript(story, list(walkthrough.choices)))
        return 0
    final = result.final
    ending = engine.ending_of(story, final)
    scenes = [story.scenes[s.scene] for s in result.states]
    if args.json:
        _print_json({
            "ok": result.failure is None,
            "ending": final.scene if ending else None,
            "kind": ending.kind if ending else None,
            "title": ending.title if ending else None,
            "moves": final.moves,
            "scenes": [s.id for s in scenes],
            "beats": engine.beats_shown(story, final),
            "choices": list(final.path),
            "error": result.failure,
        })
    else:
        _print_steps(story, list(final.path))
        if ending:
            print(f"Ending: {ending.title} ({ending.kind}) in {count(final.moves, 'move')}")
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    return 0
