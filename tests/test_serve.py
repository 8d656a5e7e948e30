"""``daylights serve``: the real server in a subprocess, spoken to over HTTP and its websocket."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import pytest

from game.cli import main
from game.saves import SaveStore
from game.tui.app import DaylightsApp
from game.tui.dialogs import ConfirmScreen
from game.tui.keybar import KeyBar
from tests.conftest import write_story
from tests.served import (
    TINY_TRAIN_ACT,
    TINY_TRAIN_STORY,
    TerminalScreen,
    game_processes,
    serving,
    stop,
    wait_until,
)

COLUMNS, ROWS = 100, 30


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return write_story(tmp_path / "story", TINY_TRAIN_STORY, {"one.yaml": TINY_TRAIN_ACT})


class Player:
    """One browser tab, as the page speaks to the server: keys in, terminal bytes out."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.screen = TerminalScreen(COLUMNS, ROWS)

    async def wait_for(self, words: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.screen.shows(words):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{words!r} never appeared; the screen shows:\n{self.screen.text}")
            try:
                message = await self.websocket.receive(timeout=left)
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen.feed(message.data)
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"the game closed before showing {words!r}:\n{self.screen.text}")

    async def read_until_closed(self) -> None:
        async for message in self.websocket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen.feed(message.data)

    async def press(self, keys: str) -> None:
        await self.websocket.send_str(json.dumps(["stdin", keys]))


async def connect(session: aiohttp.ClientSession, port: int, player: str) -> Player:
    websocket = await session.ws_connect(f"ws://127.0.0.1:{port}/ws/{player}?width={COLUMNS}&height={ROWS}")
    return Player(websocket)


async def test_served_page_starts_the_textual_game_and_takes_keys(story: Path, tmp_path: Path) -> None:
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        async with aiohttp.ClientSession() as session:
            async with session.get(server.url) as page:
                assert page.status == 200
                assert "textual-terminal" in await page.text()
            player = await connect(session, server.port, uuid.uuid4().hex)
            await player.wait_for("New game")
            assert player.screen.shows("The Night Train")
            await player.press("\r")
            await player.wait_for("Steam drifts over the platform at Bratislava.")
            await player.press("1")
            await player.wait_for("the night train to Vienna is boarding")
            await player.websocket.close()
    assert f"Daylights is served at http://127.0.0.1:{server.port}/" in server.output()
    assert "no password" not in server.output()
    assert server.process.returncode == 0, server.output()


def test_serve_listens_on_this_machine_only_unless_told(story: Path, tmp_path: Path) -> None:
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        assert listening_on(server.port) == {"127.0.0.1"}
    with serving(story, tmp_path / "saves", tmp_path / "open.log", "--host", "0.0.0.0") as server:
        assert listening_on(server.port) == {"0.0.0.0"}
        assert "There is no password." in server.output()


