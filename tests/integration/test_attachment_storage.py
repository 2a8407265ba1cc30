"""Attachments stored in the database (SQLite and PostgreSQL): the same journey as the unit test."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine

from builder.errors import AnswersInvalid, NotFound
from builder.ports import ANONYMOUS
from builder.usecases import requests, review
from builder.usecases.attachments import download_attachment, request_files
from builder.workflow import Action, Command
from storage.uow import SqlUnitOfWork
from tests.attachment_journey import run_journey
from tests.helpers import EVENTS, ROADS, seed_organisation


def test_upload_submit_and_authorised_download_in_the_database(engine: Engine) -> None:
    uow = seed_organisation(engine)
    run_journey(lambda: uow)


PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_files_sent_with_an_answer_reach_the_reviewer_and_a_bad_one_changes_nothing(seeded: SqlUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", {"location": "Market Street 12", "size": "small"}, ANONYMOUS,
                              seeded, idempotency_key="answer-files")
    code = receipt.access_code or ""
    version = review.open_case(receipt.reference, ROADS, seeded).request.row_version
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Can you send a photo?"), version, seeded)
    waiting = requests.status(receipt.reference, code, seeded)

    with pytest.raises(AnswersInvalid) as refused:
        requests.resident_act(receipt.reference, code, Action.ANSWER, "Here", waiting.row_version, ANONYMOUS,
                              seeded, files=[("photo.pdf", PDF), ("tool.exe", b"MZ\x90\x00\x03\x00")])
    assert [e.message for e in refused.value.errors] == [
        "The file “tool.exe” is not an accepted kind of file. Accepted: PDF, PNG image, JPEG photo, GIF image, "
        "WebP image, iPhone photo (HEIC), plain text, Word document (.docx)."]
    assert requests.status(receipt.reference, code, seeded).state == "needs_info"
    assert request_files(receipt.reference, ANONYMOUS, seeded, access_code=code) == []  # the good file was not kept either

    state = requests.resident_act(receipt.reference, code, Action.ANSWER, "Photo attached", waiting.row_version,
                                  ANONYMOUS, seeded, files=[("../../etc/hole.pdf", PDF)])
    assert state == "in_review"
    [stored] = request_files(receipt.reference, ANONYMOUS, seeded, access_code=code)
    assert (stored.field_name, stored.filename, stored.sha256) == ("answer", "hole.pdf", hashlib.sha256(PDF).hexdigest())
    record, content = download_attachment(stored.id, ROADS, seeded)
    assert content == PDF and record.reference == receipt.reference
    with pytest.raises(NotFound):
        download_attachment(stored.id, EVENTS, seeded)
