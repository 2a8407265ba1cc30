"""The dashboard's stored facts and indexed rank look-ups give the same figures as a fresh fold of the
log (builder.metrics.compute), over two forms and several steps, for all time and for a period,
on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest

from sqlalchemy import Engine, text
from sqlmodel import Session, select

from builder import metrics
from builder.ports import InboxQuery
from builder.sla import is_overdue
from builder.usecases import forms, insights, requests, review
from builder.workflow import Action, Command
from storage import figures
from storage.models import AuditRecord
from storage.repositories import chained_from_row
from storage.uow import SqlUnitOfWork
from tests.conftest import template
from tests.helpers import DESIGNER, EVENTS, RESIDENT, ROADS, SAFETY, seed_organisation

DAY = datetime(2026, 10, 5, 9, tzinfo=UTC)
NOW = DAY + timedelta(days=30)
PARTY = {"organiser": "Pat Party", "email": "pat@example.org", "street": "Elm Street", "event_date": "2027-06-01",
         "start_time": "14:00:00", "end_time": "22:00:00", "guests": 40}
POTHOLE = {"location": "Market Street 12", "size": "small"}


def _history(uow: SqlUnitOfWork) -> dict[str, str]:
    """Requests in every situation the figures tell apart; returns reference -> form."""
    forms.create_form(template("street-party-permit"), DESIGNER, uow, now=DAY - timedelta(days=1))
    forms.publish("street-party-permit", DESIGNER, uow, now=DAY - timedelta(days=1))
    made: dict[str, str] = {}
    for n in range(8):
        ref = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=f"p{n}",
                              now=DAY + timedelta(days=n, hours=n)).reference
        made[ref] = "report-pothole"
        at = DAY + timedelta(days=n + 1 + n % 3, hours=2)
        if n % 4 == 0:
            review.act(ref, Command(Action.APPROVE, ROADS), 1, uow, now=at)
        elif n % 4 == 1:
            review.act(ref, Command(Action.RETURN, ROADS, text="Photo?"), 1, uow, now=at)
            if n > 2:  # one answered, one still waiting on the resident
                requests.resident_act(ref, None, Action.ANSWER, "Here", 2, RESIDENT, uow, now=at + timedelta(days=2))
                review.act(ref, Command(Action.REJECT, ROADS, text="No"), 3, uow, now=at + timedelta(days=9))
        elif n % 4 == 2:
            requests.resident_act(ref, None, Action.WITHDRAW, "", 1, RESIDENT, uow, now=at)
    for n in range(5):
        ref = requests.submit("street-party-permit", PARTY, RESIDENT, uow, idempotency_key=f"s{n}",
                              now=DAY + timedelta(days=2 * n, hours=3)).reference
        made[ref] = "street-party-permit"
        at = DAY + timedelta(days=2 * n + 3)
        if n < 4:
            review.act(ref, Command(Action.APPROVE, EVENTS), 1, uow, now=at)  # on to the safety step
        if n < 2:
            review.act(ref, Command(Action.APPROVE, SAFETY), 2, uow, now=at + timedelta(days=12 + n))
        elif n == 2:
            review.act(ref, Command(Action.RETURN, SAFETY, text="Which street?"), 2, uow, now=at + timedelta(days=1))
    return made


def _pure(engine: Engine, form_of: dict[str, str]) -> metrics.Dashboard:
    with Session(engine) as session:
        events = [chained_from_row(r).event for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
    steps = {"report-pothole": {"inspection": metrics.StepInfo("Inspection by the roads team", 5)},
             "street-party-permit": {"events-check": metrics.StepInfo("Events office check", 5),
                                     "safety": metrics.StepInfo("Public safety review", 10)}}
    return metrics.compute(events, form_of, steps, NOW)


def _rounded(value: object) -> object:
    """Figures with durations to the millisecond (the database keeps epoch seconds as floats)."""
    if isinstance(value, timedelta):
        return round(value.total_seconds(), 3)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _rounded(getattr(value, k)) for k in value.__dataclass_fields__ if k != "step_name"}
    return value


def test_figures_over_two_forms_equal_a_fresh_fold(seeded: SqlUnitOfWork, engine: Engine) -> None:
    form_of = _history(seeded)
    shown = insights.dashboard(DESIGNER, seeded, now=NOW)
    expected = _pure(engine, form_of)
    assert [f.form for f in shown.forms] == ["report-pothole", "street-party-permit"]
    assert _rounded(shown.forms) == _rounded(expected.forms)
    assert _rounded(shown.overall) == _rounded(expected.overall) and shown.overall.received == 13
    assert _rounded(shown.steps) == _rounded(expected.steps)
    assert _rounded(shown.weeks) == _rounded(expected.weeks)
    assert shown.overall.median_resident_wait is not None and shown.steps[-1].open_now == 2


def test_step_ages_and_outcomes_from_the_database_equal_a_fresh_fold(seeded: SqlUnitOfWork, engine: Engine) -> None:
    form_of = _history(seeded)
    shown = {(s.form, s.step): s for s in insights.dashboard(DESIGNER, seeded, now=NOW).steps}
    expected = {(s.form, s.step): s for s in _pure(engine, form_of).steps}
    keys = ("open_now", "open_median_age", "open_oldest_age", "approved", "rejected", "approval_rate",
            "rejection_rate")
    assert {k: [_rounded(getattr(s, f)) for f in keys] for k, s in shown.items()} == \
        {k: [_rounded(getattr(s, f)) for f in keys] for k, s in expected.items()}
    inspection = shown[("report-pothole", "inspection")]
    # Pothole n%4: 0 approved (n=0, 4), 1 returned then rejected (n=5) or still asked (n=1), 2 withdrawn,
    # 3 open at the inspection: three still there (n=1, 3, 7).
    assert (inspection.approved, inspection.rejected, inspection.open_now) == (2, 1, 3)
    assert inspection.approval_rate == 2 / 3 and inspection.rejection_rate == 1 / 3
    # n=1 submitted on day 0 + 1 h, n=3 on day 3 + 3 h, n=7 on day 7 + 7 h, looked at 30 days later.
    assert inspection.open_oldest_age == NOW - (DAY + timedelta(days=1, hours=1))
    assert inspection.open_median_age == NOW - (DAY + timedelta(days=3, hours=3))
    safety = shown[("street-party-permit", "safety")]
    assert (safety.approved, safety.rejected, safety.approval_rate, safety.open_now) == (2, 0, 1.0, 2)


def test_figures_of_a_period_equal_a_fresh_fold_of_its_requests(seeded: SqlUnitOfWork, engine: Engine) -> None:
    form_of = _history(seeded)
    start, end = DAY + timedelta(days=2), DAY + timedelta(days=7)
    shown = insights.dashboard(DESIGNER, seeded, now=NOW, submitted_from=start, submitted_to=end)
    with Session(engine) as session:
        inside = set(session.exec(text("SELECT reference FROM submission WHERE submitted_at >= :a AND submitted_at < :b")
                                  .bindparams(a=start, b=end)).scalars().all())
    expected = _pure(engine, {ref: form for ref, form in form_of.items() if ref in inside})
    assert 0 < shown.overall.received == len(inside) < len(form_of)
    assert _rounded(shown.forms) == _rounded(expected.forms) and _rounded(shown.overall) == _rounded(expected.overall)
    assert _rounded(shown.steps) == _rounded(expected.steps)


def test_the_stored_rank_columns_equal_a_fresh_fold(seeded: SqlUnitOfWork, engine: Engine) -> None:
    form_of = _history(seeded)
    insights.refresh_figures(seeded)
    with Session(engine) as session:
        events = [chained_from_row(r).event for r in session.exec(select(AuditRecord).order_by(AuditRecord.seq))]
        stored = {ref: (decision, wait) for ref, decision, wait in session.exec(
            text("SELECT reference, decision_s, wait_s FROM request_figure")).all()}
        visits = {(ref, number): city for ref, number, city in session.exec(
            text("SELECT reference, number, city_s FROM visit_figure")).all()}
    by_reference: dict[str, list] = {}
    for event in events:
        if event.reference in form_of:
            by_reference.setdefault(event.reference, []).append((form_of[event.reference], 1, event))
    facts = metrics.facts_of([tagged for ref in sorted(by_reference) for tagged in by_reference[ref]], {})
    assert stored == {f.reference: (f.decision_s, f.settled_wait_s) for f in facts}
    assert visits == {(f.reference, n): v.settled_city_s for f in facts for n, v in enumerate(f.visits)}
    assert any(v is None for v in visits.values()) and any(w for _, w in stored.values())


def _pothole_v1_then_v2(uow: SqlUnitOfWork) -> dict[str, str]:
    """Version 1: inspection in 2 working days, then a repair step (3 days). Version 2: the inspection
    renamed and given 10 working days, the repair step removed. Requests of both versions, the open ones
    submitted on DAY (a Monday) and the decided ones a week before; returns name -> reference."""
    document = template("report-pothole")
    document["workflow"]["steps"][0]["sla_days"] = 2
    document["workflow"]["steps"].append({"id": "repair", "name": "Repair planning", "group": "Road inspectors",
                                          "sla_days": 3})
    forms.create_form(document, DESIGNER, uow, now=DAY - timedelta(days=10))
    assert forms.publish("report-pothole", DESIGNER, uow, now=DAY - timedelta(days=10)) == 1
    week_before = DAY - timedelta(days=7)
    made = {}
    for name, when in (("v1 rejected", week_before), ("v1 open", DAY), ("v1 at repair", DAY)):
        made[name] = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=name, version=1,
                                     now=when).reference
    draft = forms.open_draft("report-pothole", DESIGNER, uow)
    changed = draft.document
    changed["workflow"]["steps"] = [{**changed["workflow"]["steps"][0], "name": "Roads inspection", "sla_days": 10}]
    forms.save_draft("report-pothole", changed, draft.revision, DESIGNER, uow)
    assert forms.publish("report-pothole", DESIGNER, uow, now=week_before) == 2
    for name, when in (("v2 rejected", week_before), ("v2 open", DAY)):
        made[name] = requests.submit("report-pothole", POTHOLE, RESIDENT, uow, idempotency_key=name,
                                     now=when).reference
    # Both rejected after 5 working days at the inspection: late for version 1 (2 days), in time for version 2.
    for name in ("v1 rejected", "v2 rejected"):
        review.act(made[name], Command(Action.REJECT, ROADS, text="No"), 1, uow, now=DAY + timedelta(hours=1))
    review.act(made["v1 at repair"], Command(Action.APPROVE, ROADS), 1, uow, now=DAY + timedelta(days=1))
    return made


def test_breaches_follow_each_request_s_own_version_and_agree_with_the_inbox(engine: Engine) -> None:
    uow = seed_organisation(engine)
    made = _pothole_v1_then_v2(uow)
    now = DAY + timedelta(days=7)  # Monday: 5 working days after the open requests were submitted
    with uow.reading():
        stored = {r.reference: r for r in (uow.requests.get(ref) for ref in made.values()) if r is not None}
    assert {name: stored[ref].version_number for name, ref in made.items()} == {
        "v1 rejected": 1, "v1 open": 1, "v1 at repair": 1, "v2 rejected": 2, "v2 open": 2}
    inbox = review.inbox(ROADS, uow, InboxQuery(groups=ROADS.reviewer_groups, limit=100)).rows
    overdue = {r.reference for r in inbox if is_overdue(r.due_on, now.date())}
    # Version 1's inspection was due 2 working days after DAY, its repair 3 after DAY + 1; version 2's in 10.
    assert overdue == {made["v1 open"], made["v1 at repair"]}

    everything = insights.dashboard(DESIGNER, uow, now=now)
    steps = {s.step: s for s in everything.steps}
    assert everything.forms[0].sla_breaches == 3  # v1 rejected late, v1 open, v1 at repair
    assert [(s.step, s.step_name) for s in everything.steps] == [("inspection", "Roads inspection"),
                                                                  ("repair", "Repair planning")]
    assert (steps["inspection"].sla_breaches, steps["repair"].sla_breaches) == (2, 1)

    # The requests still open (submitted on DAY): the dashboard's breaches are the inbox's overdue ones.
    open_now = insights.dashboard(DESIGNER, uow, now=now, submitted_from=DAY, submitted_to=DAY + timedelta(days=1))
    assert open_now.forms[0].open_backlog == len(inbox) == 3
    assert open_now.forms[0].sla_breaches == len(overdue)
    assert {s.step: s.sla_breaches for s in open_now.steps} == {
        step: sum(1 for r in inbox if r.step_id == step and r.reference in overdue) for step in ("inspection", "repair")}


def test_facts_folded_by_an_older_fold_are_folded_again_once(seeded: SqlUnitOfWork, engine: Engine) -> None:
    """Facts stored before requests were measured with their own version are refolded on the next view."""
    form_of = _history(seeded)
    assert insights.refresh_figures(seeded) == len(form_of)
    assert insights.refresh_figures(seeded) == 0
    with Session(engine) as session:
        session.exec(text("DELETE FROM app_setting WHERE key = 'figures_fold'"))  # as before the change
        session.commit()
    assert insights.refresh_figures(seeded) == len(form_of)
    assert insights.refresh_figures(seeded) == 0


def test_the_background_thread_folds_in_small_batches_what_a_view_would_fold(seeded: SqlUnitOfWork,
                                                                              engine: Engine) -> None:
    """The app's figures thread brings the facts up to date without a view, a few events per transaction,
    and the figures are then the same as a fresh fold: the next view finds nothing left to fold."""
    form_of = _history(seeded)
    thread = figures.FiguresThread(engine, (), every_seconds=3600)
    with patch.object(figures, "BACKGROUND_BATCH", 7):  # many short transactions over this small log
        assert thread.fold_once() >= len(form_of)
    assert thread.fold_once() == 0 and insights.refresh_figures(seeded) == 0
    shown = insights.dashboard(DESIGNER, seeded, now=NOW)
    expected = _pure(engine, form_of)
    assert _rounded(shown.forms) == _rounded(expected.forms) and _rounded(shown.steps) == _rounded(expected.steps)


def test_the_app_s_figures_thread_runs_on_its_own_and_stops(seeded: SqlUnitOfWork, engine: Engine) -> None:
    requests.submit("report-pothole", POTHOLE, RESIDENT, seeded, idempotency_key="thread")
    thread = figures.start_in_app(engine, (), every_seconds=0.05, first_after_seconds=0)
    assert thread is not None
    try:
        deadline = time.monotonic() + 20
        while thread.folded == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert thread.folded == 1, "the new request was folded without any dashboard view"
        assert insights.refresh_figures(seeded) == 0
    finally:
        thread.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert figures.start_in_app(engine, (), every_seconds=0) is None, "0 turns the thread off"


def test_the_refresh_interval_setting_is_read_and_a_wrong_value_names_it() -> None:
    assert figures.interval_seconds({}) == figures.DEFAULT_INTERVAL_SECONDS
    assert figures.interval_seconds({"FORMWORK_FIGURES_REFRESH_SECONDS": "15"}) == 15
    with pytest.raises(ValueError, match="FORMWORK_FIGURES_REFRESH_SECONDS"):
        figures.interval_seconds({"FORMWORK_FIGURES_REFRESH_SECONDS": "soon"})
