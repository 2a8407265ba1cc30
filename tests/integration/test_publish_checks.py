"""Publishing refuses what the builder's lint calls an error, whoever calls the use case (not only the
page's disabled button); translation gaps are warnings and never stop a publication."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine

from builder import editing as ed
from builder.errors import DefinitionInvalid
from builder.translations import add_language, localise
from builder.usecases import forms
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, seed_organisation

SLUG = "street-party-permit"


@pytest.fixture
def street_party(engine: Engine) -> SqlUnitOfWork:
    uow = seed_organisation(engine)
    forms.create_form(template(SLUG), DESIGNER, uow)
    return uow


def edit(uow: SqlUnitOfWork, change) -> None:  # noqa: ANN001 - a document -> document function
    draft = forms.open_draft(SLUG, DESIGNER, uow)
    forms.save_draft(SLUG, change(draft.document), draft.revision, DESIGNER, uow)


def test_a_choice_without_options_is_refused_by_the_use_case(street_party: SqlUnitOfWork) -> None:
    def empty_choice(document: dict) -> dict:
        document, name = ed.add_field(document, "one_choice", "Kind of food")
        return ed.put_field(document, replace(ed.read_field(document, name), options=()))

    edit(street_party, empty_choice)
    with pytest.raises(DefinitionInvalid) as refused:
        forms.publish(SLUG, DESIGNER, street_party)
    assert [(e.path, e.message) for e in refused.value.errors] == [
        (("schema", "properties", "kind_of_food"), "“Kind of food” is a choice with no options to choose from.")]
    assert forms.versions_of(SLUG, DESIGNER, street_party) == []


def test_a_step_given_to_a_group_without_members_is_refused(street_party: SqlUnitOfWork) -> None:
    edit(street_party, lambda document: ed.update_step(document, 0, group="Empty group"))
    with pytest.raises(DefinitionInvalid, match="has no members, so nobody could decide"):
        forms.publish(SLUG, DESIGNER, street_party)


def test_a_missing_group_is_reported_once(street_party: SqlUnitOfWork) -> None:
    edit(street_party, lambda document: ed.update_step(document, 0, group="Nobody"))
    with pytest.raises(DefinitionInvalid) as refused:
        forms.publish(SLUG, DESIGNER, street_party)
    assert [e.path for e in refused.value.errors] == [("workflow", "steps", 0, "group")]


def test_a_form_with_missing_translations_still_publishes_and_falls_back(street_party: SqlUnitOfWork) -> None:
    edit(street_party, lambda document: add_language(document, "fr"))
    assert forms.publish(SLUG, DESIGNER, street_party) == 1
    live = forms.published_form(SLUG, street_party).definition.to_document()
    assert localise(live, "fr")["title"] == template(SLUG)["title"]
