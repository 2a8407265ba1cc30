"""Where the pages are, as absolute paths.

Page references are absolute so the app behaves the same whichever script starts it: `streamlit
run app.py`, or the AppTest entry in tests/ui/entry/ (AppTest re-runs only the page script when
the main script sits next to a `pages/` folder, which would skip app.py's sign-in and roles).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "pages"
ENTRY = ROOT / "app.py"


def page(name: str) -> Path:
    """The file of a page, e.g. ``page("case")``."""
    path = PAGES / f"{name}.py"
    if not path.is_file():
        raise ValueError(f"There is no page called {name!r}.")
    return path


def ensure_entry_point() -> None:
    """Send a run that bypassed app.py back through it.

    A freshly started server treats `pages/` as a legacy multipage folder until some session has
    called `st.navigation`: a deep link then runs the page file alone, without sign-in, roles or the
    navigation of app.py. Such a run goes back to the entry point, which decides what to show.
    """
    if PagesManager.uses_pages_directory:
        st.switch_page(ENTRY)
