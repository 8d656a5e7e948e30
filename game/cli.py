"""The ``daylights`` command: play the story, and the tools writers and testers use.

Author commands (check, walk) never import Textual, so they start fast and run anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from game import __version__, engine
from game.bundled import bundled_scenes, canonical_walkthrough
from game.locations import SAVES_ENV, saves_folder
from game.saves import SaveError, SaveStore
from game.story import StoryError, check_story, load_story
from game.story.model import Story


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 problems found, 2 usage error)."""
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
    start.add_argument("--continue", dest="resume", action="store_true", help="continue from the latest autosave")
    start.add_argument("--load", metavar="NAME", help="start from a saved slot")
    play.set_defaults(run=_play)

    check = sub.add_parser("check", parents=[common], help="validate a story folder")
    check.add_argument("folder", nargs="?", type=Path, help="story folder (same as --scenes)")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(run=_check)

    walk = sub.add_parser("walk", parents=[common], help="replay a walkthrough headlessly")
    walk.add_argument("file", nargs="?", type=Path,
                      help="walkthrough YAML (default: the story's canonical walkthrough)")
    shown = walk.add_mutually_exclusive_group()
    shown.add_argument("--json", action="store_true", help="print one JSON object")
    shown.add_argument("--transcript", action="store_true",
                       help="print the plain-mode session of the walkthrough (the golden transcript)")
    walk.set_defaults(run=_walk)
    return parser


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
    if not _wants_plain(args):
        return _play_tui(args)
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
    return PlainGame(story, sys.stdin, sys.stdout, store, state).run()


def _play_tui(args: argparse.Namespace) -> int:
    from game.tui.app import DaylightsApp

    start = "continue" if args.resume else f"load:{args.load}" if args.load else None
    app = DaylightsApp(_scenes(args), SaveStore(saves_folder(args.saves)), start=start)
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
        for number, (scene, choice_id) in enumerate(zip(scenes, final.path, strict=False), 1):
            choice = scene.choice(choice_id)
            print(f"{number:3}. {scene.title}  →  {choice.text if choice else choice_id}")
        if ending:
            print(f"Ending: {ending.title} ({ending.kind}) in {final.moves} moves")
    if result.failure:
        print(result.failure, file=sys.stderr)
        return 1
    return 0
