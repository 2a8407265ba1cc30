"""Staff-written labels in a real Chromium: shown exactly as typed, and named without escapes.

Streamlit hands a widget its raw label as ``aria-label`` (the visible label is ``aria-hidden``), so
every backslash ``ui.text`` adds is read out by screen readers; it must add them only where markdown
would otherwise change the text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import LiveServer, live_server, new_page, settle
from tests.e2e.label_texts import CLEAN, TEXTS
from ui.text import label_text

pytestmark = pytest.mark.e2e
PORTS = range(8720, 8740)  # i18n-deep's share of the Streamlit ports
RENDERED_MARKUP = ("<a ", "<img", "<em", "<strong", "<code", "<del", "<li", "<h1", "<h2", "<hr", "<blockquote",
                   "katex", "<table", 'color:')


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("labels"), PORTS, script="tests/e2e/label_texts_app.py",
                     seed=False) as server:
        yield server


@pytest.fixture(scope="module")
def page(live: LiveServer, browser: Browser) -> Page:
    shown = new_page(browser, "desktop")
    shown.goto(live.base)
    shown.get_by_test_id("stTextInput").first.wait_for(timeout=15_000)
    settle(shown)
    return shown


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("index", range(len(TEXTS)), ids=[t[:24] for t in TEXTS])
def test_a_label_shows_as_typed_and_is_named_without_needless_escapes(page: Page, index: int) -> None:
    text = TEXTS[index]
    box = page.locator(f".st-key-label-{index}")
    assert _words(box.get_by_test_id("stWidgetLabel").inner_text()) == _words(text)
    name = box.get_by_role("textbox").get_attribute("aria-label")
    assert name == (text if text in CLEAN else label_text(text))
    option = page.locator(f".st-key-option-{index}").get_by_test_id("stMarkdownContainer").last
    assert _words(option.inner_text()) == _words(text)
    for kind in ("markdown", "caption"):
        block = page.locator(f".st-key-{kind}-{index}")
        assert _words(block.inner_text()) == _words(text), kind
        markup = block.inner_html()
        assert [tag for tag in RENDERED_MARKUP if tag in markup] == [], kind
