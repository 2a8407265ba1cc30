"""The inbox query, its filters, counts and export on SQLite and PostgreSQL (issue 5)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from builder.ports import Actor, InboxQuery
from builder.spreadsheet import to_csv
from builder.usecases import forms, requests, review
from builder.workflow import Action, Command
from storage import repositories
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, EVENTS, RESIDENT, ROADS, ROADS2, seed_organisation

BOTH = Actor("both", "Bo", reviewer_groups=frozenset({"Road inspectors", "Events office"}))
DAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
FINISHED = ("approved", "rejected", "withdrawn")


@pytest.fixture
def seeded(engine: Engine) -> SqlUnitOfWork:
    uow = seed_organisation(engine)
    for slug in ("report-pothole", "street-party-permit"):
        forms.create_form(template(slug), DESIGNER, uow)
        forms.publish(slug, DESIGNER, uow)
    return uow


def _pothole(uow: SqlUnitOfWork, number: int, location: str = "Market Street 12") -> str:
    return requests.submit("report-pothole", {"location": location, "size": "small"}, RESIDENT, uow,
                           idempotency_key=f"p{number}", now=DAY + timedelta(days=number)).reference


def test_filters_sort_and_pages(seeded: SqlUnitOfWork) -> None:
    refs = [_pothole(seeded, n) for n in range(6)]
    base = InboxQuery(groups=frozenset({"Road inspectors"}), limit=4)
    first = review.inbox(ROADS, seeded, base)
    assert [r.reference for r in first.rows] == refs[::-1][:4] and first.total == 6
    second = review.inbox(ROADS, seeded, replace(base, offset=4))
    assert [r.reference for r in second.rows] == refs[::-1][4:]
    oldest = review.inbox(ROADS, seeded, replace(base, newest_first=False, limit=2))
    assert [r.reference for r in oldest.rows] == refs[:2]
    found = review.inbox(ROADS, seeded, replace(base, reference_contains=refs[3][-5:].lower()))
    assert [r.reference for r in found.rows] == [refs[3]]
    window = review.inbox(ROADS, seeded, replace(base, submitted_from=DAY + timedelta(days=1),
                                                   submitted_to=DAY + timedelta(days=3)))
    assert sorted(r.reference for r in window.rows) == refs[1:3]
    review.act(refs[0], Command(Action.CLAIM, ROADS), 1, seeded)
    mine = review.inbox(ROADS, seeded, replace(base, claimed_by="roads"))
    unclaimed = review.inbox(ROADS, seeded, replace(base, unclaimed_only=True))
    assert [r.reference for r in mine.rows] == [refs[0]] and unclaimed.total == 5
    overdue = review.inbox(ROADS, seeded, replace(base, overdue_on=date(2026, 11, 11)))
    assert {r.reference for r in overdue.rows} == {refs[0], refs[1]}  # due after 5 working days
    assert review.inbox(ROADS, seeded, replace(base, step_id="nope")).total == 0
    assert review.inbox(ROADS, seeded, replace(base, form_slug="street-party-permit")).total == 0
    # An approved request is finished work of the group that decided it last: "Finished" lists it.
    review.act(refs[5], Command(Action.APPROVE, ROADS2), 1, seeded)
    finished = review.inbox(ROADS, seeded, replace(base, states=FINISHED))
    assert [(r.reference, r.state) for r in finished.rows] == [(refs[5], "approved")] and finished.total == 1
    assert review.inbox(ROADS, seeded, base).total == 5
    counts = review.inbox_counts(ROADS, seeded, {"open": ("in_review",), "finished": FINISHED})
    assert (counts["open"].total, counts["finished"].total) == (5, 1)


def test_several_groups_and_states_merge_in_order(seeded: SqlUnitOfWork, engine: Engine) -> None:
    pothole = _pothole(seeded, 1)
    party_answers = {"organiser": "Pat Party", "email": "pat@example.org", "street": "Elm Street",
                     "event_date": "2027-06-01", "start_time": "14:00:00", "end_time": "22:00:00", "guests": 40}
    party = requests.submit("street-party-permit", party_answers, RESIDENT, seeded, idempotency_key="party",
                            now=DAY + timedelta(days=3)).reference
    later = _pothole(seeded, 5)
    review.act(later, Command(Action.RETURN, ROADS, text="Which side?"), 1, seeded)
    page = review.inbox(BOTH, seeded, InboxQuery(groups=BOTH.reviewer_groups, states=("in_review", "needs_info")))
    assert [r.reference for r in page.rows] == [later, party, pothole] and page.total == 3


def test_counts_stop_at_the_cap(seeded: SqlUnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(5):
        _pothole(seeded, number)
    monkeypatch.setattr(repositories, "INBOX_COUNT_CAP", 3)
    counts = review.inbox_counts(ROADS, seeded, {"open": ("in_review",), "done": ("approved",)})
    assert (counts["open"].total, counts["open"].total_is_capped) == (3, True)
    assert (counts["done"].total, counts["done"].total_is_capped) == (0, False)


def test_export_escapes_formulas_and_leaves_answers_out(seeded: SqlUnitOfWork) -> None:
    reference = _pothole(seeded, 1, location="=HYPERLINK(\"http://evil\")")
    review.act(reference, Command(Action.REASSIGN, ROADS, text="x", to_member="roads2"), 1, seeded)
    rows = review.export_selection(ROADS, seeded, InboxQuery(groups=ROADS.reviewer_groups))
    assert [r["Reference"] for r in rows] == [reference] and rows[0]["Claimed by"] == "roads2"
    table = list(csv.reader(io.StringIO(to_csv(rows).decode("utf-8-sig"))))
    assert "HYPERLINK" not in to_csv(rows).decode("utf-8-sig")
    assert table[0][0] == "Reference" and table[1][0] == reference


def test_export_names_states_from_the_staff_side(seeded: SqlUnitOfWork) -> None:
    returned, withdrawn, approved = _pothole(seeded, 1), _pothole(seeded, 2), _pothole(seeded, 3)
    review.act(returned, Command(Action.RETURN, ROADS, text="Which side?"), 1, seeded)
    requests.resident_act(withdrawn, None, Action.WITHDRAW, "", 1, RESIDENT, seeded)
    review.act(approved, Command(Action.APPROVE, ROADS), 1, seeded)
    everything = InboxQuery(groups=ROADS.reviewer_groups, states=("in_review", "needs_info", *FINISHED))
    states = {r["Reference"]: r["State"] for r in review.export_selection(ROADS, seeded, everything)}
    assert states == {returned: "Waiting for the resident", withdrawn: "Withdrawn by the resident",
                      approved: "Approved"}
    assert "you" not in " ".join(states.values()).lower()


def test_due_date_soonest_first_puts_requests_without_a_due_date_last(seeded: SqlUnitOfWork) -> None:
    # Submitted first, but the holidays push its due date past the others'.
    late = requests.submit("report-pothole", {"location": "Market Street 1", "size": "small"}, RESIDENT, seeded,
                           idempotency_key="late", now=DAY,
                           holidays=tuple(date(2026, 11, day) for day in range(3, 14))).reference
    soon, sooner_later = _pothole(seeded, 1), _pothole(seeded, 2)
    waiting = _pothole(seeded, 3)  # returned to the resident: no due date while it waits
    review.act(waiting, Command(Action.RETURN, ROADS, text="Which side?"), 1, seeded)
    query = InboxQuery(groups=ROADS.reviewer_groups, states=("in_review", "needs_info"), due_soonest_first=True)
    page = review.inbox(ROADS, seeded, query)
    assert [r.reference for r in page.rows] == [soon, sooner_later, late, waiting] and page.total == 4
    assert [r.due_on for r in page.rows][:3] == sorted(r.due_on for r in page.rows[:3] if r.due_on)
    second = review.inbox(ROADS, seeded, replace(query, limit=2, offset=2))
    assert [r.reference for r in second.rows] == [late, waiting]
    overdue = review.inbox(ROADS, seeded, replace(query, overdue_on=date(2026, 11, 12)))
    assert [r.reference for r in overdue.rows] == [soon, sooner_later]
    # Several groups merge in due order too.
    both = review.inbox(BOTH, seeded, replace(query, groups=BOTH.reviewer_groups))
    assert [r.reference for r in both.rows] == [soon, sooner_later, late, waiting]


def test_every_change_is_one_audit_event_without_answer_values(seeded: SqlUnitOfWork) -> None:
    reference = _pothole(seeded, 1, location="Secret Lane 7")
    steps = [Command(Action.CLAIM, ROADS), Command(Action.COMMENT, ROADS, text="Looked at it"),
             Command(Action.RETURN, ROADS, text="Which side?")]
    for number, command in enumerate(steps, start=1):
        review.act(reference, command, number, seeded)
    requests.resident_act(reference, None, Action.ANSWER, "North side", 4, RESIDENT, seeded)
    review.act(reference, Command(Action.REASSIGN, ROADS, text="Holiday", to_group="Public safety"), 5, seeded)
    case = review.open_case(reference, ROADS, seeded)
    actions = [e.event.action for e in case.history]
    assert actions == ["submit", "enter_step", "claim", "comment", "return", "answer", "reassign"]
    assert all("Secret Lane" not in str(e.event) and "North side" not in str(e.event) for e in case.history)
    assert case.request.group == "Public safety" and case.request.step_id == "inspection"
    assert [c.body for c in case.comments if c.author == "resident"] == ["North side"]
    with pytest.raises(Exception, match="changed since you opened it"):
        review.act(reference, Command(Action.APPROVE, ROADS2), 5, seeded)


def test_withdraw_while_open_but_not_after(seeded: SqlUnitOfWork) -> None:
    reference = _pothole(seeded, 1)
    assert requests.resident_act(reference, None, Action.WITHDRAW, "", 1, RESIDENT, seeded) == "withdrawn"
    with pytest.raises(Exception, match="not possible while the request is withdrawn"):
        requests.resident_act(reference, None, Action.WITHDRAW, "", 2, RESIDENT, seeded)


def test_holidays_move_the_due_date(seeded: SqlUnitOfWork) -> None:
    receipt = requests.submit("report-pothole", {"location": "Market Street 1", "size": "small"}, RESIDENT, seeded,
                              idempotency_key="h", now=DAY, holidays=(date(2026, 11, 3),))
    assert review.open_case(receipt.reference, ROADS, seeded).request.due_on == date(2026, 11, 10)


def test_filters_by_form_and_by_step_return_exactly_the_matching_requests(seeded: SqlUnitOfWork) -> None:
    potholes = [_pothole(seeded, n) for n in range(2)]
    party_answers = {"organiser": "Pat Party", "email": "pat@example.org", "street": "Elm Street",
                     "event_date": "2027-06-01", "start_time": "14:00:00", "end_time": "22:00:00", "guests": 40}
    parties = [requests.submit("street-party-permit", party_answers, RESIDENT, seeded, idempotency_key=f"party{n}",
                               now=DAY + timedelta(days=3 + n)).reference for n in range(2)]
    review.act(parties[0], Command(Action.APPROVE, EVENTS), 1, seeded)  # on to the "safety" step
    everyone = Actor("all", "Al", reviewer_groups=frozenset({"Road inspectors", "Events office", "Public safety"}))
    base = InboxQuery(groups=everyone.reviewer_groups)
    assert review.inbox(everyone, seeded, base).total == 4

    def refs(**filters: str) -> list[str]:
        page = review.inbox(everyone, seeded, replace(base, **filters))
        assert page.total == len(page.rows)
        return sorted(r.reference for r in page.rows)

    assert refs(form_slug="street-party-permit") == sorted(parties)
    assert refs(form_slug="report-pothole") == sorted(potholes)
    assert refs(step_id="safety") == [parties[0]]
    assert refs(step_id="events-check") == [parties[1]]
    assert refs(step_id="inspection") == sorted(potholes)
    assert refs(form_slug="report-pothole", step_id="safety") == []
    assert refs(form_slug="street-party-permit", step_id="safety") == [parties[0]]
