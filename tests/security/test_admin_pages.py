"""The administration and account pages, as an administrator and a colleague would use them (AppTest)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from storage.models import AuthSession
from tests.helpers import seed_organisation
from tests.ui.conftest import open_page, sign_in, texts


def _widget(elements, label: str):  # noqa: ANN001, ANN202 - an AppTest element list and element
    return next(e for e in elements if e.label.startswith(label))


def _click(app: AppTest, label: str) -> AppTest:
    return _widget(app.button, label).click().run()


def test_an_administrator_adds_a_department_group_and_colleague_who_can_then_review(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "admin"), "admin")
    _widget(app.text_input, "Short name").input("parks")
    _widget(app.text_input, "Name").input("Parks and gardens")
    app = _click(app, "Add department")
    assert "Added the department parks." in texts(app)
    _widget(app.text_input, "Group name").input("Tree surgeons")
    _widget(app.selectbox, "Department").set_value("parks")
    app = _click(app, "Add group")
    assert "Added the group Tree surgeons." in texts(app)

    _widget(app.text_input, "Username").input("bad name!")
    _widget(app.text_input, "Full name").input("Terry Trees")
    app = _click(app, "Add user")
    assert "Use letters, digits, dots, dashes or underscores" in texts(app)
    _widget(app.text_input, "Username").input("terry")
    app = _click(app, "Add user")
    handed_over = app.code[0].value  # a generated passphrase, shown once
    assert "Added terry." in texts(app) and len(handed_over) >= 20
    app.run()
    assert not app.code  # gone on the next click

    _widget(app.selectbox, "User").set_value("terry").run()
    _widget(app.multiselect, "Member of").set_value(["Tree surgeons"])
    app = _click(app, "Save changes")
    assert "Saved the changes to terry." in texts(app)

    colleague = open_page(sign_in(new_app(), "terry", handed_over), "inbox")
    assert colleague.title[0].value == "Inbox" and "Tree surgeons" in texts(colleague)


def test_weak_passwords_and_self_lockout_are_refused_with_clear_messages(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "admin"), "admin")
    _widget(app.text_input, "Username").input("newbie")
    _widget(app.text_input, "Full name").input("New Bie")
    _widget(app.text_input, "First password").input("password1")
    app = _click(app, "Add user")
    assert "one of the most common ones" in texts(app)
    _widget(app.selectbox, "User").set_value("admin").run()
    _widget(app.checkbox, "Can sign in").uncheck()
    app = _click(app, "Save changes")
    assert "You cannot disable your own account" in texts(app)


def test_a_reset_password_replaces_the_old_one_and_signs_the_person_out(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    colleague = open_page(sign_in(new_app(), "roads"), "inbox")
    app = open_page(sign_in(new_app(), "admin"), "admin")
    _widget(app.selectbox, "User").set_value("roads").run()
    app = _click(app, "Reset password")
    new_password = app.code[0].value
    assert "The password of roads was reset." in texts(app)
    colleague.run()  # their next click: signed out
    assert colleague.title[0].value != "Inbox"
    refused = sign_in(new_app(), "roads")
    assert "The username or password is not right" in texts(refused)
    assert open_page(sign_in(new_app(), "roads", new_password), "inbox").title[0].value == "Inbox"


def test_changing_ones_own_password_on_the_account_page(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "resident"), "account")
    _widget(app.text_input, "Current password").input("not my password")
    _widget(app.text_input, "New password").input("a fresh set of words")
    app = _click(app, "Change password")
    assert "This is not your current password." in texts(app)
    _widget(app.text_input, "Current password").input("resident-test-passphrase")
    _widget(app.text_input, "New password").input("a fresh set of words")
    app = _click(app, "Change password")
    assert "Your password was changed." in texts(app)
    assert "Riley Resident" in texts(open_page(sign_in(new_app(), "resident", "a fresh set of words"), "account"))


def test_an_idle_staff_session_ends_with_a_notice(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "roads"), "inbox")
    with Session(app_database) as session:
        session.exec(update(AuthSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
        session.commit()
    app.run()
    assert app.title[0].value != "Inbox"
    app = open_page(app, "account")
    assert "You were signed out after 30 minutes without activity." in texts(app)
    assert app.title[0].value == "Sign in"


def test_signing_out_ends_the_session(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "roads"), "account")
    app = _click(app, "Sign out")
    assert app.title[0].value != "Your account"
    assert open_page(app, "account").title[0].value == "Sign in"


def test_a_wrong_current_password_is_said_in_french_on_the_french_account_page(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = open_page(sign_in(new_app(), "resident"), "account", lang="fr")
    _widget(app.text_input, "Mot de passe actuel").input("not my password")
    _widget(app.text_input, "Nouveau mot de passe").input("a fresh set of words")
    app = _click(app, "Changer le mot de passe")
    assert "Ce n'est pas votre mot de passe actuel." in texts(app)
    assert "This is not your current password." not in texts(app)
