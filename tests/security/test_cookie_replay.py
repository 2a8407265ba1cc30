"""A copied login cookie is worthless after signing out (real browser: Chromium via Playwright).

The app runs under ``streamlit run`` on 127.0.0.1 with a temporary SQLite database. The cookie of a
signed-in browser is copied; replayed before sign-out it signs in (so the test can tell), replayed
in a fresh browser after sign-out it must not.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from storage.engine import make_engine
from storage.migrate import upgrade
from tests.helpers import seed_organisation

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8630, 8640)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8630-8639")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("replay")
    url = f"sqlite:///{folder / 'app.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed_organisation(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "FORMWORK_DATABASE_URL": url, "FORMWORK_SECRET_KEY": "replay-test-key-0123456789-abcdefghijklmnop"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("streamlit did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _nav(page: Page, label: str):  # noqa: ANN202 - a Playwright locator
    return page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True)


def _signed_in_as_reviewer(page: Page) -> None:
    expect(_nav(page, "Inbox")).to_be_visible(timeout=15_000)


def _signed_out(page: Page) -> None:
    expect(_nav(page, "Sign in")).to_be_visible(timeout=15_000)
    expect(_nav(page, "Inbox")).to_have_count(0)


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(server: str, browser: Browser) -> None:
    original = browser.new_context()
    page = original.new_page()
    page.goto(server)
    _nav(page, "Sign in").click()
    page.get_by_label("Username").fill("roads")
    page.get_by_label("Password", exact=True).first.fill("roads-test-passphrase")
    page.get_by_role("button", name="Sign in").click()
    _signed_in_as_reviewer(page)
    for _ in range(50):  # the cookie component writes the cookie a moment after the rerun
        cookies = [c for c in original.cookies() if c["name"] == "formwork_session"]
        if cookies:
            break
        page.wait_for_timeout(200)
    assert cookies, "the login cookie was never set"
    assert cookies[0]["sameSite"] == "Strict"

    before = browser.new_context()
    before.add_cookies(cookies)
    replay = before.new_page()
    replay.goto(server)
    _signed_in_as_reviewer(replay)  # the copy works while the session lives: the test can tell
    before.close()

    _nav(page, "Your account").click()
    page.get_by_role("button", name="Sign out").click()
    _signed_out(page)

    after = browser.new_context()
    after.add_cookies(cookies)
    replay = after.new_page()
    replay.goto(server)
    _signed_out(replay)
    replay.goto(f"{server}/inbox")  # a deep link does not help either
    _signed_out(replay)
    expect(replay.get_by_text("Inbox", exact=True)).to_have_count(0)
    after.close()
    original.close()
