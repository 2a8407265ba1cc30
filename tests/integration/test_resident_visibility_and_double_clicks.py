"""What the resident sees of reviewers' comments, and a double-clicked decision applied once
(SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from builder.errors import StaleRequest
from builder.ports import ANONYMOUS
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, ROADS, ROADS2

POTHOLE = {"location": "Market Street 12", "size": "small"}
INTERNAL = "Internal: the resident called twice, probably the neighbour's fault"
PUBLIC = "We will fill the hole on Friday."


def _submit(uow: SqlUnitOfWork, slug: str = "report-pothole", key: str = "k1") -> requests.Receipt:
    return requests.submit(slug, POTHOLE, ANONYMOUS, uow, idempotency_key=key,
                           now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


def test_internal_notes_never_reach_the_resident(seeded: SqlUnitOfWork) -> None:
    receipt = _submit(seeded)
    assert receipt.access_code
    review.act(receipt.reference, Command(Action.COMMENT, ROADS, text=INTERNAL, public=False), 1, seeded)
    review.act(receipt.reference, Command(Action.COMMENT, ROADS, text=PUBLIC, public=True), 2, seeded)
    # The reviewer sees both...
    assert [c.body for c in review.open_case(receipt.reference, ROADS2, seeded).comments] == [INTERNAL, PUBLIC]
    # ...the resident only the public one, and not who wrote it.
    view = requests.status(receipt.reference, receipt.access_code, seeded)
    assert [(c.author, c.body) for c in view.comments] == [("City office", PUBLIC)]
    assert "Robin" not in repr(view) and "neighbour" not in repr(view)


def _quiet_pothole(uow: SqlUnitOfWork) -> None:
    """The pothole form whose inspection step keeps its comments from the resident."""
    definition = copy.deepcopy(template("report-pothole"))
    definition["slug"] = "report-pothole-quiet"
    definition["settings"]["reference_prefix"] = "PQ"
    definition["workflow"]["steps"][0]["comments_visible_to_resident"] = False
    forms.create_form(definition, DESIGNER, uow)
    forms.publish("report-pothole-quiet", DESIGNER, uow)


def test_a_step_that_hides_its_comments_shows_the_resident_none_of_them(seeded: SqlUnitOfWork) -> None:
    _quiet_pothole(seeded)
    receipt = _submit(seeded, "report-pothole-quiet")
    assert receipt.access_code
    review.act(receipt.reference, Command(Action.COMMENT, ROADS, text=PUBLIC, public=True), 1, seeded)
    assert [c.body for c in review.open_case(receipt.reference, ROADS2, seeded).comments] == [PUBLIC]
    assert requests.status(receipt.reference, receipt.access_code, seeded).comments == []


def test_a_question_on_a_step_that_hides_its_comments_still_reaches_the_resident(seeded: SqlUnitOfWork) -> None:
    """Returned for information, the resident must be able to read the question they are asked to answer,
    and a rejection's reason ("the resident reads this" on the case page) must reach them too."""
    _quiet_pothole(seeded)
    receipt = _submit(seeded, "report-pothole-quiet")
    assert receipt.access_code
    review.act(receipt.reference, Command(Action.COMMENT, ROADS, text=INTERNAL, public=True), 1, seeded)
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Which side of the street?"), 2, seeded)
    view = requests.status(receipt.reference, receipt.access_code, seeded)
    assert view.state == "needs_info" and "answer" in view.actions
    assert [c.body for c in view.comments] == ["Which side of the street?"]
    requests.resident_act(receipt.reference, receipt.access_code, Action.ANSWER, "North side", 3, ANONYMOUS, seeded)
    review.act(receipt.reference, Command(Action.REJECT, ROADS, text="Private road: not ours to repair."), 4, seeded)
    view = requests.status(receipt.reference, receipt.access_code, seeded)
    assert [c.body for c in view.comments] == ["Which side of the street?", "North side",
                                               "Private road: not ours to repair."]


