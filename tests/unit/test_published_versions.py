"""A published version is prepared once per process (builder.published): by its content, so a changed
definition never meets the rules of an older one; bounded, whatever residents or forms ask for."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from builder import published
from builder.ports import VersionRecord
from builder.validation import field_errors
from tests.conftest import template

ANSWERS = {"location": "Market Street 12", "size": "small"}


def _version(document: dict[str, Any], number: int = 1, digest: str = "") -> VersionRecord:
    return VersionRecord("report-pothole", number, document, datetime(2026, 12, 1, tzinfo=UTC), "designer", number,
                         digest=digest)


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(published, "_PREPARED", type(published._PREPARED)())


def _errors(version: VersionRecord, locale: str = "en") -> list[tuple[str | int, ...]]:
    language = published.prepared(version).in_language(locale)
    return [e.path for e in field_errors(language.document["schema"], ANSWERS, locale, validator=language.validator)]


def test_equal_definitions_share_one_preparation_and_a_changed_one_has_its_own_rules() -> None:
    document = template("report-pothole")
    first = published.prepared(_version(document))
    assert published.prepared(_version(copy.deepcopy(document), number=7)) is first  # same content, another id
    stricter = copy.deepcopy(document)
    stricter["schema"]["required"].append("name")
    assert _errors(_version(document)) == []
    assert _errors(_version(stricter)) == [("name",)]
    assert _errors(_version(document)) == []


def test_a_document_changed_after_it_was_prepared_keeps_the_rules_it_was_prepared_with() -> None:
    document = template("report-pothole")
    version = _version(document, digest="stored-digest")
    assert _errors(version) == []
    document["schema"]["required"].append("name")  # a caller changing its copy in place
    assert _errors(version) == []


def test_the_cache_is_bounded_and_languages_without_translations_share_one_entry() -> None:
    document = template("report-pothole")
    first = published.prepared(_version(document, digest="v0"))
    for number in range(1, published.MAX_VERSIONS + 1):
        published.prepared(_version(document, number=number, digest=f"v{number}"))
    assert published.prepared(_version(document, digest="v0")) is not first  # the oldest was let go
    prepared = published.prepared(_version(document, digest="v0"))
    assert prepared.in_language("xx") is prepared.in_language("made-up") is prepared.in_language("en")
    assert prepared.in_language("fr").document["title"] == document["translations"]["fr"]["/title"]


def _published_uow() -> Any:
    from builder.usecases import forms
    from tests.fakes import FakeUnitOfWork
    from tests.helpers import DESIGNER

    fake = FakeUnitOfWork(groups={"Road inspectors": ["roads"]}, departments={"public-works"})
    forms.create_form(template("report-pothole"), DESIGNER, fake)
    forms.publish("report-pothole", DESIGNER, fake)
    return fake


def test_a_submission_reads_the_definition_only_when_its_process_has_not_prepared_the_version() -> None:
    from builder.errors import AnswersInvalid
    from builder.ports import ANONYMOUS
    from builder.usecases import requests

    uow = _published_uow()
    reads: list[str] = []
    latest = uow.forms.latest_version
    uow.forms.latest_version = lambda slug: (reads.append(slug), latest(slug))[1]
    requests.submit("report-pothole", dict(ANSWERS), ANONYMOUS, uow, idempotency_key="first")
    requests.submit("report-pothole", dict(ANSWERS), ANONYMOUS, uow, idempotency_key="second")
    assert reads == ["report-pothole"]  # the first prepared it; the second found it by the stored digest
    with pytest.raises(AnswersInvalid):  # found by digest, and still the version's own closed rules
        requests.submit("report-pothole", {**ANSWERS, "state": "approved"}, ANONYMOUS, uow, idempotency_key="third")
    assert reads == ["report-pothole"]
