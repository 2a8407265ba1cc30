"""Formwork's entry point: settings, sign-in, and the pages each role may see. Nothing else.

This is the only module that wires storage into the core (DESIGN.md §4).
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from builder.ports import Actor
from builder.usecases.accounts import actor_for, needs_setup
from storage.bootstrap import authenticator_credentials, cookie_secret, open_database
from storage.settings import Settings, load_settings
from storage.uow import SqlUnitOfWork
from ui import signin
from ui.context import Services, install, set_actor
from ui.nav import page

st.set_page_config(page_title="Formwork", page_icon=":material/assignment:", layout="centered")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    # Shared by every session: the engine and its pool only, never personal data.
    return open_database(url)


def _services(settings: Settings, engine: Engine) -> Services:
    return Services(uow_factory=lambda: SqlUnitOfWork(engine), holidays=settings.holidays,
                    demo_mode=settings.demo_mode, public_url=settings.public_url)


def _pages(actor: Actor, first_run: bool) -> dict[str, list[st.Page]]:
    if first_run:
        return {"": [st.Page(page("setup"), title="Set up Formwork", icon=":material/settings:", default=True)]}
    sections: dict[str, list[st.Page]] = {"Residents": [
        st.Page(page("catalogue"), title="Forms", icon=":material/list_alt:", default=True),
        st.Page(page("form"), title="Fill in a form", icon=":material/edit_note:", visibility="hidden"),
        st.Page(page("track"), title="Follow a request", icon=":material/search:"),
    ]}
    if actor.is_signed_in:
        sections["Residents"].append(st.Page(page("my_requests"), title="My requests", icon=":material/inbox:"))
    if actor.reviewer_groups:
        sections["Review"] = [
            st.Page(page("inbox"), title="Inbox", icon=":material/move_to_inbox:"),
            st.Page(page("case"), title="Request", icon=":material/description:", visibility="hidden"),
        ]
    if actor.is_admin or actor.designer_departments:
        sections["Design"] = [st.Page(page("forms"), title="Design forms", icon=":material/design_services:")]
    # After set-up the page stays reachable (hidden) so the first administrator is led to sign in.
    sections["Residents"].append(st.Page(page("setup"), title="Set up Formwork", visibility="hidden"))
    account = [st.Page(page("account"), title="Sign out" if actor.is_signed_in else "Sign in",
                       icon=":material/logout:" if actor.is_signed_in else ":material/login:")]
    sections["Account"] = account
    return sections


def main() -> None:
    settings = load_settings()
    engine = _engine(settings.database_url)
    services = _services(settings, engine)
    install(services)
    secret = st.secrets.get("FORMWORK_SECRET_KEY", "") if _has_secrets() else ""
    if secret:
        settings = Settings(**{**settings.__dict__, "secret_key": str(secret)})
    auth = signin.authenticator(authenticator_credentials(engine), cookie_secret(settings))
    st.session_state["formwork_auth"] = auth
    username = signin.restore(auth)
    actor = actor_for(username, services.uow())
    set_actor(actor)
    st.navigation(_pages(actor, needs_setup(services.uow()))).run()


def _has_secrets() -> bool:
    try:
        return "FORMWORK_SECRET_KEY" in st.secrets
    except Exception:  # no secrets.toml: settings come from the environment
        return False


main()
