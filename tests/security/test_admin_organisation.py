"""Renaming and removing departments and groups: administrators only, refused while in use, one audit event each."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from builder.errors import NotFound, PermissionDenied
from builder.usecases import admin, forms, requests
from builder.usecases.accounts import AccountInvalid
from storage.models import AuditRecord
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import ADMIN, DESIGNER, EVENTS, RESIDENT, ROADS, seed_organisation

CHANGES = {
    "rename department": lambda a, uow: admin.rename_department(a, "events", "Events", uow),
    "remove department": lambda a, uow: admin.remove_department(a, "events", uow),
    "rename group": lambda a, uow: admin.rename_group(a, "Empty group", "Spare", uow),
    "remove group": lambda a, uow: admin.remove_group(a, "Empty group", uow),
}


@pytest.mark.parametrize("change", list(CHANGES))
@pytest.mark.parametrize("who", [DESIGNER, ROADS, RESIDENT])
def test_only_administrators_rename_or_remove(change: str, who: object) -> None:
    uow = FakeUnitOfWork(groups={"Empty group": []}, departments={"events"})
    with pytest.raises(PermissionDenied):
        CHANGES[change](who, uow)
    # Nothing changed; the only event is the refusal itself.
    assert [(e.event.action, e.event.actor, e.event.comment) for e in uow.audit.events] == [
        ("denied", who.label, f"{change}: not an administrator")]
    assert uow.directory.group_exists("Empty group")


def test_unknown_departments_and_groups_are_not_found_and_bad_names_refused() -> None:
    uow = FakeUnitOfWork(groups={"Empty group": []}, departments={"events"})
    with pytest.raises(NotFound):
        admin.remove_department(ADMIN, "nowhere", uow)
    with pytest.raises(NotFound):
        admin.rename_group(ADMIN, "Nobody", "Somebody", uow)
    with pytest.raises(AccountInvalid):
        admin.rename_group(ADMIN, "Empty group", "  ", uow)
    with pytest.raises(AccountInvalid):
        admin.rename_department(ADMIN, "events", "x" * 201, uow)
    assert uow.audit.events == []


@pytest.fixture
def org(engine: Engine) -> tuple[SqlUnitOfWork, str]:
    uow = seed_organisation(engine)
    forms.create_form(template("street-party-permit"), DESIGNER, uow)  # decides with "Events office"
    forms.publish("street-party-permit", DESIGNER, uow)
    forms.create_form(template("report-pothole"), DESIGNER, uow)  # a draft only: "Road inspectors" is free
    receipt = requests.submit("street-party-permit", {
        "organiser": "Sam Party", "email": "sam@example.org", "street": "Elm Street", "event_date": "2027-06-12",
        "start_time": "14:00", "end_time": "22:00", "guests": 40}, RESIDENT, uow, idempotency_key="k")
    return uow, receipt.reference


def _actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [r.action for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]


def test_groups_used_by_published_forms_stay_and_free_ones_change_with_one_event_each(
        org: tuple[SqlUnitOfWork, str], engine: Engine) -> None:
    uow, reference = org
    before = _actions(engine)
    with pytest.raises(admin.StillInUse, match=r"Apply for a street-party permit \(street-party-permit, version 1\)") as refused:
        admin.remove_group(ADMIN, "Events office", uow)
    assert reference in str(refused.value)
    with pytest.raises(admin.StillInUse):
        admin.rename_group(ADMIN, "Events office", "Markets", uow)
    with pytest.raises(admin.StillInUse, match="it has forms"):
        admin.remove_department(ADMIN, "events", uow)
    assert _actions(engine) == before  # refusals change nothing

    admin.rename_group(ADMIN, "Road inspectors", "Road crew", uow)  # only a draft names it: publishing will say so
    admin.remove_group(ADMIN, "Empty group", uow)
    admin.rename_department(ADMIN, "public-works", "Roads and parks", uow)
    assert _actions(engine)[len(before):] == ["rename_group", "remove_group", "rename_department"]
    with uow.reading():
        assert uow.directory.user("roads").reviewer_groups == frozenset({"Road crew"})
        assert not uow.directory.group_exists("Empty group")
    assert EVENTS.reviewer_groups == frozenset({"Events office"})
