"""Every page the journeys do not pass through, at a desktop and a phone width (issue 8): the catalogue,
the set-up page of an empty database, the administrator's users and groups and data-protection pages,
and a signed-in resident's account page. Each shows its heading and no exception; the screenshots under
test-output/screenshots/ are for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveServer, Shots, live_server, nav, new_page, settle, sign_in
from tests.e2e.journeys import patient_expect  # noqa: F401 - autouse fixture

pytestmark = pytest.mark.e2e
PORTS = range(8675, 8680)  # this module's share of issue 8's ports (8660-8679)

# (name, who signs in, the navigation entry, the page's heading)
PAGES = [
    ("catalogue", None, None, "City services online"),
    ("admin", "admin", "Users and groups", "Users and groups"),
    ("data-protection", "admin", "Data-protection requests", "Data-protection requests"),
    ("account", "resident", "Your account", "Your account"),
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("pages"), PORTS) as server:
        yield server


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # No migration, no user: what a city sees on the first start of a fresh installation.
    with live_server(tmp_path_factory.mktemp("empty"), PORTS, seed=False) as server:
        yield server


def shows_its_page(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    wider = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wider <= 0, f"the page is {wider} px wider than the window: it scrolls sideways"


@pytest.mark.parametrize(("name", "user", "entry", "heading"), PAGES, ids=[p[0] for p in PAGES])
def test_page_shows_its_heading_without_an_error(demo: LiveServer, browser: Browser, viewport: str, shots: Shots,
                                                name: str, user: str | None, entry: str | None,
                                                heading: str) -> None:
    page = new_page(browser, viewport)
    if user:
        sign_in(page, demo.base, user)
        nav(page, entry or heading, until=page.get_by_role("heading", name=heading, level=1))
    else:
        page.goto(demo.base)
    shows_its_page(page, heading)
    shots(page, f"{name}-{viewport}")
    page.context.close()


def test_set_up_page_of_an_empty_database(empty: LiveServer, browser: Browser, viewport: str, shots: Shots) -> None:
    page = new_page(browser, viewport)
    page.goto(empty.base)
    shows_its_page(page, "Set up Formwork")
    expect(page.get_by_role("button", name="Create administrator")).to_be_visible()
    shots(page, f"setup-{viewport}")
    page.context.close()

