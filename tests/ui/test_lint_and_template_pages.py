"""Designers: every template whatever the department names, lint findings in the designer's language,
publishing checks shown while editing, and each publishing problem on its own line (issues 4 and 9)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from builder import editing as ed
from builder.templates import load_templates
from builder.usecases import forms
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER
from tests.ui.conftest import open_page, sign_in, texts

SLUG = "street-party-permit"
K = f"editor:{SLUG}"




def edit_draft(engine: Engine, change: Callable[[dict], dict]) -> None:
    current = forms.open_draft(SLUG, DESIGNER, SqlUnitOfWork(engine))
    forms.save_draft(SLUG, change(current.document), current.revision, DESIGNER, SqlUnitOfWork(engine))


def choice_without_options(document: dict) -> dict:
    document, name = ed.add_field(document, "one_choice", "Kind of food")
    return ed.put_field(document, replace(ed.read_field(document, name), options=()))


def check_and_publish(app: AppTest) -> AppTest:
    app.session_state[f"{K}:section"] = "Check and publish"
    return app.run()


def test_every_template_is_offered_and_the_new_form_goes_to_the_chosen_department(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = open_page(sign_in(new_app(), "designer"), "forms")  # departments: events, public-works
    assert "No templates" not in texts(app)
    picker = app.selectbox(key="tpl_choice")
    assert len(picker.options) == len(load_templates())  # the business licence too, though no "business" here
    picker.set_value(next(t for t in load_templates() if t.slug == "business-licence")).run()
    department = app.selectbox(key="tpl_department:business-licence")
    assert department.options == ["events", "public-works"]
    department.set_value("events").run()
    app.button(key="template_create").click().run()
    created = forms.open_draft("business-licence", DESIGNER, SqlUnitOfWork(street_party))
    assert created.document["department"] == "events"
    assert created.document["title"] == template("business-licence")["title"]


def test_a_french_designer_reads_the_lint_in_french(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    edit_draft(street_party, choice_without_options)
    app = open_page(sign_in(new_app(), "designer"), "editor", form=SLUG)
    app = check_and_publish(app)
    app.selectbox(key="language_selector").set_value("fr").run()
    assert "« Kind of food » est un choix sans aucune option." in [e.value for e in app.error]
    assert "is a choice with no options" not in texts(app)
    publish = app.button(key=f"{K}:publish")
    assert publish.disabled and "Corrigez" in (publish.help or "")


def test_a_publishing_limit_is_shown_while_editing_and_links_to_its_field(
        new_app: Callable[[], AppTest], street_party: Engine) -> None:
    def too_long(document: dict) -> dict:
        document["schema"]["properties"]["organiser"]["maxLength"] = 5_000_000
        return document

    edit_draft(street_party, too_long)
    app = check_and_publish(open_page(sign_in(new_app(), "designer"), "editor", form=SLUG))
    shown = [e.value for e in app.error]
    assert "“Organiser's full name”: A maximum length over 100,000 characters is not allowed." in shown
    assert app.button(key=f"{K}:publish").disabled
    index = shown.index("“Organiser's full name”: A maximum length over 100,000 characters is not allowed.")
    app.button(key=f"{K}:goto:{index}").click().run()
    assert app.session_state[f"{K}:section"] == "Fields"
    assert "Editing this short text field (stored as “organiser”)" in texts(app)


def test_publishing_refusals_are_listed_one_per_line(new_app: Callable[[], AppTest], street_party: Engine) -> None:
    app = check_and_publish(open_page(sign_in(new_app(), "designer"), "editor", form=SLUG))
    assert not app.button(key=f"{K}:publish").disabled
    # Meanwhile the stored draft gets two errors (another designer, another tab): publishing refuses both.
    edit_draft(street_party, lambda document: ed.update_step(choice_without_options(document), 0, group="Nobody"))
    app.button(key=f"{K}:publish").click().run()
    refusal = next(e.value for e in app.error if e.value.startswith("The form cannot be published yet:"))
    lines = [line for line in refusal.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert "“Kind of food” is a choice with no options to choose from." in refusal
    assert "there is no group called “Nobody”" in refusal
    assert forms.versions_of(SLUG, DESIGNER, SqlUnitOfWork(street_party)) == []
