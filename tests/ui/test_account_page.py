"""A resident creates their own account on the sign-in page (AppTest): signed in at once, with
"My requests"; each problem is shown at its field and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from builder.usecases import forms
from storage.models import User
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation
from tests.ui.conftest import open_page, texts
from tests.ui.test_foundation_pages import fill_pothole

PASSPHRASE = "lantern harbour cedar walk"


@pytest.fixture
def signed_in_only_form(app_database: Engine) -> Engine:
    uow = seed_organisation(app_database)
    document = template("report-pothole")
    document["settings"]["submission"] = "signed_in"
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    return app_database


def register(app: AppTest, *, name: str = "Riley Newcomer", email: str = "riley@example.org",
             username: str = "Riley.N", password: str = PASSPHRASE, again: str | None = None) -> AppTest:
    open_page(app, "account")
    for key, value in (("register_name", name), ("register_email", email), ("register_username", username),
                       ("register_password", password), ("register_confirmation", password if again is None else again)):
        app.text_input(key=key).input(value)
    return next(b for b in app.button if b.label == "Create account").click().run()


def _in_order(node: Any) -> Iterator[Any]:
    for child in getattr(node, "children", {}).values():
        if getattr(child, "children", None):
            yield from _in_order(child)
        else:
            yield child


def error_under(app: AppTest, label: str) -> str | None:
    """The error shown right under the field with this label, if any."""
    elements = list(_in_order(app.main))
    for here, following in zip(elements, elements[1:]):
        if here.type == "text_input" and here.label == label:
            return following.value if following.type == "error" else None
    raise AssertionError(f"no field {label!r}")


def usernames(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(User.username)).all())


def test_a_resident_registers_from_a_signed_in_only_form_and_finds_the_request_afterwards(
        new_app: Callable[[], AppTest], signed_in_only_form: Engine) -> None:
    app = new_app()
    open_page(app, "form", form="report-pothole")
    assert "Please sign in to submit this form." in texts(app)
    register(app)
    assert app.title[0].value == "Your account"
    assert "You are signed in as Riley Newcomer (riley.n)." in texts(app)
    assert "Your account was created and you are signed in." in texts(app)
    assert [link.label for link in app.get("page_link")] == ["My requests"]

    fill_pothole(app)
    assert "Your request has been submitted." in texts(app)
    reference = str(app.metric[0].value)
    open_page(app, "my_requests")
    assert app.title[0].value == "My requests"
    assert list(app.dataframe[0].value["Reference"]) == [reference]
    assert "riley.n" in usernames(signed_in_only_form)


@pytest.mark.parametrize(("fields", "label", "message"), [
    ({"password": "password2026!"}, "Choose a password",
     "This password is one of the most common ones. Choose something less predictable."),
    ({"password": "short"}, "Choose a password",
     "Use at least 8 characters. A few unrelated words make a strong passphrase."),
    ({"again": "lantern harbour cedar wall"}, "Type the password again",
     "The two passwords are not the same. Type the same password twice."),
    ({"username": "roads"}, "Choose a username", "This username is taken. Choose another one."),
    ({"username": "riley@example.org"}, "Choose a username",
     "A username cannot contain “@”. Choose a short name; your email address has its own field."),
    ({"name": ""}, "Your name", "Enter your name (at most 200 characters)."),
])
def test_each_problem_is_shown_at_its_field_and_nothing_is_saved(
        new_app: Callable[[], AppTest], signed_in_only_form: Engine, fields: dict[str, str], label: str,
        message: str) -> None:
    before = usernames(signed_in_only_form)
    app = register(new_app(), **fields)
    assert app.title[0].value == "Sign in"  # still signed out
    assert error_under(app, label) == message
    assert [e.value for e in app.error] == [message]  # only there, no password hint anywhere else
    assert usernames(signed_in_only_form) == before
    assert app.text_input(key="register_name").value == fields.get("name", "Riley Newcomer")  # kept to correct
    password_refused = label in ("Choose a password", "Type the password again")
    assert (app.text_input(key="register_password").value == "") is password_refused  # typed afresh


def test_after_correcting_a_problem_the_account_is_created(
        new_app: Callable[[], AppTest], signed_in_only_form: Engine) -> None:
    app = register(new_app(), username="roads")
    app.text_input(key="register_username").input("riley-n")
    next(b for b in app.button if b.label == "Create account").click().run()
    assert app.title[0].value == "Your account"
    assert "riley-n" in usernames(signed_in_only_form)
