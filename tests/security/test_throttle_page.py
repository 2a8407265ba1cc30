"""The sign-in throttle as a person meets it on the sign-in page (AppTest): after five wrong passwords
the page says to wait, even for the right password, in the reader's language, and says the same for a
username nobody has."""

from __future__ import annotations

import gettext
from collections.abc import Callable

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.helpers import seed_organisation
from tests.ui.conftest import sign_in
from ui.nav import page

WRONG = "The username or password is not right. Check both and try again."
WAIT = "Too many failed attempts for this username. Wait a few minutes, then try again."


def _errors(app: AppTest) -> list[str]:
    return [e.value for e in app.error]


def test_after_five_wrong_passwords_the_page_says_to_wait_even_for_the_right_one(
        new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = new_app()
    for attempt in range(5):
        assert _errors(sign_in(app, "roads", f"wrong guess number {attempt}")) == [WRONG]
    app = sign_in(app, "roads")  # the right password, during the cooldown
    assert _errors(app) == [WAIT]
    assert not any(b.label == "Sign out" for b in app.button)  # not signed in
    # A username nobody has is throttled and answered the same way.
    for attempt in range(5):
        assert _errors(sign_in(app, "nobody-here", f"wrong guess number {attempt}")) == [WRONG]
    assert _errors(sign_in(app, "nobody-here", "any words at all")) == [WAIT]
    # Another username is not affected.
    app = sign_in(app, "events")
    assert _errors(app) == [] and any(b.label == "Sign out" for b in app.button)


def test_the_wait_message_is_in_the_readers_language(new_app: Callable[[], AppTest], app_database: Engine) -> None:
    seed_organisation(app_database)
    app = new_app()
    app.query_params["lang"] = "fr"
    app.switch_page(str(page("account"))).run()
    for attempt in range(6):
        app.text_input[0].input("roads")
        app.text_input[1].input(f"mauvais mot de passe {attempt}")
        app = next(b for b in app.button if b.label == "Se connecter").click().run()
    assert _errors(app) == [gettext.translation("formwork", "locale", ["fr"]).gettext(WAIT)]
    assert _errors(app) != [WAIT]
