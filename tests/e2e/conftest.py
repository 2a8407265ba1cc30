"""Shared fixtures for browser tests: a live ``streamlit run`` server on a demo database, Chromium,
two viewports (desktop 1280 px and phone 390 px with a mobile user agent) and a screenshot helper.

A module starts one server (module scope, fresh database) to keep the suite fast; a test module
picks its own port range so that helpers running tests at the same time never collide:

    @pytest.fixture(scope="module")
    def live(tmp_path_factory):
        with live_server(tmp_path_factory.mktemp("db"), range(8660, 8670)) as server:
            yield server
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
SECRET_KEY = "e2e-only-cookie-key-7f3c9a1e5b2d4f6a8c0e2b4d6f8a0c2e"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# A phone is more than a narrow window: Streamlit closes the sidebar after navigation only for a mobile
# user agent, so the phone context carries one (scale 1 keeps screenshots small). 390 px is the width
# issue 8 asks for (a common phone's CSS width), narrower than the Pixel 7 whose user agent this is.
PHONE = {"user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/156.0.0.0 Mobile Safari/537.36", "is_mobile": True, "has_touch": True}


@dataclass(frozen=True)
class LiveServer:
    base: str  # http://127.0.0.1:PORT
    database_url: str
    pid: int = 0  # the `streamlit run` process (tests/faults kills it with SIGKILL)


def free_port(ports: range) -> int:
    """A port of ``ports`` nobody listens on. Under xdist each worker takes every other port of the range:
    two workers starting the same module's server at once would otherwise probe the same free port, and
    one of them could then talk to the other's server (and database)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    mine = [port for position, port in enumerate(ports) if position % count == index % count]
    for port in mine or ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"all ports {ports.start}-{ports.stop - 1} are busy")


def seed_demo(database_url: str) -> None:
    """Migrate and load the demo (users demo-<username>-passphrase, two published forms)."""
    from storage.demo import load_demo
    from storage.engine import make_engine
    from storage.migrate import upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        load_demo(engine, rounds=4)
    finally:
        engine.dispose()


@contextlib.contextmanager
def live_server(folder: Path, ports: range, *, script: str = "app.py", seed: bool = True) -> Iterator[LiveServer]:
    """`streamlit run` on 127.0.0.1 with its own SQLite database; stopped on exit."""
    database_url = f"sqlite:///{folder / 'formwork.db'}"
    if seed:
        seed_demo(database_url)
    port = free_port(ports)
    env = {**os.environ, "FORMWORK_DATABASE_URL": database_url, "FORMWORK_SECRET_KEY": SECRET_KEY}
    log = (folder / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield LiveServer(base, database_url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_healthy(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before serving")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy within {timeout:.0f} s")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives Chromium: `-m "not e2e"` leaves them all out."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """Run the test at a desktop width and at a phone width (residents use phones)."""
    return request.param


class Shots:
    """Numbered full-page screenshots under test-output/screenshots/<test>/."""

    def __init__(self, test_name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        settle(page)  # a screenshot taken mid-run shows half-drawn boxes
        path = self.folder / f"{self.count:02d}-{name}.png"
        full_page_screenshot(page, path)
        return path


def full_page_screenshot(page: Page, path: Path) -> None:
    """The whole page, however long: Streamlit scrolls inside <main>, so a "full page" screenshot shows
    only the window; the window is made as tall as the content for the shot, then given its size back."""
    size = page.viewport_size
    hidden = page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                           " return m ? m.scrollHeight - m.clientHeight : 0; }")
    if size and hidden > 0:
        page.set_viewport_size({"width": size["width"], "height": size["height"] + hidden})
        page.wait_for_timeout(300)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if size and hidden > 0:
            page.set_viewport_size(size)


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


def new_page(browser: Browser, viewport: str) -> Page:
    """A page in a fresh context (its own cookies: one person) at the named viewport."""
    extra = PHONE if viewport == "phone" else {}
    return browser.new_context(viewport=VIEWPORTS[viewport], **extra).new_page()


def settle(page: Page) -> None:
    """Wait until Streamlit has finished the script run a click started."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=15_000)


def nav(page: Page, label: str, until: Locator | None = None) -> None:
    """Go to a page through the navigation; on a phone the sidebar is collapsed and opened first.

    With ``until``, the click is repeated (three times at most) until that element shows: a click that
    lands during a script run can be swallowed by the run's own rerun, more often on a busy machine.
    """
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_be_attached(timeout=15_000)

    def click() -> None:
        if sidebar.get_attribute("data-collapsed") == "true":
            page.get_by_test_id("stExpandSidebarButton").click()
            expect(sidebar).to_have_attribute("data-collapsed", "false")
        page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
        settle(page)

    if until is None:
        click()
    else:
        click_until(click, until)


def click_until(click: Callable[[], None], until: Locator, *, attempts: int = 3, wait_ms: int = 8_000) -> None:
    """Click until ``until`` shows: a click that lands during a script run can be swallowed by the run's
    own rerun, more often on a busy machine. Fails as ``expect`` does after the last attempt."""
    for attempt in range(attempts):
        click()
        try:
            expect(until).to_be_visible(timeout=wait_ms)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise


def open_list(page: Page, box: Locator) -> None:
    """Open a select box's list. The click is repeated (three times at most): on a phone the first tap after
    a script run sometimes only focuses the box, and a run under way can redraw it and close the list."""
    for attempt in range(3):
        try:
            box.click(timeout=5_000)
            expect(page.get_by_role("listbox")).to_be_visible(timeout=5_000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            page.keyboard.press("Escape")
            settle(page)
            if attempt == 2:
                raise


def choose(page: Page, box: Locator, option: str) -> None:
    """Choose an option of a select box as a person would: open it and click the option; on a long list,
    which draws only the rows in view, type the option first to narrow it. Again (three times at most)
    when a rerun under way redraws the list under the pointer and the option is gone before the click."""
    target = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):
        open_list(page, box)
        try:
            if not target.count():
                box.press_sequentially(option, delay=10)
            target.click(timeout=8_000)
            settle(page)
            expect(box).to_have_value(option, timeout=5_000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            page.keyboard.press("Escape")
            settle(page)
            if attempt == 2:
                raise


def sign_in(page: Page, base: str, username: str, password: str | None = None) -> None:
    """Sign in through the sign-in page; demo users have the password ``demo-<username>-passphrase``."""
    page.goto(base)
    settle(page)
    username_box = page.get_by_label("Username", exact=True)  # not "Choose a username" (registration)
    nav(page, "Sign in", until=username_box)
    username_box.fill(username)
    page.get_by_label("Password", exact=True).first.fill(password or f"demo-{username}-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Sign out").first).to_be_attached(timeout=15_000)
    settle(page)
