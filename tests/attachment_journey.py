"""One attachment journey through the use cases, run on the in-memory and on the SQL unit of work."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from builder.attachments import answer_value
from builder.errors import AnswersInvalid, NotFound
from builder.ports import Actor, UnitOfWork
from builder.usecases import forms, requests
from builder.usecases.attachments import download_attachment, request_files, upload_attachment
from tests.conftest import template
from tests.helpers import DESIGNER, EVENTS, RESIDENT, ROADS

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def pothole_with_photo() -> dict[str, Any]:
    document = copy.deepcopy(template("report-pothole"))
    document["schema"]["properties"]["photo"] = {"type": "string", "title": "Photo", "format": "data-url"}
    document["uiSchema"]["photo"] = {"ui:options": {"accept": ["png", "jpeg"], "maxSizeMb": 0.001}}
    document["uiSchema"]["ui:order"].append("photo")
    document["uiSchema"]["ui:pages"][0]["fields"].append("photo")
    return document


def run_journey(uow_factory: Any) -> None:
    forms.create_form(pothole_with_photo(), DESIGNER, uow_factory(), now=NOW)
    forms.publish("report-pothole", DESIGNER, uow_factory(), now=NOW)

    with pytest.raises(AnswersInvalid) as wrong_kind:  # a PDF renamed to .png is refused by its content
        upload_attachment("report-pothole", ("photo",), "photo.png", PDF, uow_factory())
    assert wrong_kind.value.errors[0].path == ("photo",)
    assert "Accepted: PNG image, JPEG photo" in wrong_kind.value.errors[0].message
    with pytest.raises(AnswersInvalid) as too_big:
        upload_attachment("report-pothole", ("photo",), "big.png", PNG + b"\x00" * 2000, uow_factory())
    assert "too large" in too_big.value.errors[0].message
    with pytest.raises(AnswersInvalid):
        upload_attachment("report-pothole", ("details",), "notes.png", PNG, uow_factory())

    ref = upload_attachment("report-pothole", ("photo",), "../../etc/passwd.png", PNG, uow_factory())
    assert ref.name == "passwd.png" and ref.type == "image/png" and ref.sha256 == hashlib.sha256(PNG).hexdigest()
    assert "passwd" not in ref.id and len(ref.id) >= 32

    answers = {"location": "Market Street 12", "size": "small", "dangerous": False, "photo": answer_value(ref)}
    receipt = requests.submit("report-pothole", answers, RESIDENT, uow_factory(), idempotency_key="a1", now=NOW)
    assert [f.id for f in request_files(receipt.reference, RESIDENT, uow_factory())] == [ref.id]

    # The same file cannot be claimed by a second request (a crafted answer).
    with pytest.raises(AnswersInvalid) as taken:
        requests.submit("report-pothole", answers, RESIDENT, uow_factory(), idempotency_key="a2", now=NOW)
    assert "could not be found" in taken.value.errors[0].message

    record, content = download_attachment(ref.id, ROADS, uow_factory())
    assert content == PNG and record.filename == "passwd.png"
    assert download_attachment(ref.id, Actor(), uow_factory(), access_code=receipt.access_code)[1] == PNG
    for stranger, code in ((EVENTS, None), (Actor(), None), (Actor(), "WRONG-CODE")):
        with pytest.raises(NotFound):
            download_attachment(ref.id, stranger, uow_factory(), access_code=code)


def unit_of_work_factory(uow: UnitOfWork) -> Any:
    return lambda: uow
