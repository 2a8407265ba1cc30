"""Submitting the version a resident filled in, on real databases: a newer version does not capture it."""

from __future__ import annotations

import pytest

from builder.errors import AnswersInvalid, NotFound
from builder.usecases import forms, requests
from storage.uow import SqlUnitOfWork
from tests.helpers import DESIGNER, RESIDENT

POTHOLE = {"location": "Market Street 12", "size": "medium"}


def _publish_v2_needing_a_date(uow: SqlUnitOfWork) -> None:
    draft = forms.open_draft("report-pothole", DESIGNER, uow)
    document = draft.document
    document["schema"]["properties"]["since"] = {"type": "string", "title": "Since when?"}
    document["schema"]["required"].append("since")
    document["uiSchema"]["ui:order"].append("since")
    document["uiSchema"]["ui:pages"][0]["fields"].append("since")
    forms.save_draft("report-pothole", document, draft.revision, DESIGNER, uow)
    assert forms.publish("report-pothole", DESIGNER, uow) == 2


def test_a_request_records_the_version_it_was_filled_in(seeded: SqlUnitOfWork) -> None:
    _publish_v2_needing_a_date(seeded)
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="v1", version=1)
    with seeded.reading():
        stored = seeded.requests.get(receipt.reference)
        v1 = seeded.forms.version("report-pothole", 1)
    assert stored is not None and v1 is not None
    assert (stored.version_number, stored.version_id) == (1, v1.id)
    with pytest.raises(AnswersInvalid):  # the latest version asks "since"
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="latest")
    assert requests.form_to_fill("report-pothole", seeded, version=1).number == 1


def test_a_version_that_was_never_published_is_refused(seeded: SqlUnitOfWork) -> None:
    with pytest.raises(NotFound, match="no longer published"):
        requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="v9", version=9)
