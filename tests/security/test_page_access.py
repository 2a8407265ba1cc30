"""Every page × every role, through AppTest.

Two layers, both required: the navigation of app.py lists only the pages a role may open, and each
page refuses on its own (tested through an entry that registers every page for everyone). A refused
page shows one sentence and nothing of the data, and the attempt lands in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from builder.ports import ANONYMOUS
from builder.usecases import admin, forms, requests
from storage.models import AuditRecord
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import ADMIN, DESIGNER, RESIDENT, seed_organisation
from tests.ui.conftest import open_page, sign_in, texts
from ui.nav import PAGES, page

ENTRY = str(Path(__file__).parent / "entry" / "all_pages.py")
USERS = ["admin", "designer", "roads", "events", "resident", None]
SIGNED_IN = {"admin", "designer", "roads", "events", "resident"}
# Who may open each page. A new page must be added here, with the roles it admits.
PAGE_ROLES: dict[str, set[str | None]] = {
    "catalogue": {*SIGNED_IN, None}, "form": {*SIGNED_IN, None}, "track": {*SIGNED_IN, None},
    "account": {*SIGNED_IN, None}, "setup": {*SIGNED_IN, None},
    "my_requests": SIGNED_IN,
    "inbox": {"roads", "events"}, "case": {"roads", "events"},
    "forms": {"admin", "designer"}, "dashboard": {"admin", "designer"}, "editor": {"admin", "designer"},
    "admin": {"admin"}, "data_protection": {"admin"},
}
# Hidden pages reached by links, still registered for the roles that may open them.
NAVIGATION_ROLES = {**PAGE_ROLES, "inbox": {"roads", "events"}, "case": {"roads", "events"}}


@pytest.fixture
def world(app_database: Engine) -> dict[str, str]:
    uow = seed_organisation(app_database)
    forms.create_form(template("report-pothole"), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    mine = requests.submit("report-pothole", {"location": "Secret Lane 7", "size": "medium"}, RESIDENT, uow,
                           idempotency_key="a")
    anonymous = requests.submit("report-pothole", {"location": "Hidden Road 3", "size": "small"}, ANONYMOUS, uow,
                                idempotency_key="b")
    return {"mine": mine.reference, "anonymous": anonymous.reference}


def test_every_page_is_in_the_access_table() -> None:
    assert sorted(p.stem for p in PAGES.glob("*.py")) == sorted(PAGE_ROLES), (
        "Add the new page to PAGE_ROLES with the roles that may open it (and make the page call ui.access.require).")


def _as(username: str | None) -> AppTest:
    app = AppTest.from_file(ENTRY, default_timeout=30)
    app.session_state["test_username"] = username
    return app.run()


def _denied_pages(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [row.comment for row in session.exec(select(AuditRecord).where(AuditRecord.action == "denied"))]


@pytest.mark.parametrize("username", USERS, ids=[u or "anonymous" for u in USERS])
def test_each_page_refuses_on_its_own_and_shows_no_data(username: str | None, world: dict[str, str],
                                                         app_database: Engine) -> None:
    app = _as(username)
    for name, admitted in PAGE_ROLES.items():
        app.query_params["ref"] = world["mine"]
        app.switch_page(str(page(name))).run()
        shown = texts(app)
        assert not app.exception, f"{name} as {username}: {app.exception}"
        if username in admitted:
            continue
        assert app.warning, f"{name} as {username}: no refusal shown"
        assert not app.dataframe and not app.text_input and not app.button, f"{name} as {username} shows content"
        assert world["mine"] not in shown and "Secret Lane" not in shown
        assert f"page {name}" in _denied_pages(app_database)


def test_a_reviewer_of_another_group_sees_nothing_of_a_request(world: dict[str, str], app_database: Engine) -> None:
    app = _as("events")
    app.query_params["ref"] = world["mine"]
    app.switch_page(str(page("case"))).run()
    assert "no request with this reference in your groups" in texts(app)
    assert not app.dataframe and "Secret Lane" not in texts(app)
    assert any(world["mine"] in comment for comment in _denied_pages(app_database))


def test_navigation_lists_only_the_pages_a_role_may_open(new_app: Callable[[], AppTest], world: dict[str, str]) -> None:
    for username in USERS:
        app = new_app() if username is None else sign_in(new_app(), username)
        registered = set()
        for name in PAGE_ROLES:
            try:
                app.switch_page(str(page(name))).run()
            except ValueError:  # "Could not find a navigation page": not in this role's navigation
                continue
            registered.add(name)
        expected = {name for name, admitted in NAVIGATION_ROLES.items() if username in admitted}
        assert registered == expected, username


def test_a_role_change_or_disabled_account_acts_on_the_next_click(
        new_app: Callable[[], AppTest], world: dict[str, str], app_database: Engine) -> None:
    uow = SqlUnitOfWork(app_database)
    app = sign_in(new_app(), "roads")
    app.switch_page(str(page("inbox"))).run()
    assert world["anonymous"] in app.dataframe[0].value["Reference"].tolist()
    admin.set_roles(ADMIN, "roads", uow, designer_departments=frozenset(), reviewer_groups=frozenset())
    app.run()  # the next click: roles are read again, the inbox is gone from the navigation and the page
    assert not app.dataframe and world["anonymous"] not in texts(app)
    app.switch_page(str(page("my_requests"))).run()
    assert app.title[0].value == "My requests"  # still signed in, as a resident
    admin.update_user(ADMIN, "roads", uow, display_name="Robin Roads", email="", is_admin=False, is_active=False)
    app.run()
    assert app.title[0].value != "My requests" and "Sign in to see your requests." not in texts(app) or app.warning
    with pytest.raises(ValueError):  # signed out: "My requests" is no longer in the navigation
        app.switch_page(str(page("my_requests"))).run()


def test_guessing_on_the_tracking_page_is_audited_and_slowed_down(
        new_app: Callable[[], AppTest], world: dict[str, str], app_database: Engine) -> None:
    app = open_page(new_app(), "track")
    for attempt in range(31):
        app.text_input[0].input(world["mine"])
        app.text_input[1].input(f"GUESS-{attempt:04d}")
        app = app.button[0].click().run()
        if attempt < 30:
            assert "No request matches this reference and access code" in texts(app)
    assert "Too many look-ups from your connection" in texts(app)
    assert "Secret Lane" not in texts(app) and not app.dataframe
    assert sum(world["mine"] in comment for comment in _denied_pages(app_database)) == 30
