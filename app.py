"""Formwork's entry point: settings, sign-in, and the pages each role may see. Nothing else.

This is the only module that wires storage into the core (DESIGN.md §4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, cast

import streamlit as st
from sqlalchemy import Engine

from builder.ports import Actor
from builder.usecases.accounts import actor_for, needs_setup
from builder.usecases.limits import client_key
from storage.bootstrap import InsecureConfiguration, cookie_secret, open_database
from storage.settings import InvalidSetting, Settings, load_settings
from storage.uow import SqlUnitOfWork
from ui.context import Services, install, set_actor
from ui.i18n import LANGUAGES, SESSION_KEY, _
from ui.nav import page

if TYPE_CHECKING:
    import streamlit_authenticator as stauth

st.set_page_config(page_title="Formwork", page_icon=":material/assignment:")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    # Shared by every session: the engine and its pool only, never personal data.
    return open_database(url)


@st.cache_resource(show_spinner=False)
def _retention(url: str) -> object:
    # One purge thread per process, started once (storage/retention.py; FORMWORK_RETENTION_PURGE_HOURS).
    from storage import retention

    return retention.start_scheduler(_engine(url))


@st.cache_resource(show_spinner=False)
def _mail(url: str, _settings: Settings) -> object:
    # One mail thread per process (storage/outbox.py; FORMWORK_MAIL_WORKER_SECONDS, 0 = off).
    from storage import outbox

    return outbox.start_in_app(_engine(url), _settings)


@st.cache_resource(show_spinner=False)
def _figures(url: str, _settings: Settings) -> object:
    # One thread per process that folds new audit events into the dashboard's facts
    # (storage/figures.py; FORMWORK_FIGURES_REFRESH_SECONDS, 0 = off).
    from storage import figures

    return figures.start_in_app(_engine(url), _settings.holidays)


def _start_workers(settings: Settings) -> None:
    """The purge, mail and figures threads, once per process. Started after the page has run: their
    imports (the insights use cases) are not needed to show the first page, and none of them has work
    that cannot wait a few seconds."""
    _retention(settings.database_url)
    _mail(settings.database_url, settings)
    _figures(settings.database_url, settings)


def _forget_erased(engine: Engine) -> None:
    from storage import retention

    retention.forget_erased(engine)


def _services(settings: Settings, engine: Engine) -> Services:
    return Services(uow_factory=lambda: SqlUnitOfWork(engine), holidays=settings.holidays,
                    demo_mode=settings.demo_mode, public_url=settings.public_url,
                    forget_erased=lambda: _forget_erased(engine))


def _interface_language() -> None:
    """Settle the session's language before anything is translated, navigation titles included.

    A choice just made in the language selector wins; otherwise a link's ``lang`` (the tracking link
    of a receipt, say) wins over an earlier choice of this session. Without this the navigation
    would lag one click behind the page.
    """
    picked = st.session_state.get("language_selector")
    remembered = st.session_state.get(SESSION_KEY)
    linked = st.query_params.get("lang")
    if picked in LANGUAGES and picked != remembered:
        st.session_state[SESSION_KEY] = picked
    elif linked in LANGUAGES and linked != remembered:
        st.session_state[SESSION_KEY] = linked
        st.session_state.pop("language_selector", None)  # the selector starts again from the link's language


def _pages(actor: Actor, first_run: bool) -> dict[str, list[st.Page]]:
    if first_run:
        return {"": [st.Page(page("setup"), title=_("Set up Formwork"), icon=":material/settings:", default=True)]}
    residents, review, design, records, account_section = (_("Residents"), _("Review"), _("Design"), _("Records"),
                                                           _("Account"))
    sections: dict[str, list[st.Page]] = {residents: [
        st.Page(page("catalogue"), title=_("Forms"), icon=":material/list_alt:", default=True),
        st.Page(page("form"), title=_("Fill in a form"), icon=":material/edit_note:", visibility="hidden"),
        st.Page(page("track"), title=_("Follow a request"), icon=":material/search:"),
    ]}
    if actor.is_signed_in:
        sections[residents].append(st.Page(page("my_requests"), title=_("My requests"), icon=":material/inbox:"))
    if actor.reviewer_groups:
        sections[review] = [
            st.Page(page("inbox"), title=_("Inbox"), icon=":material/move_to_inbox:"),
            st.Page(page("case"), title=_("Request"), icon=":material/description:", visibility="hidden"),
        ]
    if actor.is_admin or actor.designer_departments:
        sections[design] = [st.Page(page("forms"), title=_("Design forms"), icon=":material/design_services:")]
        sections[design].append(st.Page(page("dashboard"), title=_("Dashboard"), icon=":material/monitoring:"))
        sections[design].append(st.Page(page("editor"), title=_("Form builder"), icon=":material/edit_square:",
                                          visibility="hidden"))
    # After set-up the page stays reachable (hidden) so the first administrator is led to sign in.
    sections[residents].append(st.Page(page("setup"), title=_("Set up Formwork"), visibility="hidden"))
    account = [st.Page(page("account"), title=_("Your account") if actor.is_signed_in else _("Sign in"),
                       icon=":material/account_circle:" if actor.is_signed_in else ":material/login:")]
    if actor.is_admin:
        account.insert(0, st.Page(page("admin"), title=_("Users and groups"), icon=":material/manage_accounts:"))
    if actor.is_admin:
        sections[records] = [st.Page(page("data_protection"), title=_("Data-protection requests"),
                                       icon=":material/shield_person:")]
    sections[account_section] = account
    return sections


def main() -> None:
    settings, secret = _safe_settings()  # first: nothing opens the database or starts a thread before it
    engine = _engine(settings.database_url)
    services = _services(settings, engine)
    install(services)
    first_run = needs_setup(services.uow())
    # Before the first account exists nobody can be signed in, and the only page is the set-up page:
    # the login cookie (and streamlit-authenticator's component) is first needed after set-up.
    actor = Actor() if first_run else _signed_in_actor(settings, secret, services)
    set_actor(actor)
    _interface_language()
    current = st.navigation(_pages(actor, first_run))
    # Chosen before the page runs, so a rerun never flickers between widths: the builder needs the
    # whole width for its editor and live preview side by side; every other page reads best centred.
    st.set_page_config(layout="wide" if current.url_path == "editor" else "centered")
    try:
        current.run()
    finally:  # also when the page stops or reruns
        _start_workers(settings)


def _safe_settings() -> tuple[Settings, str]:
    """The settings and the cookie key, or a refusal: with an unsafe configuration the page says why
    and stops before any database is opened, migrated or thread started (issue 6)."""
    try:
        settings = load_settings()
        secret = st.secrets.get("FORMWORK_SECRET_KEY", "") if _has_secrets() else ""
        if secret:
            settings = Settings(**{**settings.__dict__, "secret_key": str(secret)})
        return settings, cookie_secret(settings)
    except (InsecureConfiguration, InvalidSetting) as exc:  # shown to the operator who just started the app
        # An empty, hidden navigation: without any st.navigation call Streamlit would list pages/ itself.
        st.navigation([st.Page(_refused, title="Formwork")], position="hidden")
        st.error(_("Formwork cannot start safely: {reason}").format(reason=exc))
        st.stop()


def _refused() -> None:
    """The only page while the configuration is unsafe: the refusal is shown by ``_safe_settings``."""


def _signed_in_actor(settings: Settings, secret: str, services: Services) -> Actor:
    from ui import signin  # streamlit-authenticator: needed from the first account on

    auth = cast("stauth.Authenticate", _OnFirstUse(lambda: signin.authenticator(secret)))
    username = signin.current_username(auth, services.uow, staff_idle=timedelta(minutes=settings.staff_idle_minutes),
                                       secure=settings.public_url.startswith("https://"))
    return actor_for(username, services.uow(), client_key=client_key(signin.client_address(), secret))


class _OnFirstUse:
    """streamlit-authenticator's ``Authenticate``, built when sign-in first touches it on this run.

    Building it draws its cookie component, whose arguments make Streamlit import pandas, numpy and
    pyarrow (``is_dataframe_like``) -- a third of a second on the first page. Sign-in touches it only
    to check a login cookie the browser sent or to write a cookie change; a visitor with neither
    (every resident's first page) does not need it.
    """

    def __init__(self, build: Callable[[], object]) -> None:
        self._build = build
        self._built: object | None = None

    def __getattr__(self, name: str) -> object:
        if self._built is None:
            self._built = self._build()
        return getattr(self._built, name)


def _has_secrets() -> bool:
    try:
        return "FORMWORK_SECRET_KEY" in st.secrets
    except Exception:  # no secrets.toml: settings come from the environment
        return False


main()
