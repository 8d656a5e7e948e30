"""textual-serve's server, fitted for Daylights: our page, one save folder per player, a clean stop.

Needs the ``web`` extra (textual-serve, and through it aiohttp and jinja2); ``game.serve`` imports
this module only when asked to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from contextvars import ContextVar
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from game.serve import game_command

PAGE_FOLDER = Path(__file__).with_name("web")
"""Our page template, ``app_index.html``; its script, style sheet and font are textual-serve's statics."""

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ANY_ADDRESS = {"0.0.0.0", "::", ""}
PLAYER_ID = re.compile(r"[0-9a-f]{32}")
RELOAD_GRACE = 8.0
"""Seconds a connection waits for its player's previous game to end before taking a new id: long
enough for a game to close on a busy machine (a reload must keep its player), short enough for a
duplicated tab, whose first copy plays on, to start its own game without much of a wait."""

_connection_command: ContextVar[str] = ContextVar("_connection_command", default="")
"""The game command for the connection being handled. textual-serve reads ``Server.command`` inside
its websocket handler and aiohttp runs each connection in its own task, so a context variable gives
every connection its own command without copying textual-serve's handler."""


class DaylightsServer(Server):
    """Serves the game; each websocket connection is one player with a game process of its own."""

    def __init__(self, scenes: Path, players: Path, host: str, port: int) -> None:
        super().__init__(command="", host=host, port=port, title="Daylights", templates_path=PAGE_FOLDER)
        self.scenes = scenes
        self.players = players
        """The folder holding one save folder per player id."""
        self.playing: dict[str, asyncio.Event] = {}
        """Player ids with a game running, each with the event set when that game has ended."""
        self.connections: set[asyncio.Task[object]] = set()

    @property
    def command(self) -> str:
        return _connection_command.get()

    @command.setter
    def command(self, value: str) -> None:
        """textual-serve's server sets one command for every connection; ours is chosen per connection."""

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/ws/{player}", self.handle_websocket)
        return app

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Start a game for the player the page names (``/ws/<id>``), saving in that player's folder."""
        player = await self.claim(request.match_info.get("player", ""))
        token = _connection_command.set(game_command(self.scenes, self.players / player))
        task = asyncio.current_task()
        if task is not None:
            self.connections.add(task)
        try:
            return await super().handle_websocket(request)
        finally:
            if task is not None:
                self.connections.discard(task)
            self.playing.pop(player).set()
            _connection_command.reset(token)

    async def claim(self, wanted: str) -> str:
        """The id for a new connection: the tab's own, unless it is malformed or still playing elsewhere.

        A reloaded page connects again while its previous game may still be closing, so a busy id is
        waited for a moment; a duplicated tab, whose first copy plays on, then gets an id of its own.
        """
        if PLAYER_ID.fullmatch(wanted):
            previous = self.playing.get(wanted)
            if previous is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(previous.wait(), RELOAD_GRACE)
            if wanted not in self.playing:
                self.playing[wanted] = asyncio.Event()
                return wanted
        player = uuid.uuid4().hex
        self.playing[player] = asyncio.Event()
        return player

    async def on_startup(self, app: web.Application) -> None:
        anywhere = self.host in ANY_ADDRESS
        url = page_address("127.0.0.1" if anywhere else self.host, self.port)
        print(f"Daylights is served at {url} (open it in a browser; Ctrl+C stops it)", flush=True)
        if self.host not in LOOPBACK:
            reach = "this machine's network address" if anywhere else self.host
            print(f"Others can reach it at {reach}: anyone who can, can play. There is no password.", flush=True)
        print(f"Each browser tab is its own player, saving in {self.players}/<player id>/", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        """End every game on the way out: textual-serve then tells each game process to quit."""
        for task in self.connections:
            task.cancel()
        if self.connections:
            await asyncio.wait(self.connections, timeout=5)

    def initialize_logging(self) -> None:
        """textual-serve's log says why a game failed to start: keep it, in plain lines, without each request."""
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def page_address(host: str, port: int) -> str:
    """The address to type into a browser (an IPv6 host goes in brackets)."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