def test_malformed_requests_get_one_line_each_in_the_log_and_start_no_game(story: Path, tmp_path: Path) -> None:
    """An address too long for aiohttp, a header holding a terminal escape and a plain GET of the
    websocket's address: each a 400 and one log line with the escape shown, not obeyed; no
    player folder or game process is spent on them."""
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        for request in (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                        b"GET / HTTP/1.1\r\nHost: x\r\nX-Evil: \x1b[2Jboom\r\n\r\n",
                        f"GET /ws/{uuid.uuid4().hex} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode()):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
                connection.sendall(request)
                assert connection.recv(100).split(b" ")[1] == b"400"
        time.sleep(0.5)
        log = server.output()
        assert not game_processes(str(tmp_path)) and not server.players.exists()
    assert "Traceback" not in log and "\x1b" not in log.replace("\\x1b", ""), log
    assert log.count("Error handling request") == 2 and "LineTooLong" in log and "\\x1b[2Jboom" in log, log


def listening_on(port: int) -> set[str]:
    """The IPv4 addresses with a socket listening on ``port``, from the kernel's own table."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


async def test_served_page_fetches_nothing_from_another_host(story: Path, tmp_path: Path) -> None:
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        async with aiohttp.ClientSession() as session:
            async with session.get(server.url) as page:
                html = await page.text()
            links = re.findall(r'(?:src|href)=["\']([^"\']+)', html) + re.findall(r'url\(["\']?([^"\')]+)', html)
            assert links, html
            for link in (link for link in links if not link.startswith("data:")):  # data: is in the page itself
                assert link.startswith("/static/"), f"the page fetches {link} from elsewhere"
                async with session.get(server.url.rstrip("/") + link) as resource:
                    assert resource.status == 200, link
    assert "googleapis" not in html


async def test_two_connections_for_one_player_save_in_separate_folders(story: Path, tmp_path: Path) -> None:
    """A duplicated tab brings its player id along; the second game must not share the first one's autosaves."""
    same_player = uuid.uuid4().hex
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        async with aiohttp.ClientSession() as session:
            first, second = [await connect(session, server.port, same_player) for _ in range(2)]
            for player in (first, second):
                await player.wait_for("New game")
                await player.press("\r")
                await player.wait_for("Steam drifts")
                await player.press("1")
                await player.wait_for("boarding")
            wait_until(lambda: len(list(server.players.glob("*/**/autosave-1*"))) == 2, 15, "two autosaves")
            folders = sorted(p.name for p in server.players.iterdir())
            assert len(folders) == 2 and same_player in folders
            for player in (first, second):
                await player.websocket.close()


async def test_reconnecting_player_continues_from_its_own_autosave(story: Path, tmp_path: Path) -> None:
    """Reloading the page (F5 in a browser) reconnects with the tab's player id: Continue is there."""
    player_id = uuid.uuid4().hex
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as server:
        async with aiohttp.ClientSession() as session:
            player = await connect(session, server.port, player_id)
            await player.wait_for("New game")
            await player.press("\r")
            await player.wait_for("Steam drifts")
            await player.press("1")
            await player.wait_for("boarding")
            await player.websocket.close()
            wait_until(lambda: not game_processes(str(server.players / player_id)), 15, "the first game to end")
            again = await connect(session, server.port, player_id)
            await again.wait_for("Continue")
            await again.press("\r")
            await again.wait_for("the night train to Vienna is boarding")
            await again.websocket.close()


async def test_stopping_the_server_ends_every_game_it_started(story: Path, tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    with serving(story, saves, tmp_path / "serve.log") as server:
        async with aiohttp.ClientSession() as session:
            player = await connect(session, server.port, uuid.uuid4().hex)
            await player.wait_for("New game")
            assert game_processes(str(saves))
            page = asyncio.create_task(player.read_until_closed())  # a page answers the server's goodbye
            started = time.monotonic()
            assert await asyncio.to_thread(stop, server.process) == 0, server.output()
            assert time.monotonic() - started < 5
            await asyncio.wait_for(page, 5)
    wait_until(lambda: not game_processes(str(saves)), 10, "the game processes to end")


def test_serve_without_the_web_extra_says_how_to_install_it(story: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    monkeypatch.delitem(sys.modules, "game.webserver", raising=False)
    assert main(["serve", str(story)]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pip install 'daylights[web]'" in error


def test_serve_refuses_a_story_that_does_not_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = write_story(tmp_path / "broken", acts={"one.yaml": "act: one\nscenes: {}\n"})
    assert main(["serve", str(broken)]) == 1
    assert "cannot be loaded" in capsys.readouterr().err


def test_serve_on_a_busy_port_says_so_in_one_line(story: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "game", "serve", str(story), "--port", str(port),
                                 "--saves", str(tmp_path / "saves")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"daylights: cannot serve on 127.0.0.1 port {port}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


async def test_served_play_screen_shows_and_takes_browser_safe_keys(story: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """In a browser F5 and ctrl+r reload the page: S, L and r quicksave, quickload and restart instead."""
    monkeypatch.setattr(DaylightsApp, "is_web", property(lambda app: True))
    store = SaveStore(tmp_path / "saves")
    app = DaylightsApp(story, store, start="new")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bar = str(app.screen.query_one(KeyBar).render())
        assert "S Quicksave" in bar and "L Quickload" in bar and "r Restart" in bar
        await pilot.press("1", "S")
        await pilot.pause()
        assert list(store.folder.rglob("quicksave*"))
        await pilot.press("1", "L")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):  # loading over moves not saved asks first
            await pilot.press("y")
            await pilot.pause()
        assert app.session is not None and app.session.state.scene == "platform"
        await pilot.press("r")
        await pilot.pause()
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
            await pilot.pause()
        assert app.session.state.scene == "station" and app.session.state.moves == 0


async def test_the_terminal_game_does_not_bind_the_browser_keys(story: Path, tmp_path: Path) -> None:
    app = DaylightsApp(story, SaveStore(tmp_path / "saves"), start="new")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Quicksave" not in str(app.screen.query_one(KeyBar).render())
        await pilot.press("S")
        await pilot.pause()
        assert not list((tmp_path / "saves").rglob("quicksave*"))
