"""Refusals the core records itself: every caller of these use cases leaves a "denied" audit event.

Attachment downloads and file lists (``ui.attachments`` shows nothing for a refused file), the builder's
publish / republish / versions / drafts, creating a form in another department, the administration and
data-protection use cases: each refusal for lack of permission is written by the use case, in its own
transaction after the refused work rolled back, exactly once. Failures that are not refusals (a field to
correct, a thing that does not exist, a name in use) are not recorded.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from builder.attachments import answer_value
from builder.errors import AnswersInvalid, DefinitionInvalid, NotFound, PermissionDenied
from builder.ports import Actor
from builder.usecases import admin, forms, insights, requests
from builder.usecases.accounts import AccountInvalid
from builder.usecases.attachments import (
    download_attachment,
    request_files,
    upload_attachment,
)
from storage.audit_check import verify_audit
from storage.models import Attachment, AuditRecord
from storage.uow import SqlUnitOfWork
from tests.attachment_journey import PNG, pothole_with_photo
from tests.helpers import ADMIN, DESIGNER, EVENTS, RESIDENT, ROADS, seed_organisation
from ui import access, context
from ui.context import Services

OUTSIDER = Actor("outsider", "Olly Outsider", designer_departments=frozenset({"events"}))
NEIGHBOUR = Actor("neighbour", "Nico Neighbour")
ANSWERS = {"location": "Market Street 12", "size": "medium"}


def _denied(engine: Engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        return [(r.actor, r.comment) for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))
                if r.action == "denied"]


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditRecord)).all())


@pytest.fixture
def pothole(engine: Engine) -> Iterator[tuple[SqlUnitOfWork, requests.Receipt, str]]:
    """The pothole form (public-works) with a photo field, published, and a request with a photo."""
    uow = seed_organisation(engine)
    forms.create_form(pothole_with_photo(), DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    photo = upload_attachment("report-pothole", ("photo",), "hole.png", PNG, uow)
    receipt = requests.submit("report-pothole", {**ANSWERS, "photo": answer_value(photo)}, RESIDENT, uow,
                              idempotency_key="k")
    yield uow, receipt, photo.id


# ------------------------------------------------------------------ attachments


def test_a_refused_download_or_file_list_is_audited_and_reveals_nothing(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine) -> None:
    uow, receipt, photo = pothole
    for outsider, code in ((EVENTS, None), (NEIGHBOUR, None), (Actor(), "WRONG-CODE")):
        with pytest.raises(NotFound) as refused:
            download_attachment(photo, outsider, uow, access_code=code)
        assert str(refused.value) == "There is no such file, or you may not see it."
        with pytest.raises(NotFound):
            request_files(receipt.reference, outsider, uow, access_code=code)
    assert _denied(engine) == [
        (who, f"{what}: {thing}") for who in ("events", "neighbour", "anonymous")
        for what, thing in (("download attachment", f"file {photo} of request {receipt.reference}"),
                            ("request files", f"files of request {receipt.reference}"))]
    # The people who may see the request still get the file; a missing file or request is not an attempt.
    assert download_attachment(photo, ROADS, uow)[1] == PNG
    assert download_attachment(photo, Actor(), uow, access_code=receipt.access_code)[1] == PNG
    before = _count(engine)
    with pytest.raises(NotFound):
        download_attachment("0" * 32, EVENTS, uow)
    with pytest.raises(NotFound):
        request_files("PW-2020-999999", EVENTS, uow)
    assert _count(engine) == before
    assert verify_audit(engine)[1] is None


def _show_files(reference: str, url: str, username: str | None) -> None:
    """The file list of ui.attachments as a page shows it, for one reader."""
    from builder.ports import Actor
    from storage.engine import make_engine
    from storage.uow import SqlUnitOfWork
    from ui.attachments import show_files

    engine = make_engine(url)
    show_files(reference, Actor(username), lambda: SqlUnitOfWork(engine))


def test_the_file_list_of_the_pages_shows_an_outsider_nothing_and_the_attempt_is_audited(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine) -> None:
    _, receipt, photo = pothole
    outsider = AppTest.from_function(_show_files, args=(receipt.reference, engine.url.render_as_string(False),
                                                        "neighbour")).run()
    assert not outsider.exception and not outsider.get("download_button") and not outsider.text
    assert _denied(engine) == [("neighbour", f"request files: files of request {receipt.reference}")]
    author = AppTest.from_function(_show_files, args=(receipt.reference, engine.url.render_as_string(False),
                                                      "resident")).run()
    assert [b.proto.label for b in author.get("download_button")] == ["hole.png (1 kB)"]
    assert len(_denied(engine)) == 1


def test_files_for_a_form_for_signed_in_residents_are_refused_to_anonymous_senders(engine: Engine) -> None:
    uow = seed_organisation(engine)
    document = pothole_with_photo()
    document["settings"]["submission"] = "signed_in"
    forms.create_form(document, DESIGNER, uow)
    forms.publish("report-pothole", DESIGNER, uow)
    with pytest.raises(PermissionDenied) as refused:
        upload_attachment("report-pothole", ("photo",), "hole.png", PNG, uow)
    assert str(refused.value) == "Please sign in to submit this form."
    with pytest.raises(PermissionDenied):
        upload_attachment("report-pothole", ("photo",), "hole.png", PNG, uow, actor=Actor(client_key="c1"))
    with Session(engine) as session:  # nothing of the refused files was stored
        assert session.exec(select(Attachment)).all() == []
    assert _denied(engine) == [("anonymous", "upload attachment: upload to report-pothole, a form for signed-in "
                                             "residents")] * 2
    ref = upload_attachment("report-pothole", ("photo",), "hole.png", PNG, uow, actor=RESIDENT)
    receipt = requests.submit("report-pothole", {**ANSWERS, "photo": answer_value(ref)}, RESIDENT, uow,
                              idempotency_key="signed")
    assert [f.filename for f in request_files(receipt.reference, RESIDENT, uow)] == ["hole.png"]
    # A file the form does not take is a field to correct, not an attempt: not recorded.
    with pytest.raises(AnswersInvalid):
        upload_attachment("report-pothole", ("location",), "hole.png", PNG, uow, actor=RESIDENT)
    assert len(_denied(engine)) == 2


# ------------------------------------------------------------------ the builder


def test_publishing_versions_and_drafts_of_another_departments_form_are_audited(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine) -> None:
    uow, _, _ = pothole
    draft = forms.open_draft("report-pothole", DESIGNER, uow)
    attempts = {
        "publish": lambda: forms.publish("report-pothole", OUTSIDER, uow),
        "republish": lambda: forms.republish("report-pothole", 1, OUTSIDER, uow),
        "versions of": lambda: forms.versions_of("report-pothole", OUTSIDER, uow),
        "version definition": lambda: forms.version_definition("report-pothole", 1, OUTSIDER, uow),
        "save draft": lambda: forms.save_draft("report-pothole", draft.document, draft.revision, OUTSIDER, uow),
    }
    for attempt in attempts.values():
        with pytest.raises(NotFound) as refused:
            attempt()
        assert str(refused.value) == "This form does not exist or belongs to another department."
    assert _denied(engine) == [("outsider", f"{what}: form report-pothole of department public-works")
                               for what in attempts]
    # The refused publish rolled back: still one version, and the chain is intact.
    assert [v.number for v in forms.versions_of("report-pothole", DESIGNER, uow)] == [1]
    assert verify_audit(engine)[1] is None
    # A form that does not exist is not an attempt at someone else's.
    with pytest.raises(NotFound):
        forms.publish("no-such-form", OUTSIDER, uow)
    assert len(_denied(engine)) == len(attempts)


def test_creating_a_form_in_another_department_is_audited_and_a_taken_address_is_not(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine) -> None:
    uow, _, _ = pothole
    other = {**copy.deepcopy(pothole_with_photo()), "slug": "potholes-too"}
    with pytest.raises(PermissionDenied, match="your own department"):
        forms.create_form(other, OUTSIDER, uow)
    with pytest.raises(DefinitionInvalid):  # the designer's own department, an address in use
        forms.create_form(pothole_with_photo(), DESIGNER, uow)
    assert _denied(engine) == [("outsider", "create form: form potholes-too in department public-works")]
    with pytest.raises(PermissionDenied):
        forms.forms_for(RESIDENT, uow)
    with pytest.raises(PermissionDenied):
        forms.group_sizes(ROADS, uow)
    assert _denied(engine)[1:] == [("resident", "forms for: not a designer"), ("roads", "group sizes: not a designer")]


# ------------------------------------------------------------------ administration and data protection


def test_administration_refusals_are_audited_but_field_problems_are_not(engine: Engine) -> None:
    uow = seed_organisation(engine)
    for attempt in (lambda: admin.organisation(DESIGNER, uow),
                    lambda: admin.add_department(DESIGNER, "parks", "Parks", uow),
                    lambda: admin.reset_password(ROADS, "admin", uow),
                    lambda: admin.set_roles(RESIDENT, "resident", uow, designer_departments=frozenset({"events"}),
                                            reviewer_groups=frozenset())):
        with pytest.raises(PermissionDenied, match="Only administrators"):
            attempt()
    with pytest.raises(PermissionDenied, match="your own account"):
        admin.update_user(ADMIN, "admin", uow, display_name="Alex Admin", email="", is_admin=True, is_active=False)
    assert _denied(engine) == [
        ("designer", "organisation: not an administrator"), ("designer", "add department: not an administrator"),
        ("roads", "reset password: not an administrator"), ("resident", "set roles: not an administrator"),
        ("admin", "update user: disabling or demoting one's own account")]
    with uow.reading():
        assert uow.directory.user("admin").is_active and uow.directory.user("resident").designer_departments == set()
    with pytest.raises(AccountInvalid):
        admin.add_department(ADMIN, "Not A Slug", "Parks", uow)
    with pytest.raises(NotFound):
        admin.reset_password(ADMIN, "nobody", uow)
    assert len(_denied(engine)) == 5


def test_data_protection_refusals_are_audited_once_and_never_name_the_resident(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine) -> None:
    uow, _, _ = pothole
    for attempt in (insights.find_resident, insights.resident_archive, insights.erase_resident):
        with pytest.raises(PermissionDenied, match="Only administrators"):
            attempt("resident@city.example", DESIGNER, uow)
    # resident_archive and erase_resident look the resident up first: still one event per attempt.
    assert _denied(engine) == [("designer", f"{what}: not an administrator")
                               for what in ("find resident", "resident archive", "erase resident")]
    assert insights.find_resident("resident", ADMIN, uow).requests  # nothing was erased


def test_a_page_handed_a_refusal_the_core_recorded_does_not_write_it_twice(
        pothole: tuple[SqlUnitOfWork, requests.Receipt, str], engine: Engine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    uow, receipt, _ = pothole
    monkeypatch.setattr(context, "_installed", Services(uow_factory=lambda: SqlUnitOfWork(engine)))
    with pytest.raises(NotFound) as refused:
        request_files(receipt.reference, EVENTS, uow)
    assert access.record_refusal(EVENTS, "files on the case page", refused.value) is True
    assert _denied(engine) == [("events", f"request files: files of request {receipt.reference}")]
    # A refusal the core does not record itself is still recorded by the page, once.
    with pytest.raises(NotFound) as unknown:
        requests.my_request_status(receipt.reference, NEIGHBOUR, uow)
    assert access.record_refusal(NEIGHBOUR, f"my request {receipt.reference}", unknown.value) is True
    assert _denied(engine)[1:] == [("neighbour", f"my request {receipt.reference}")]
