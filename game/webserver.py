"""textual-serve's server, fitted for Daylights: our page, one save folder per player, a clean stop.

Needs the ``web`` extra (textual-serve, and through it aiohttp and jinja2); ``game.serve`` imports
this module only when asked to serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from game.serve import game_command
from game.story.problems import one_line

PAGE_FOLDER = Path(__file__).with_name("web")
"""Our page template, ``app_index.html``; its script, style sheet and font are textual-serve's statics."""

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
ANY_ADDRESS = {"0.0.0.0", "::", ""}
PLAYER_ID = re.compile(r"[0-9a-f]{32}")
MAX_CELLS = 1000
"""The most columns or rows a page may ask for: a terminal far larger than any screen would only
make the game process allocate (and redraw) an enormous screen."""
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
        """Start a game for the player the page names (``/ws/<id>``), saving in that player's folder.

        Only our own page may start a game: a browser lets any web site open a websocket to this
        machine, so a connection from another origin (or through a host name rebound to this
        machine) is refused before any process starts.
        """
        if not self.same_site(request):
            raise web.HTTPForbidden(text="daylights: this game only accepts its own page\n")
        if not web.WebSocketResponse().can_prepare(request).ok:  # before a player id or a process is spent
            raise web.HTTPBadRequest(text="daylights: this address only takes the game page's websocket\n")
        request = request.clone(rel_url=request.rel_url.update_query(
            width=str(bounded_cells(request.query.get("width"), 80)),
            height=str(bounded_cells(request.query.get("height"), 24))))
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

    def same_site(self, request: web.Request) -> bool:
        """True when the request comes from our own page: its Host names this server (a loopback
        name when it listens on loopback), and a browser's Origin, if sent, is that same place."""
        host = (request.host or "").lower()
        try:
            hostname, port = urlsplit(f"//{host}").hostname or "", urlsplit(f"//{host}").port
        except ValueError:
            return False
        if not self.names_us(hostname) or (port is not None and port != self.port):
            return False
        origin = request.headers.get("Origin")
        if origin is None:
            return True  # not a browser: browsers always send Origin with a websocket
        try:
            parts = urlsplit(origin.lower())
            origin_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or origin_port != self.port:
            return False
        if self.host in ANY_ADDRESS:
            return parts.hostname == hostname
        return self.names_us(parts.hostname or "")

    def names_us(self, hostname: str) -> bool:
        """Whether a host name in a request can be this server's own address."""
        if self.host in ANY_ADDRESS:
            return bool(hostname)
        return hostname in LOOPBACK or hostname == self.host.lower().strip("[]")

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """textual-serve's loop over the page's messages, except that a malformed message is ignored
        instead of ending the game with a traceback, and a resize is bounded like the first size."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except (ValueError, RecursionError):
                continue
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(bounded_cells(data.get("width"), 80),
                                                    bounded_cells(data.get("height"), 24))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

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
        for name in ("aiohttp.server", "aiohttp.web", "textual-serve"):
            logging.getLogger(name).addFilter(one_line_record)


def one_line_record(record: logging.LogRecord) -> bool:
    """A log record as one line, its exception's type and message in place of its traceback:
    aiohttp logs every malformed request (a 10 KB address, a bad header) with a whole traceback,
    and the message may quote what a stranger sent, so anything unprintable is escaped."""
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        message = f"{message}: {type(error).__name__}: {' '.join(str(error).split())}"
    record.msg, record.args, record.exc_info, record.exc_text = one_line(message), (), None, None
    return True


def bounded_cells(value: object, default: int) -> int:
    """A terminal size from the page: a whole number of cells from 1 to MAX_CELLS, else ``default``."""
    if isinstance(value, str):
        try:
            value = int(value) if len(value) <= 6 else None
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, 1), MAX_CELLS)


def page_address(host: str, port: int) -> str:
    """The address to type into a browser (an IPv6 host goes in brackets)."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
