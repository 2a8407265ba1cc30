"""Markdown escaping of staff-written texts: only what markdown would read (see ui/text.py).

What Streamlit actually renders is checked in Chromium by tests/e2e/test_label_rendering.py.
"""

from __future__ import annotations

import pytest

from ui.text import label_text, literal, plain


@pytest.mark.parametrize("text", ["Trunk width at 1.3 m height (cm)", "Où se trouve le nid-de-poule ?",
                                  "1. Your name", "# of trees", "snake_case_name", "Price: $5, about ~5 km",
                                  "<b>not HTML</b> & < 3", "C:\\path\\to", "10:30"])
def test_labels_without_markdown_keep_their_words(text: str) -> None:
    assert label_text(text) == text


@pytest.mark.parametrize("text, escaped", [
    ("Where is it? **exactly** _please_ [map]", "Where is it? \\*\\*exactly\\*\\* \\_please\\_ \\[map\\]"),
    ("~a~ and $x$", "\\~a\\~ and \\$x\\$"),
    (":red[red] :smile:", "\\:red\\[red\\] \\:smile\\:"),
    ("&amp;", "\\&amp;"),
    ("---", "\\---"),
    ("ends with \\", "ends with \\\\"),
    ("Two\nlines", "Two lines"),
])
def test_labels_with_markdown_are_escaped(text: str, escaped: str) -> None:
    assert label_text(text) == escaped


def test_plain_also_escapes_what_starts_a_block_and_any_delimiter() -> None:
    # In a markdown block "1. " starts a list; pieces of plain() text may be joined, so even a lone "$" is escaped.
    assert plain("1. Your name") == "1\\. Your name"
    assert plain("# of trees\n> quote") == "\\# of trees\n\\> quote"
    assert plain("Price: $5") == "Price: \\$5"
    assert plain("<b>") == "\\<b>"


def test_control_characters_never_reach_the_page() -> None:
    for shown in (plain("a\x1b[31mb\x07"), label_text("a\x1b[31mb\x07"), literal("a\x1b[31mb\x07")):
        assert "\x1b" not in shown and "\x07" not in shown
