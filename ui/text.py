"""Showing words that people wrote, safely.

Labels, help texts, titles and captions in Streamlit interpret markdown. Texts written by staff must
appear exactly as typed, so the syntax that *would* be interpreted is escaped here; anything written
by residents is shown with ``st.text`` / ``st.code`` / dataframes only, never through these helpers.

Escaping only what markdown would read matters for accessibility: Streamlit gives a widget the raw
label string as its ``aria-label`` (the visible label is ``aria-hidden``), so every backslash added
here is read out by a screen reader. Measured in Chromium with Streamlit 1.67:

- in a widget label, block syntax shows literally (``1. First``, ``# Heading``, ``> quote``,
  ``- item``), except a line of dashes, which disappears (a thematic break);
- emphasis, code, strikethrough (``~a~`` too), math (``$x$``), links and images, ``:red[...]``
  directives, ``:smile:`` shortcodes and character references (``&amp;``) are interpreted in every
  position; ``_`` inside a word is not, nor is a lone backtick, ``~`` or ``$`` (nothing to pair with);
- raw HTML is shown as text, never rendered;
- two things cannot be stopped by escaping: bare web and e-mail addresses become links (GFM autolink
  literals, with ``rel="noopener noreferrer"``) and ``:material/name:`` becomes an icon. Script and
  data links, HTML and images are refused when a definition is saved (builder.lint).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ASCII_PUNCTUATION = r"!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~"
_INLINE = re.compile(
    r"\\(?=[" + _ASCII_PUNCTUATION + r"]|$)"  # a backslash that would escape what follows
    r"|[*`~$\[\]]"  # emphasis, code, strikethrough, math, links / images / directives
    r"|(?<![^\W_])_|_(?![^\W_])"  # underscores not inside a word could open or close emphasis
    r"|&(?=#?[A-Za-z0-9]+;)"  # character references such as &amp; or &#64;
    r"|:(?=[a-z-]+\[)",  # colour directives such as :red[...]
    re.MULTILINE,
)
# Streamlit replaces shortcodes after markdown is parsed, so both colons need escaping (measured).
_SHORTCODE = re.compile(r":([A-Za-z0-9_+-]*[A-Za-z+][A-Za-z0-9_+-]*):")
_BLOCK_START = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)  # headings, quotes, lists, rules
_NUMBERED_ITEM = re.compile(r"^([ \t]*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)
_DASH_LINE = re.compile(r"^([ \t]*)-(?=[ \t-]*$)", re.MULTILINE)
_HTML_OPEN = re.compile(r"<")  # escaped in markdown blocks too, though Streamlit shows HTML as text there
# Code, strikethrough and math need a closing delimiter of the same kind: one alone stays literal.
_PAIRED = frozenset("`~$")


def _inline(text: str, *, whole: bool = False) -> str:
    """Inline escapes; ``whole`` when ``text`` is everything the element shows, so a lone ``$`` cannot pair."""
    text = _CONTROL.sub("", str(text))
    lone = {c for c in _PAIRED if text.count(c) == 1} if whole else set()
    escaped = _INLINE.sub(lambda m: m.group(0) if m.group(0) in lone else "\\" + m.group(0), text)
    return _SHORTCODE.sub(r"\\:\1\\:", escaped)


def plain(text: str) -> str:
    """Escape markdown so the text shows literally in a title, caption, markdown block or help text."""
    escaped = _HTML_OPEN.sub(r"\\<", _inline(text))
    escaped = _NUMBERED_ITEM.sub(r"\1\\\2", escaped)  # "1. " would start a list
    return _BLOCK_START.sub(r"\1\\\2", escaped)


def label_text(text: str) -> str:
    """Escape markdown for a widget label, which is one line: fewer escapes, so a cleaner accessible name."""
    one_line = " ".join(str(text).split())
    return _DASH_LINE.sub(r"\1\\-", _inline(one_line, whole=True))


def literal(text: str) -> str:
    """For places that never read markdown (placeholders, select and multiselect options): as typed."""
    return _CONTROL.sub("", str(text))
