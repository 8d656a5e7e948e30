"""``daylights serve``: the same Textual game, played in a browser tab through textual-serve.

The browser is not a new front end. textual-serve starts one game process per browser connection
and relays the terminal between it and the page; Daylights only chooses what that process is
(always the Textual app, never plain mode, although its standard streams are pipes), which page the
browser gets (ours, which fetches nothing from the internet), and where each player's saves go (one
folder per browser tab, so two tabs never rotate each other's autosaves). The server itself is in
``game.webserver``, imported only here, so that the game runs without the ``web`` extra.

Run as ``python -m game.serve --scenes DIR --saves DIR`` this module is that game process.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

PLAYERS_FOLDER = "browser-players"
"""Browser players' save roots are ``<saves>/browser-players/<player id>/``: no story id has a hyphen,
so this never meets a story's own ``<saves>/<story id>/`` folder."""

WEB_EXTRA = {"textual_serve", "aiohttp", "aiohttp_jinja2", "jinja2"}
"""The modules the ``web`` extra brings; only their absence means the extra is missing."""

WEB_EXTRA_MISSING = ("daylights: serving to a browser needs the 'web' extra: pip install 'daylights[web]' "
                     "(from a checkout: pip install -e '.[web]')")


def serve(scenes: Path, saves: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Serve the game at ``http://host:port/`` until Ctrl+C or SIGTERM; returns the exit code."""
    try:
        from game.webserver import DaylightsServer
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in WEB_EXTRA:
            raise
        print(WEB_EXTRA_MISSING, file=sys.stderr)
        return 1
    if not 0 <= port <= 65535:
        print(f"daylights: cannot serve on port {port}: a port is a number from 0 to 65535", file=sys.stderr)
        return 2
    server = DaylightsServer(scenes, saves / PLAYERS_FOLDER, host, port)
    try:
        server.serve()
    except OSError as exc:
        print(f"daylights: cannot serve on {host} port {port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def game_command(scenes: Path, saves: Path) -> str:
    """The shell command textual-serve runs for one player: this module as the game process."""
    return shlex.join([sys.executable, "-m", "game.serve", "--scenes", str(scenes), "--saves", str(saves)])


def run_game(argv: list[str]) -> int:
    """The game process behind one browser tab: the Textual app, on the driver textual-serve chose.

    ``daylights play`` would fall back to plain mode here, since standard input and output are pipes.
    """
    parser = argparse.ArgumentParser(prog="python -m game.serve")
    parser.add_argument("--scenes", type=Path, required=True)
    parser.add_argument("--saves", type=Path, required=True)
    args = parser.parse_args(argv)
    from game.gcpause import start_up
    from game.saves import SaveStore
    from game.tui.app import DaylightsApp

    with start_up():
        DaylightsApp(args.scenes, SaveStore(args.saves)).run()
    return 0


if __name__ == "__main__":
    sys.exit(run_game(sys.argv[1:]))
