"""The form's attachment settings: default kinds and size of its file fields, and the most files per request."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from builder.attachments import answer_value
from builder.errors import AnswersInvalid
from builder.usecases import forms, requests
from builder.usecases.attachments import request_files, upload_attachment
from tests.attachment_journey import PDF, PNG, pothole_with_photo
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POTHOLE = {"location": "Market Street 12", "size": "medium"}


def _pothole(**attachments: object) -> FakeUnitOfWork:
    """The pothole form with a photo (PNG/JPEG of its own) and a plan that sets no rule of its own."""
    document = pothole_with_photo()
    document["schema"]["properties"]["plan"] = {"type": "string", "title": "Plan", "format": "data-url"}
    document["uiSchema"]["ui:order"].append("plan")
    document["uiSchema"]["ui:pages"][0]["fields"].append("plan")
    document.setdefault("settings", {})["attachments"] = attachments
    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads"]}, departments={"public-works"})
    forms.create_form(copy.deepcopy(document), DESIGNER, fake, now=NOW)
    forms.publish("report-pothole", DESIGNER, fake, now=NOW)
    return fake


def test_a_file_field_without_its_own_rule_follows_the_forms_allowed_types_and_size() -> None:
    uow = _pothole(allowed_types=["application/pdf"], max_size_mb=0.0001)
    with pytest.raises(AnswersInvalid) as wrong_kind:
        upload_attachment("report-pothole", ("plan",), "plan.png", PNG, uow)
    assert wrong_kind.value.errors[0].message == "The file “plan.png” is not an accepted kind of file. Accepted: PDF."
    with pytest.raises(AnswersInvalid) as too_large:
        upload_attachment("report-pothole", ("plan",), "plan.pdf", PDF + b"0" * 200, uow)
    assert "too large" in too_large.value.errors[0].message
    assert upload_attachment("report-pothole", ("plan",), "plan.pdf", PDF, uow).type == "application/pdf"
    # The photo's own accept and maxSizeMb still rule it.
    assert upload_attachment("report-pothole", ("photo",), "photo.png", PNG, uow).type == "image/png"


def test_more_files_than_the_form_allows_are_refused_at_the_file_past_the_limit() -> None:
    uow = _pothole(max_files=1)
    photo = upload_attachment("report-pothole", ("photo",), "photo.png", PNG, uow)
    plan = upload_attachment("report-pothole", ("plan",), "plan.pdf", PDF, uow)
    both = {**POTHOLE, "photo": answer_value(photo), "plan": answer_value(plan)}
    with pytest.raises(AnswersInvalid) as too_many:
        requests.submit("report-pothole", both, RESIDENT, uow, idempotency_key="both", now=NOW, locale="fr")
    assert [(e.path, e.message) for e in too_many.value.errors] == [
        (("plan",), "Ce formulaire n’accepte qu’un seul fichier au total. Retirez ce fichier (ou l’autre) pour "
                    "envoyer votre demande.")]
    receipt = requests.submit("report-pothole", {**POTHOLE, "plan": answer_value(plan)}, RESIDENT, uow,
                              idempotency_key="one", now=NOW)
    assert [f.filename for f in request_files(receipt.reference, RESIDENT, uow)] == ["plan.pdf"]
