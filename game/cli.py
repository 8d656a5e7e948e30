"""The ``daylights`` command: play the story, and the tools writers and testers use.

Author commands (check, walk) never import Textual, so they start fast and run anywhere.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from game import __version__, engine
from game.analysis import DEFAULT_LIMIT
from game.bundled import bundled_scenes, canonical_walkthrough
from game.gcpause import start_up, start_up_done
from game.locations import SAVES_ENV, saves_folder
from game.saves import SaveError, SaveStore
from game.story import StoryError, check_story, load_story
from game.story.model import Story


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage error)."""
    _sturdy_streams()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["play", *(argv or sys.argv[1:])])
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


def _sturdy_streams() -> None:
    """Never fail on the terminal: replace characters a non-UTF-8 locale cannot show, and treat a
    closed standard input as an empty one."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if sys.stdin is None:
        sys.stdin = io.StringIO()


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--scenes", metavar="DIR", type=Path, default=None,
                        help="story folder to use (default: the bundled story)")
    common.add_argument("--saves", metavar="DIR", type=Path, default=None,
                        help=f"save folder (default: ${SAVES_ENV}, saves/ in a checkout, else your data folder)")
    parser = argparse.ArgumentParser(
        prog="daylights", parents=[common],
        description="Daylights: a terminal spy story after The Living Daylights.")
    parser.add_argument("--version", action="version", version=f"daylights {__version__}")
    parser.set_defaults(command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = sub.add_parser("play", parents=[common], help="play the story (the default command)")
    play.add_argument("--plain", action="store_true", help="line-by-line mode for pipes and screen readers")
    start = play.add_mutually_exclusive_group()
    start.add_argument("--new", action="store_true", help="start a new game at once, skipping the title screen")
    start.add_argument("--continue", dest="resume", action="store_true", help="continue from the latest autosave")
    start.add_argument("--load", metavar="NAME", help="start from a saved slot")
    start.add_argument("--speedrun", action="store_true",
                       help="start a timed run to the canonical ending, with splits and personal bests")
    play.add_argument("--watch", action="store_true",
                      help="reload the story when its files change, keeping your place (for writers)")
    play.set_defaults(run=_play)

    check = sub.add_parser("check", parents=[common], help="validate a story folder")
    check.add_argument("folder", nargs="?", type=Path, help="story folder (same as --scenes)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                       help=f"states the analysis may explore (default {DEFAULT_LIMIT:,})")
    check.set_defaults(run=_check)

    route = sub.add_parser("route", parents=[common], help="the shortest route to an ending")
    route.add_argument("--to", required=True, metavar="ENDING", help="ending scene id (or 'canonical')")
    route.add_argument("--json", action="store_true", help="print {ending, moves, choices}")
    route.set_defaults(run=_route)

    test = sub.add_parser("test", parents=[common], help="seeded random playthroughs")
    test.add_argument("--random", type=int, default=200, metavar="N", help="how many playthroughs (default 200)")
    test.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    test.add_argument("--out", type=Path, default=Path("daylights-failures"), metavar="DIR",
                      help="where failing playthroughs are written as walkthroughs")
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.set_defaults(run=_random_test)

    graph = sub.add_parser("graph", parents=[common], help="the scene graph as Mermaid or Graphviz")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.set_defaults(run=_graph)

    stats = sub.add_parser("stats", parents=[common], help="counts: scenes, choices, items, words per act")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.set_defaults(run=_stats)

    speedrun = sub.add_parser("speedrun", parents=[common], help="play the par route and print splits")
    speedrun.add_argument("--json", action="store_true", help="print {ending, moves, seconds, splits}")
    speedrun.set_defaults(run=_speedrun)

    schema = sub.add_parser("schema", help="print the JSON Schema of scene files")
    schema.set_defaults(run=_schema)

    walk = sub.add_parser("walk", parents=[common], help="replay a walkthrough headlessly")
    walk.add_argument("file", nargs="?", type=Path,
                      help="walkthrough YAML (default: the story's canonical walkthrough)")
    shown = walk.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print one JSON object")
    shown.add_argument("--transcript", action="store_true",
                       help="print the plain-mode session of the walkthrough (the golden transcript)")
    walk.set_defaults(run=_walk)

    serve = sub.add_parser("serve", parents=[common],
                           help="play in a browser: serve the game on this machine (needs the 'web' extra)")
    serve.add_argument("folder", nargs="?", type=Path, help="story folder (same as --scenes)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: only this machine; there is no password)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.set_defaults(run=_serve)
    return parser


def _serve(args: argparse.Namespace) -> int:
    """Check that the story loads, then serve it: a story that cannot load would fail in every tab."""
    from game.serve import serve

    if args.folder is not None:
        args.scenes = args.folder
    if _load(args) is None:
        return 1
    return serve(_scenes(args).resolve(), saves_folder(args.saves).resolve(), args.host, args.port)


def _scenes(args: argparse.Namespace) -> Path:
    return args.scenes if args.scenes is not None else bundled_scenes()


def _load(args: argparse.Namespace) -> Story | None:
    """Load the story, printing its errors to stderr when it cannot be loaded."""
    try:
        return load_story(_scenes(args))
    except StoryError as exc:
        for problem in exc.problems:
            if problem.is_error:
                print(problem, file=sys.stderr)
        print(f"daylights: the story in {_scenes(args)} cannot be loaded; "
              "'daylights check' lists every problem", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    folder = args.folder if args.folder is not None else _scenes(args)
    story, problems = check_story(folder)
    if story is not None:
        from game import analysis

        problems = [*problems, *analysis.findings(story, analysis.explore(story, args.limit), args.limit)]
        problems.sort(key=lambda p: (p.loc.path, p.loc.line, p.loc.col))
    for problem in problems:
        print(problem)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if story is not None:
        print(f"{story.title}: {len(story.scenes)} scenes, {len(story.endings)} endings; "
              f"{errors} errors, {warnings} warnings")
    else:
        print(f"{errors} errors, {warnings} warnings")
    return 1 if errors or (args.strict and warnings) else 0


def _wants_plain(args: argparse.Namespace) -> bool:
    """Plain mode when asked, and whenever a full-screen interface could not work."""
    return (args.plain or not sys.stdin.isatty() or not sys.stdout.isatty()
            or os.environ.get("TERM", "") in ("dumb", ""))


def _play(args: argparse.Namespace) -> int:
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
            loaded = store.load(args.load, story)
            state = loaded.state
            for note in loaded.notes:
                print(f"({note})")
    except SaveError as exc:
        print(f"daylights: {exc}", file=sys.stderr)
        return 1
    game = PlainGame(story, sys.stdin, sys.stdout, store, state)
    start_up_done()
    return game.run()


def _route(args: argparse.Namespace) -> int:
    from game import analysis

    story = _load(args)
    if story is None:
        return 1
    ending = args.to
    if ending == "canonical":
        ending = next((s.id for s in story.endings if s.ending and s.ending.kind == "canonical"), ending)
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
        print(json.dumps({"ending": ending, "moves": len(route), "choices": route}, indent=2))
        return 0
    _print_steps(story, route, show_ids=True)
    title = story.scenes[ending].ending.title  # type: ignore[union-attr]
    print(f"Shortest route to '{ending}' ({title}): {len(route)} moves")
    return 0


def _print_steps(story: Story, choices: list[str], show_ids: bool = False) -> None:
    """One line per move: the scene and the choice taken there."""
    from game import render

    state = engine.new_game(story)
    for number, choice_id in enumerate(choices, 1):
        scene = story.scenes[state.scene]
        choice = scene.choice(choice_id)
        suffix = f"  [{choice_id}]" if show_ids else ""
        shown = render.choice_text(choice, state) if choice else choice_id
        print(f"{number:3}. {scene.title}  →  {shown}{suffix}")
        state = engine.choose(story, state, choice_id)


def _random_test(args: argparse.Namespace) -> int:
    from game.randomplay import play_randomly
    from game.walkthrough import write_walkthrough

    story = _load(args)
    if story is None:
        return 1
    if args.random < 1:
        print("daylights: --random needs at least 1 playthrough", file=sys.stderr)
        return 2
    report = play_randomly(story, args.random, args.seed)
    every_choice = sum(len(s.choices) for s in story.scenes.values())
    written = []
    for number, failure in enumerate(report.failures, 1):
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / f"failure-{args.seed}-{number}.yaml"
        write_walkthrough(path, failure.choices, None, f"{failure.kind}: {failure.detail} (seed {args.seed})")
        written.append(str(path))
    summary = {
        "runs": report.runs, "seed": report.seed,
        "scenes": {"seen": len(report.scenes_seen), "total": len(story.scenes)},
        "choices": {"taken": len(report.choices_taken), "total": every_choice},
        "endings": {"reached": len(report.endings), "total": len(story.endings),
                    "counts": dict(sorted(report.endings.items()))},
        "failures": [{"kind": f.kind, "detail": f.detail, "moves": len(f.choices), "file": path}
                     for f, path in zip(report.failures, written, strict=True)],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{report.runs} playthroughs, seed {report.seed}")
        print(f"scenes seen   {len(report.scenes_seen)}/{len(story.scenes)}")
        print(f"choices taken {len(report.choices_taken)}/{every_choice}")
        print(f"endings       {len(report.endings)}/{len(story.endings)}")
        for failure, path in zip(report.failures, written, strict=True):
            print(f"FAILED {failure.kind}: {failure.detail}; replay with: daylights walk {path}")
    return 1 if report.failures else 0


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
        print(json.dumps(stats, indent=2))
        return 0
    endings = ", ".join(f"{n} {kind}" for kind, n in sorted(stats["endings"].items()))  # type: ignore[union-attr]
    print(f"{stats['title']}")
    print(f"scenes {stats['scenes']}, choices {stats['choices']} ({stats['conditional_choices']} conditional), "
          f"items {stats['items']}, variables {stats['variables']}")
    print(f"endings: {endings}")
    print(f"{'act':<28} {'scenes':>6} {'words':>7}")
    for act in stats["acts"]:  # type: ignore[union-attr]
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
        print(json.dumps(result.to_json(), indent=2))
        return 0
    print(f"Par route to '{result.ending}': {result.moves} moves")
    print(f"{'act':<28} {'moves':>5} {'seconds':>10}")
    for split in result.to_json()["splits"]:  # type: ignore[union-attr]
        print(f"{story.act(split['act']).title:<28} {split['moves']:>5} {split['seconds']:>10.6f}")
    print(f"{'total':<28} {result.moves:>5} {result.seconds:>10.6f}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from game.story.schema import schema_text

    sys.stdout.write(schema_text())
    return 0


def _play_tui(args: argparse.Namespace) -> int:
    from game.tui.app import DaylightsApp

    start = "new" if args.new else "continue" if args.resume else f"load:{args.load}" if args.load else \
        "speedrun" if args.speedrun else None
    app = DaylightsApp(_scenes(args), SaveStore(saves_folder(args.saves)), start=start, watch=args.watch)
    app.run()
    return 0


def _walk(args: argparse.Namespace) -> int:
    from game.walkthrough import WalkthroughError, read_walkthrough, walk

    story = _load(args)
    if story is None:
        return 1
    path = args.file if args.file is not None else canonical_walkthrough(Path(story.root))
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
        print(json.dumps({
            "ok": result.failure is None,
            "ending": final.scene if ending else None,
            "kind": ending.kind if ending else None,
            "title": ending.title if ending else None,
            "moves": final.moves,
            "scenes": [s.id for s in scenes],
            "beats": engine.beats_shown(story, final),
            "choices": list(final.path),
            "error": result.failure,
        }, indent=2))
    else:
        _print_steps(story, list(final.path))
        if ending:
            print(f"Ending: {ending.title} ({ending.kind}) in {final.moves} moves")
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    return 0
