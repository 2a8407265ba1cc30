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
    """Send a run that bypassed app.py back through it, to the page it was asked for.

    A freshly started server treats `pages/` as a legacy multipage folder until some session has
    called `st.navigation`: its first deep link (a tracking link from a mail, a case a reviewer
    bookmarked) runs the page file alone, without sign-in, roles or the navigation of app.py.
    Such a run ends the legacy mode -- as app.py's `st.navigation` would on its first run -- and
    runs again: now app.py runs, and its navigation picks the same page, since a legacy page and an
    `st.Page` of the same file share the URL path that names them (`calc_hash(url_path)`). The
    query string goes along with the rerun. `st.switch_page(ENTRY)` would open the default page
    instead, without the query string.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
