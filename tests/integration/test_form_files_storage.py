"""Files in a repeating group and the form's file limit, with the database's unit of work."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import Engine

from builder.attachments import answer_value
from builder.errors import AnswersInvalid
from builder.usecases import forms, requests
from builder.usecases.attachments import download_attachment, request_files, upload_attachment
from tests.attachment_journey import PDF
from tests.helpers import DESIGNER, EVENTS, RESIDENT, seed_organisation
from tests.unit.test_repeating_group_files import stall_with_certificates


def test_each_entrys_file_is_kept_and_the_form_limit_counts_them_all(engine: Engine) -> None:
    uow = seed_organisation(engine)
    document = copy.deepcopy(stall_with_certificates())
    document["settings"]["attachments"] = {"max_files": 1}
    forms.create_form(document, DESIGNER, uow)
    forms.publish("market-stall", DESIGNER, uow)
    first, second = (upload_attachment("market-stall", ("stall_holders", i, "hygiene_certificate"), f"c{i}.pdf",
                                       PDF, uow) for i in (0, 1))
    holders = [{"holder": "Ben", "hygiene_certificate": answer_value(first)},
               {"holder": "Cleo", "hygiene_certificate": answer_value(second)}]
    with pytest.raises(AnswersInvalid) as too_many:
        requests.submit("market-stall", {"your_full_name": "Ada", "stall_holders": holders}, RESIDENT, uow,
                        idempotency_key="two")
    assert [e.path for e in too_many.value.errors] == [("stall_holders", 1, "hygiene_certificate")]
    receipt = requests.submit("market-stall", {"your_full_name": "Ada", "stall_holders": holders[:1]}, RESIDENT, uow,
                              idempotency_key="one")
    assert [f.filename for f in request_files(receipt.reference, RESIDENT, uow)] == ["c0.pdf"]
    assert download_attachment(first.id, EVENTS, uow)[1] == PDF