def test_a_double_clicked_decision_is_applied_once(seeded: SqlUnitOfWork) -> None:
    receipt = _submit(seeded)
    approve = Command(Action.APPROVE, ROADS, text="Fine.")
    assert review.act(receipt.reference, approve, 1, seeded, idempotency_key="click-1") == "approved"
    # The second click carries the same key and the version the reviewer saw: no error, same state.
    assert review.act(receipt.reference, approve, 1, seeded, idempotency_key="click-1") == "approved"
    case = review.open_case(receipt.reference, ROADS, seeded)
    assert [(d.reviewer, d.outcome) for d in case.decisions] == [("roads", "approve")]
    assert [e.event.action for e in case.history].count("approve") == 1
    assert case.request.row_version == 2


def test_a_second_decision_with_a_new_key_at_the_old_version_is_refused_as_stale(seeded: SqlUnitOfWork) -> None:
    receipt = _submit(seeded)
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Which side?"), 1, seeded,
               idempotency_key="click-1")
    with pytest.raises(StaleRequest, match="changed since you opened it"):
        review.act(receipt.reference, Command(Action.APPROVE, ROADS2), 1, seeded, idempotency_key="click-2")
    case = review.open_case(receipt.reference, ROADS, seeded)
    assert case.request.state == "needs_info" and case.decisions == []
    assert [e.event.action for e in case.history] == ["submit", "enter_step", "return"]


def _asked(uow: SqlUnitOfWork) -> requests.Receipt:
    receipt = _submit(uow)
    review.act(receipt.reference, Command(Action.RETURN, ROADS, text="Which side?"), 1, uow)
    return receipt


def _history(uow: SqlUnitOfWork, reference: str) -> list[str]:
    return [e.event.action for e in review.open_case(reference, ROADS, uow).history]


def test_a_double_sent_answer_is_applied_once_without_an_error(seeded: SqlUnitOfWork) -> None:
    receipt = _asked(seeded)
    assert receipt.access_code
    for _ in range(2):  # the second click carries the same key and the version the resident saw
        assert requests.resident_act(receipt.reference, receipt.access_code, Action.ANSWER, "North side", 2,
                                     ANONYMOUS, seeded, idempotency_key="answer-1") == "in_review"
    case = review.open_case(receipt.reference, ROADS, seeded)
    assert _history(seeded, receipt.reference).count("answer") == 1 and case.request.row_version == 3
    assert [c.body for c in case.comments].count("North side") == 1
    # A new answer with a new key at the old version is still refused: the key is not a way around the check.
    with pytest.raises(StaleRequest):
        requests.resident_act(receipt.reference, receipt.access_code, Action.ANSWER, "South", 2, ANONYMOUS, seeded,
                              idempotency_key="answer-2")


def test_a_double_clicked_withdrawal_is_applied_once_without_an_error(seeded: SqlUnitOfWork) -> None:
    receipt = _asked(seeded)
    for _ in range(2):  # without the key, the second would be refused: a withdrawn request cannot be withdrawn
        assert requests.resident_act(receipt.reference, receipt.access_code, Action.WITHDRAW, "", 2, ANONYMOUS,
                                     seeded, idempotency_key="withdraw-1") == "withdrawn"
    assert _history(seeded, receipt.reference).count("withdraw") == 1
    assert review.open_case(receipt.reference, ROADS, seeded).request.row_version == 3


def test_two_clicks_at_the_same_moment_answer_once_and_neither_sees_an_error(seeded: SqlUnitOfWork,
                                                                              engine: object) -> None:
    import threading

    receipt = _asked(seeded)
    start = threading.Barrier(2)
    results: list[object] = []

    def click() -> None:
        start.wait(timeout=10)
        try:
            results.append(requests.resident_act(receipt.reference, receipt.access_code, Action.ANSWER,
                                                 "North side", 2, ANONYMOUS, SqlUnitOfWork(engine),  # type: ignore[arg-type]
                                                 idempotency_key="same-click"))
        except Exception as exc:  # noqa: BLE001 - the test reports what the resident would see
            results.append(exc)

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join(timeout=30)
    assert results == ["in_review", "in_review"]
    assert _history(seeded, receipt.reference).count("answer") == 1
