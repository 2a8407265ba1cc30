"""A copied login cookie is worthless after signing out (real browser: Chromium via Playwright).

The app runs under ``streamlit run`` on 127.0.0.1 with a temporary SQLite database. The cookie of a
signed-in browser is copied; replayed before sign-out it signs in (so the test can tell), replayed
in a fresh browser after sign-out it must not.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from storage.engine import make_engine
from storage.migrate import upgrade
from tests.e2e.conftest import live_server, sign_in
from tests.helpers import seed_organisation

PORTS = range(8630, 8640)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("replay")
    engine = make_engine(f"sqlite:///{folder / 'formwork.db'}")
    upgrade(engine)
    seed_organisation(engine)
    engine.dispose()
    with live_server(folder, PORTS, seed=False) as live:
        yield live.base


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
    sign_in(page, server, "roads", "roads-test-passphrase")
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
