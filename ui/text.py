"""Showing words that people wrote, safely.

Widget labels, help texts and captions in Streamlit interpret markdown. Labels written by staff and
anything written by residents must appear exactly as typed, so markdown syntax is escaped here and
resident text is shown with ``st.text`` / ``st.code`` / dataframes only.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(text: str) -> str:
    """Escape markdown so the text shows literally in a label, help or caption."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub("", str(text)))
