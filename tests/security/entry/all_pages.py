"""AppTest entry for the page guards: EVERY page registered for EVERY role.

The real navigation (app.py) hides pages a role may not see; this entry deliberately does not, so
the tests prove that each page refuses on its own — as it must when a deep link reaches it before
the navigation exists. The acting user comes from ``st.session_state["test_username"]``.
"""

import streamlit as st
from sqlalchemy import Engine

from builder.usecases.accounts import actor_for
from storage.engine import make_engine
from storage.settings import load_settings
from storage.uow import SqlUnitOfWork
from ui.context import Services, install, set_actor
from ui.nav import PAGES, page


@st.cache_resource
def _engine(url: str) -> Engine:
    return make_engine(url)


engine = _engine(load_settings().database_url)
install(Services(uow_factory=lambda: SqlUnitOfWork(engine)))
set_actor(actor_for(st.session_state.get("test_username"), SqlUnitOfWork(engine)))
names = sorted(path.stem for path in PAGES.glob("*.py"))
st.navigation([st.Page(page(name), title=name, default=name == "catalogue") for name in names]).run()
