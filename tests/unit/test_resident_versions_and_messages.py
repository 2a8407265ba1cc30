"""A resident submits the version they filled in; refused files are explained in their language."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from builder import validation_messages
from builder.attachments import ALL_KINDS, FileRule, check_file
from builder.errors import AnswersInvalid, NotFound
from builder.usecases import forms, requests
from builder.usecases.attachments import attach_to_answer, upload_attachment
from builder.workflow import Action
from tests.attachment_journey import PDF, PNG, pothole_with_photo
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, RESIDENT

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POTHOLE = {"location": "Market Street 12", "size": "medium"}
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads", "roads2"]}, departments={"public-works"})
    forms.create_form(pothole_with_photo(), DESIGNER, fake, now=NOW)
    forms.publish("report-pothole", DESIGNER, fake, now=NOW)
    return fake


def _publish_v2(uow: FakeUnitOfWork) -> None:
    """Version 2 asks a new required question and takes only PDF photos."""
    draft = forms.open_draft("report-pothole", DESIGNER, uow)
    document = copy.deepcopy(draft.document)
    document["schema"]["properties"]["since"] = {"type": "string", "title": "Since when?"}
    document["schema"]["required"].append("since")
    document["uiSchema"]["ui:order"].append("since")
    document["uiSchema"]["ui:pages"][0]["fields"].append("since")
    document["uiSchema"]["photo"] = {"ui:options": {"accept": ["pdf"]}}
    forms.save_draft("report-pothole", document, draft.revision, DESIGNER, uow, now=NOW)
    assert forms.publish("report-pothole", DESIGNER, uow, now=NOW) == 2


def test_a_superseded_version_stays_submittable_and_is_recorded(uow: FakeUnitOfWork) -> None:
    _publish_v2(uow)
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="v1", now=NOW, version=1)
    stored = uow.requests.get(receipt.reference)
    assert stored is not None and stored.version_number == 1
    assert stored.version_id == uow.forms.version("report-pothole", 1).id  # type: ignore[union-attr]


def test_answers_are_checked_against_the_version_filled_in(uow: FakeUnitOfWork) -> None:
    _publish_v2(uow)
    with pytest.raises(AnswersInvalid):  # the latest version needs "since"
        requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="latest", now=NOW)
    with pytest.raises(AnswersInvalid):  # version 1 knows no "since"
        requests.submit("report-pothole", {**POTHOLE, "since": "May"}, RESIDENT, uow, idempotency_key="x",
                        now=NOW, version=1)
    receipt = requests.submit("report-pothole", {**POTHOLE, "since": "May"}, RESIDENT, uow, idempotency_key="v2",
                              now=NOW, version=2)
    assert uow.requests.get(receipt.reference).version_number == 2  # type: ignore[union-attr]


def test_a_version_that_does_not_exist_is_refused(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotFound, match="no longer published"):
        requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="k", now=NOW, version=7)


def test_a_form_withdrawn_entirely_is_refused_with_a_clear_message(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.forms.stored_versions.clear()  # no published version left
        uow.commit()
    with pytest.raises(NotFound) as refused:
        requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="k", now=NOW, version=1)
    assert str(refused.value) == requests.NO_LONGER_PUBLISHED
    with pytest.raises(NotFound):
        requests.form_to_fill("report-pothole", uow, version=1)


def test_the_form_to_fill_is_the_pinned_version(uow: FakeUnitOfWork) -> None:
    _publish_v2(uow)
    assert requests.form_to_fill("report-pothole", uow).number == 2
    pinned = requests.form_to_fill("report-pothole", uow, version=1)
    assert pinned.number == 1 and "since" not in pinned.definition.schema_["properties"]


def test_an_upload_follows_the_rules_of_the_version_filled_in(uow: FakeUnitOfWork) -> None:
    _publish_v2(uow)  # version 2 takes only PDF
    assert upload_attachment("report-pothole", ("photo",), "photo.png", PNG, uow, version=1).type == "image/png"
    with pytest.raises(AnswersInvalid):
        upload_attachment("report-pothole", ("photo",), "photo.png", PNG, uow)
    assert upload_attachment("report-pothole", ("photo",), "scan.pdf", PDF, uow).type == "application/pdf"


def test_a_refused_upload_is_explained_in_the_residents_language(uow: FakeUnitOfWork) -> None:
    with pytest.raises(AnswersInvalid) as refused:
        upload_attachment("report-pothole", ("photo",), "setup.exe", EXE, uow, locale="fr")
    assert refused.value.errors[0].message == (
        "Le fichier « setup.exe » n’est pas d’un type accepté. Types acceptés : image PNG, photo JPEG.")
    with pytest.raises(AnswersInvalid) as not_a_file:
        upload_attachment("report-pothole", ("location",), "a.png", PNG, uow, locale="fr")
    assert not_a_file.value.errors[0].message == "Cette question n’accepte pas de fichier."


def test_files_sent_with_an_answer_are_refused_in_the_residents_language(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="k", now=NOW)
    with pytest.raises(AnswersInvalid) as refused:
        with uow:
            attach_to_answer(receipt.reference, [("setup.exe", EXE), ("vide.txt", b"")], uow, locale="fr")
    messages = [e.message for e in refused.value.errors]
    assert messages[0].startswith("Le fichier « setup.exe » n’est pas d’un type accepté.")
    assert messages[1] == "Le fichier « vide.txt » est vide. Choisissez-le à nouveau, ou un autre fichier."
    with pytest.raises(AnswersInvalid) as too_many:
        with uow:
            attach_to_answer(receipt.reference, [("a.pdf", PDF)] * 6, uow, locale="fr")
    assert too_many.value.errors[0].message == "Envoyez au plus 5 fichiers avec une réponse."


def test_resident_act_passes_the_language_on(uow: FakeUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key="k", now=NOW)
    row = uow.requests.get(receipt.reference)
    assert row is not None
    with pytest.raises(Exception) as refused:  # withdrawing with files is refused before any file check
        requests.resident_act(receipt.reference, None, Action.WITHDRAW, "", row.row_version, RESIDENT, uow,
                              files=[("setup.exe", EXE)], locale="fr")
    assert "Files can only be sent with an answer" in str(refused.value)


def test_the_size_limit_is_written_the_locales_way() -> None:
    rule = FileRule(kinds=ALL_KINDS, max_bytes=int(2.5 * 1024 * 1024))
    _kind, english = check_file(rule, "big.pdf", b"%PDF-" + b"0" * rule.max_bytes)
    _kind, french = check_file(rule, "big.pdf", b"%PDF-" + b"0" * rule.max_bytes, "fr")
    assert english is not None and "the limit is 2.5 MB" in english
    assert french is not None and "la limite est de 2,5 Mo" in french


def test_every_kind_of_file_has_a_name_in_every_language() -> None:
    for locale, messages in validation_messages.MESSAGES.items():
        assert {f"kind.{kind}" for kind in ALL_KINDS} <= messages.keys(), locale
    assert template("report-pothole")["slug"] == "report-pothole"
