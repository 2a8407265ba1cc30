"""AppTest entry: runs the real app.py from a folder without a `pages/` sibling.

AppTest builds a fresh PagesManager for every run; next to a `pages/` folder it then re-runs only
the page script, skipping app.py (sign-in, roles, navigation). From here app.py runs every time,
as it does under `streamlit run`.
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[3] / "app.py"), run_name="__main__")
