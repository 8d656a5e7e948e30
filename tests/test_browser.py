"""``daylights serve`` in a real browser: the system Chromium, driven by Playwright.

Nothing is downloaded for these tests but Chromium itself, from the system's package manager when
it is missing and the tests run as root (as in CI); Playwright's own browser builds are never used.
``DAYLIGHTS_SCREENSHOT=docs/browser.png`` keeps the screenshot of a game in progress.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, WebSocket, sync_playwright

from tests.conftest import write_story
from tests.served import TINY_TRAIN_ACT, TINY_TRAIN_STORY, Server, TerminalScreen, serving, wait_until

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOT_ENV = "DAYLIGHTS_SCREENSHOT"


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system Chromium; installed with apt-get when missing and we may (root, with apt-get), as in CI."""
    found = find_chromium()
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium, as root, makes these tests run)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # With its recommends, as tested: they bring Mesa and fonts. The lock timeout waits out another apt.
    install = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "chromium"]
    for step in (["apt-get", "update", "-q"], install):
        result = subprocess.run(step, capture_output=True, text=True, timeout=900, env=environment)
        if result.returncode != 0:
            pytest.skip(f"'{' '.join(step)}' failed, so there is no Chromium: {result.stderr.strip()[-300:]}")
    found = find_chromium()
    if found is None:
        pytest.skip("apt-get installed chromium, but no chromium command is on PATH")
    return found


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    story = write_story(tmp_path / "story", TINY_TRAIN_STORY, {"one.yaml": TINY_TRAIN_ACT})
    with serving(story, tmp_path / "saves", tmp_path / "serve.log") as running:
        yield running


class Tab:
    """A browser tab on the served game: what it fetched, and what the game drew in it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.screen = TerminalScreen(80, 24)
        self.player = ""
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", self.watch)

    def watch(self, websocket: WebSocket) -> None:
        """Follow the game's websocket: its URL names the player and the size; its frames are the screen."""
        address = urlparse(websocket.url)
        self.player = address.path.rsplit("/", 1)[-1]
        size = parse_qs(address.query)
        self.screen = TerminalScreen(int(size["width"][0]), int(size["height"][0]))
        websocket.on("framereceived", lambda data: self.screen.feed(data) if isinstance(data, bytes) else None)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.wait_for("New game")
        self.page.focus(".xterm-helper-textarea")  # where the terminal takes its keys

    def wait_for(self, words: str, timeout: float = 30) -> None:
        try:
            wait_until(lambda: self.screen.shows(words), timeout, repr(words),
                       pause=lambda: self.page.wait_for_timeout(50))
        except AssertionError as failure:
            raise AssertionError(f"{failure}; the screen shows:\n{self.screen.text}") from None

    def click_text(self, words: str) -> None:
        """Click on ``words`` where the game drew them (the terminal is a grid of equal cells)."""
        row, column = self.screen.where(words)
        box = self.page.locator(".xterm-screen").bounding_box()
        assert box is not None
        width, height = box["width"] / self.screen.screen.columns, box["height"] / self.screen.screen.lines
        self.page.mouse.click(box["x"] + (column + 2) * width, box["y"] + (row + 0.5) * height)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlparse(url).scheme not in ("data", "blob") and urlparse(url).hostname not in LOCAL_HOSTS]


def new_tab(browser: Browser) -> Tab:
    context = browser.new_context(viewport={"width": 1100, "height": 640})
    context.route(lambda url: urlparse(url).hostname not in LOCAL_HOSTS and not url.startswith("data:"),
                  lambda route: route.abort())
    return Tab(context.new_page())


def test_a_game_in_the_browser_from_title_to_ending(browser: Browser, server: Server,
                                                    tmp_path: Path) -> None:
    tab = new_tab(browser)
    try:
        tab.open(server.url)
        assert tab.screen.shows("The Night Train")
        tab.page.keyboard.press("Enter")  # New game, the first entry on a fresh player's title screen
        tab.wait_for("Steam drifts over the platform at Bratislava.")
        tab.page.keyboard.press("1")  # Buy a ticket
        tab.wait_for("the night train to Vienna is boarding")
        tab.wait_for("Quicksave")  # the browser-safe key is in the key bar
        tab.page.keyboard.press("Shift+S")
        tab.wait_for("Quicksaved")
        folder = server.players / tab.player
        assert list(folder.rglob("quicksave*")), f"no quicksave in {folder}"
        screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "browser.png")
        tab.page.screenshot(path=str(screenshot))
        tab.click_text("Board the night train")
        tab.wait_for("The train pulls into Vienna at dawn.")
        tab.wait_for("Arrived at dawn")
        assert tab.foreign_requests() == []
    finally:
        tab.page.context.close()


def test_two_tabs_are_two_players_and_a_reload_keeps_the_player(browser: Browser,
                                                                server: Server) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 640})
    try:
        tabs = [Tab(context.new_page()) for _ in range(2)]
        for tab in tabs:
            tab.open(server.url)
            tab.page.keyboard.press("Enter")
            tab.wait_for("Steam drifts")
            tab.page.keyboard.press("1")
            tab.wait_for("boarding")
        first, second = tabs
        assert first.player != second.player
        folders = [server.players / tab.player for tab in tabs]
        wait_until(lambda: all(any(folder.rglob("autosave-*")) for folder in folders), 15, "each tab's own autosave")
        before = first.player
        first.page.reload()
        first.wait_for("Continue")
        assert first.player == before
        first.page.focus(".xterm-helper-textarea")
        first.page.keyboard.press("Enter")
        first.wait_for("the night train to Vienna is boarding")
    finally:
        context.close()
