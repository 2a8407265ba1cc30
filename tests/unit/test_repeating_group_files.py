"""A file question inside a repeating group: each entry's file is checked, stored, sent and seen by the reviewer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from builder import editing as ed
from builder.attachments import answer_value, file_rules
from builder.errors import AnswersInvalid
from builder.usecases import forms, requests
from builder.usecases.attachments import download_attachment, request_files, upload_attachment
from tests.attachment_journey import PDF, PNG
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, EVENTS, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def stall_with_certificates() -> dict:
    """Each stall holder of the group gives a name and a PDF certificate."""
    document = ed.blank_definition("market-stall", "Market stall", "events")
    document, group = ed.add_field(document, "repeating_group", "Stall holders")
    certificate = replace(ed.new_field("file", "Hygiene certificate", set()), file_types=("application/pdf",))
    holder = ed.FieldSpec("holder", "short_text", "Name", required=True, max_length=200)
    document = ed.put_field(document, replace(ed.read_field(document, group), subfields=(holder, certificate)))
    return ed.add_step(document, "Check by the events office", "Events office")


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork(groups={"Events office": ["events"]}, departments={"events"})
    forms.create_form(stall_with_certificates(), DESIGNER, fake, now=NOW)
    forms.publish("market-stall", DESIGNER, fake, now=NOW)
    return fake


def test_the_file_question_of_a_repeating_group_has_its_rule() -> None:
    document = stall_with_certificates()
    rules = file_rules(document["schema"], document["uiSchema"])
    assert rules["stall_holders.*.hygiene_certificate"].kinds == ("pdf",)


def test_a_file_in_the_second_entry_is_stored_submitted_and_seen_by_the_reviewer(uow: FakeUnitOfWork) -> None:
    where = ("stall_holders", 1, "hygiene_certificate")
    with pytest.raises(AnswersInvalid) as refused:
        upload_attachment("market-stall", where, "photo.png", PNG, uow)
    assert refused.value.errors[0].path == where
    assert "not an accepted kind" in refused.value.errors[0].message
    ref = upload_attachment("market-stall", where, "certificate.pdf", PDF, uow)
    answers = {"your_full_name": "Ada", "stall_holders": [
        {"holder": "Ben"}, {"holder": "Cleo", "hygiene_certificate": answer_value(ref)}]}
    receipt = requests.submit("market-stall", answers, RESIDENT, uow, idempotency_key="k", now=NOW)
    assert [f.filename for f in request_files(receipt.reference, RESIDENT, uow)] == ["certificate.pdf"]
    record, content = download_attachment(ref.id, EVENTS, uow)
    assert (record.filename, content) == ("certificate.pdf", PDF)


def _stall_form_page() -> None:
    """AppTest script: the stall form rendered with an upload handler on the use case (an in-memory store)."""
    import streamlit as st

    from builder.attachments import answer_value
    from builder.usecases import forms
    from builder.usecases.attachments import upload_attachment
    from tests.fakes import FakeUnitOfWork
    from tests.helpers import DESIGNER
    from tests.unit.test_repeating_group_files import stall_with_certificates
    from ui.renderer import FormRenderer

    if "uow" not in st.session_state:
        st.session_state["uow"] = FakeUnitOfWork(groups={"Events office": ["events"]}, departments={"events"})
        forms.create_form(stall_with_certificates(), DESIGNER, st.session_state["uow"])
        forms.publish("market-stall", DESIGNER, st.session_state["uow"])
    uow = st.session_state["uow"]
    document = uow.forms.latest_version("market-stall").definition
    renderer = FormRenderer(document["schema"], document["uiSchema"], key="stall", on_upload=lambda path, _schema, f:
                            answer_value(upload_attachment("market-stall", path, f.name, f.getvalue(), uow)))
    if "seed" in st.session_state:
        renderer.set_answers(st.session_state.pop("seed"))
    st.session_state["rendered"] = renderer.render()


def test_a_resident_uploads_a_file_in_an_entry_of_the_group_on_the_form() -> None:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_stall_form_page, default_timeout=30)
    app.session_state["seed"] = {"your_full_name": "Ada", "stall_holders": [{"holder": "Ben"}, {"holder": "Cleo"}]}
    app.run()
    uploader = next(u for u in app.get("file_uploader") if u.proto.id and "stall_holders/1" in str(u.proto.id))
    uploader.set_value(("certificate.pdf", PDF, "application/pdf")).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    entry = app.session_state["rendered"]["stall_holders"][1]
    assert entry["hygiene_certificate"].startswith("attachment:")
