"""Rolling back to an older version runs the same checks as publishing: a version whose group was
emptied or renamed since would send requests to nobody, so it is refused and nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from builder.errors import DefinitionInvalid
from builder.usecases import forms
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SLUG = "skips"


def _step(group: str) -> dict[str, Any]:
    return {"id": "check", "name": "Check", "group": group, "policy": "any", "sla_days": 5,
            "actions": ["approve", "reject"]}


def _document(group: str) -> dict[str, Any]:
    return {"slug": SLUG, "title": "Skip permit", "department": "public-works", "description": "",
            "schema": {"type": "object", "unevaluatedProperties": False,
                       "properties": {"street": {"type": "string", "title": "Street", "maxLength": 200}}},
            "uiSchema": {}, "workflow": {"steps": [_step(group)]}, "settings": {}}


def _two_versions() -> FakeUnitOfWork:
    """Version 1 goes to "Road inspectors"; version 2 (live) to "Highways"."""
    uow = FakeUnitOfWork(groups={"Road inspectors": ["roads"], "Highways": ["roads2"]},
                         departments={"public-works"})
    forms.create_form(_document("Road inspectors"), DESIGNER, uow, now=NOW)
    forms.publish(SLUG, DESIGNER, uow, now=NOW)
    draft = forms.open_draft(SLUG, DESIGNER, uow)
    forms.save_draft(SLUG, _document("Highways"), draft.revision, DESIGNER, uow, now=NOW)
    forms.publish(SLUG, DESIGNER, uow, now=NOW)
    return uow


def _change_groups(uow: FakeUnitOfWork, groups: dict[str, list[str]]) -> None:
    with uow:
        uow.directory.groups = groups
        uow.commit()


def _refused_rollback(uow: FakeUnitOfWork) -> list[str]:
    events = len(uow.audit.events)
    with pytest.raises(DefinitionInvalid) as refused:
        forms.republish(SLUG, 1, DESIGNER, uow, now=NOW)
    live = forms.published_form(SLUG, uow)
    assert (live.number, live.definition.workflow.steps[0].group) == (2, "Highways")  # nothing changed
    assert len(uow.forms.versions(SLUG)) == 2 and len(uow.audit.events) == events
    return [error.message for error in refused.value.errors]


def _publish_refusal(uow: FakeUnitOfWork, group: str) -> list[str]:
    """What publishing the same definition as a new draft says today."""
    draft = forms.open_draft(SLUG, DESIGNER, uow)
    forms.save_draft(SLUG, _document(group), draft.revision, DESIGNER, uow, now=NOW)
    with pytest.raises(DefinitionInvalid) as refused:
        forms.publish(SLUG, DESIGNER, uow, now=NOW)
    return [error.message for error in refused.value.errors]


def test_a_rollback_to_a_version_whose_group_was_emptied_is_refused() -> None:
    uow = _two_versions()
    _change_groups(uow, {"Road inspectors": [], "Highways": ["roads2"]})
    messages = _refused_rollback(uow)
    assert messages == ["Step 1 “Check”: the group “Road inspectors” has no members, so nobody could decide."]
    assert messages == _publish_refusal(uow, "Road inspectors")  # the same words as publishing


def test_a_rollback_to_a_version_whose_group_was_renamed_is_refused() -> None:
    uow = _two_versions()
    _change_groups(uow, {"Street inspectors": ["roads"], "Highways": ["roads2"]})
    messages = _refused_rollback(uow)
    assert messages == ["Step “Check”: there is no group called “Road inspectors”."]
    assert messages == _publish_refusal(uow, "Road inspectors")


def test_a_healthy_rollback_still_goes_live_as_a_new_version() -> None:
    uow = _two_versions()
    assert forms.republish(SLUG, 1, DESIGNER, uow, now=NOW) == 3
    live = forms.published_form(SLUG, uow)
    assert (live.number, live.definition.workflow.steps[0].group) == (3, "Road inspectors")
    assert uow.audit.events[-1].event.comment == f"{SLUG} v3 (from v1)"
