"""Efficiency figures computed from the audit log (pure: no database, no Streamlit).

One pass over the events, in the order they were written, follows every request through its steps:

- a *visit* is the time a request spends at one step: from ``enter_step`` until the next step,
  the decision or the withdrawal (or until now, when it is still there);
- time *waiting on the resident* is every ``return`` → ``answer`` (or → withdrawal) interval; it is
  subtracted from the step's time, because the city cannot act while it waits for an answer. A request
  the resident never answered is closed by the retention purge (``abandon``, to ``withdrawn``): it
  counts as withdrawn from then on, and its wait on the resident ends there;
- a visit *breaches its SLA* when it is still undecided after its due date. As in the workflow
  engine, the due date is the step's ``sla_days`` working days after the request entered the step,
  restarted when the resident answers; the clock stops while the request waits on the resident. The
  SLA is the one of the form version the request was submitted on (as the inbox's due dates are), not
  the latest version's (see ``StepBook``);
- a visit ends with an *outcome*: ``approved`` when the request moves on from the step (to the next
  step or to its completion), ``rejected`` or ``withdrawn`` when it ends there; a step's approval and
  rejection rates are shares of its visits that ended approved or rejected;
- the *age* of a request open at a step is the time since it entered the step (calendar time, as
  for the backlog of a form), whether the city or the resident has it right now;
- the *bottleneck* is the step with the longest median time waiting for the city.

Percentiles use the nearest-rank method (p90 of 10 values is the 9th smallest), so a figure is
always a duration that really happened.

``compute`` reads a log and returns every figure; it is the definition. At scale the same fold
produces per-request *facts* (``facts_of``), which storage keeps and aggregates in SQL with the same
definitions (see the section at the end); a test checks that both give the same figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from builder.ports import AuditEvent
from builder.sla import add_working_days

DECIDED = ("approved", "rejected")
FINISHED = ("approved", "rejected", "withdrawn")
ZERO = timedelta(0)


@dataclass(frozen=True)
class StepInfo:
    """What the figures need to know of a workflow step."""

    name: str
    sla_days: int | None = None


@dataclass(frozen=True)
class StepBook:
    """The steps of every published version of the forms, for the fold and for naming the figures.

    A request is folded with the steps (SLAs) of the version it was submitted on; a request whose version
    is unknown here falls back to the form's named steps. A step is named after its latest version; a step
    since removed keeps the name it had in the newest version that still had it. ``named`` lists, per form,
    the latest version's steps in their order, then the removed ones.
    """

    versions: Mapping[tuple[str, int], Mapping[str, StepInfo]]  # (form slug, version number) -> steps
    named: Mapping[str, Mapping[str, StepInfo]]

    @classmethod
    def of_versions(cls, versions: Mapping[tuple[str, int], Mapping[str, StepInfo]]) -> StepBook:
        named: dict[str, dict[str, StepInfo]] = {}
        for (form, _), steps in sorted(versions.items(), key=lambda kv: -kv[0][1]):  # newest first
            known = named.setdefault(form, {})
            for step, info in steps.items():
                known.setdefault(step, info)
        return cls(versions, named)

    @classmethod
    def same_for_all(cls, steps: Mapping[str, Mapping[str, StepInfo]]) -> StepBook:
        """Every request of a form measured with the same steps (hand-made logs)."""
        return cls({}, steps)

    def steps_of(self, form: str, version: int | None) -> Mapping[str, StepInfo]:
        found = self.versions.get((form, version)) if version is not None else None
        return found if found is not None else self.named.get(form, {})


Steps = StepBook | Mapping[str, Mapping[str, StepInfo]]  # a plain mapping: the same steps for every version


def _book(steps: Steps) -> StepBook:
    return steps if isinstance(steps, StepBook) else StepBook.same_for_all(steps)


@dataclass
class _Visit:
    form: str
    step: str
    entered_at: datetime
    due_on: date | None
    left_at: datetime | None = None
    resident_wait: timedelta = ZERO
    breached: bool = False
    outcome: str | None = None  # "approved" (moved on), "rejected" or "withdrawn" once left


@dataclass
class _Trace:
    """One request followed through the log."""

    form: str
    steps: Mapping[str, StepInfo]  # of the version the request was submitted on
    submitted_at: datetime | None = None
    state: str = "submitted"
    finished_at: datetime | None = None
    waiting_since: datetime | None = None  # in needs_info since
    resident_wait: timedelta = ZERO
    visit: _Visit | None = None
    breached: bool = False
    visits: list[_Visit] = field(default_factory=list)


@dataclass(frozen=True)
class FormFigures:
    form: str
    received: int
    open_backlog: int
    backlog_median_age: timedelta | None
    backlog_oldest_age: timedelta | None
    decided: int
    approved: int
    rejected: int
    withdrawn: int
    approval_rate: float | None  # of decided requests
    rejection_rate: float | None
    median_to_decision: timedelta | None
    p90_to_decision: timedelta | None
    median_resident_wait: timedelta | None  # over requests that were asked a question
    total_resident_wait: timedelta
    sla_breaches: int  # requests with at least one step past its due date


@dataclass(frozen=True)
class StepFigures:
    form: str
    step: str
    step_name: str
    visits: int
    open_now: int
    median_wait: timedelta | None  # time waiting for the city, resident waits excluded
    p90_wait: timedelta | None
    total_resident_wait: timedelta
    sla_breaches: int
    open_median_age: timedelta | None  # of the requests at the step now, since they entered it
    open_oldest_age: timedelta | None
    approved: int  # visits that moved on from the step (next step or completion)
    rejected: int  # visits that ended with a rejection at the step
    approval_rate: float | None  # of the visits decided at the step (approved + rejected)
    rejection_rate: float | None


@dataclass(frozen=True)
class WeekFigures:
    week_starting: date
    form: str
    received: int
    decided: int


@dataclass(frozen=True)
class Dashboard:
    forms: list[FormFigures]
    steps: list[StepFigures]
    weeks: list[WeekFigures]
    bottleneck: StepFigures | None
    overall: FormFigures | None = None
    events_read: int = 0


@dataclass
class _Collector:
    book: StepBook
    holidays: Collection[date]
    traces: dict[str, _Trace] = field(default_factory=dict)
    visits: list[_Visit] = field(default_factory=list)
    events_read: int = 0
    _due: dict[tuple[date, int], date] = field(default_factory=dict)

    def due_on(self, start: date, sla_days: int) -> date:
        # Thousands of requests enter a step on the same day: count the working days once per day.
        key = (start, sla_days)
        found = self._due.get(key)
        if found is None:
            found = self._due[key] = add_working_days(start, sla_days, self.holidays)
        return found


def median(values: list[timedelta]) -> timedelta | None:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def week_of(moment: datetime) -> date:
    """The Monday of the ISO week of ``moment``."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


def compute(events: Iterable[AuditEvent], form_of: Mapping[str, str], steps: Steps, now: datetime,
            holidays: Collection[date] = (), *, version_of: Mapping[str, int] | None = None) -> Dashboard:
    """All figures for the requests named in ``form_of`` (reference → form slug).

    ``events`` must come in the order they were written; events of other requests are skipped.
    ``steps`` gives each step's name and SLA: a ``StepBook`` per form version, with ``version_of``
    (reference → the version number it was submitted on), or a plain mapping per form for all versions.
    """
    versions = version_of or {}
    tagged = ((form_of[e.reference], versions.get(e.reference), e)
              for e in events if e.reference is not None and e.reference in form_of)
    return compute_tagged(tagged, steps, now, holidays)


def compute_tagged(tagged: Iterable[tuple[str, int | None, AuditEvent]], steps: Steps,
                   now: datetime, holidays: Collection[date] = ()) -> Dashboard:
    """The same from (form slug, version number, event) triples, as the repository streams them."""
    collector = _Collector(_book(steps), holidays)
    for form, version, event in tagged:
        collector.events_read += 1
        _follow(collector, event, form, version)
    for trace in collector.traces.values():
        _settle_open(trace, now)
    return _summarise(collector, now)


def _follow(collector: _Collector, event: AuditEvent, form: str, version: int | None) -> None:
    trace = collector.traces.get(event.reference or "")
    if trace is None:
        trace = collector.traces[event.reference or ""] = _Trace(form, collector.book.steps_of(form, version))
    handler = _HANDLERS.get(event.action)
    if handler is not None:
        handler(collector, trace, event)
    elif event.to_state in FINISHED and trace.finished_at is None:
        _finish(trace, event)


def _on_submit(collector: _Collector, trace: _Trace, event: AuditEvent) -> None:
    trace.submitted_at = event.at
    trace.state = "submitted"


def _on_enter_step(collector: _Collector, trace: _Trace, event: AuditEvent) -> None:
    _close_visit(trace, event.at, "approved")  # only an approval moves a request on to another step
    step = event.to_step or ""
    info = trace.steps.get(step)
    due = collector.due_on(event.at.date(), info.sla_days) if info and info.sla_days else None
    trace.visit = _Visit(trace.form, step, event.at, due)
    collector.visits.append(trace.visit)
    trace.visits.append(trace.visit)
    trace.state = "in_review"


def _on_return(collector: _Collector, trace: _Trace, event: AuditEvent) -> None:
    _check_due(trace, event.at)
    trace.waiting_since = event.at
    trace.state = "needs_info"


def _on_answer(collector: _Collector, trace: _Trace, event: AuditEvent) -> None:
    _stop_waiting(trace, event.at)
    visit = trace.visit
    if visit is not None:
        info = trace.steps.get(visit.step)
        if info and info.sla_days:
            # The engine restarts the clock when the resident answers.
            visit.due_on = collector.due_on(event.at.date(), info.sla_days)
    trace.state = "in_review"


def _on_final(collector: _Collector, trace: _Trace, event: AuditEvent) -> None:
    _finish(trace, event)


def _finish(trace: _Trace, event: AuditEvent) -> None:
    if trace.state != "needs_info":
        _check_due(trace, event.at)
    _stop_waiting(trace, event.at)
    _close_visit(trace, event.at, event.to_state if event.to_state in FINISHED else None)
    trace.state = event.to_state or trace.state
    trace.finished_at = event.at


_HANDLERS = {
    "submit": _on_submit,
    "enter_step": _on_enter_step,
    "return": _on_return,
    "answer": _on_answer,
    "reject": _on_final,
    "withdraw": _on_final,
    "abandon": _on_final,  # the retention purge closed a request left waiting on the resident: withdrawn
    "complete": _on_final,
}


def _stop_waiting(trace: _Trace, at: datetime) -> None:
    if trace.waiting_since is None:
        return
    waited = at - trace.waiting_since
    trace.resident_wait += waited
    if trace.visit is not None:
        trace.visit.resident_wait += waited
    trace.waiting_since = None


def _check_due(trace: _Trace, at: datetime) -> None:
    visit = trace.visit
    if visit is not None and visit.due_on is not None and at.date() > visit.due_on:
        visit.breached = True
        trace.breached = True


def _close_visit(trace: _Trace, at: datetime, outcome: str | None) -> None:
    if trace.visit is not None:
        trace.visit.left_at = at
        trace.visit.outcome = outcome
        trace.visit = None


def _settle_open(trace: _Trace, now: datetime) -> None:
    """Requests still open are measured up to now (without closing them)."""
    if trace.finished_at is not None:
        return
    if trace.state == "in_review":
        _check_due(trace, now)


def _city_time(visit: _Visit, now: datetime) -> timedelta:
    return (visit.left_at or now) - visit.entered_at - visit.resident_wait


def _resident_time(visit: _Visit, now: datetime, trace_waiting_since: datetime | None) -> timedelta:
    if visit.left_at is None and trace_waiting_since is not None:
        return visit.resident_wait + (now - trace_waiting_since)
    return visit.resident_wait


def _summarise(collector: _Collector, now: datetime) -> Dashboard:
    by_form: dict[str, list[_Trace]] = defaultdict(list)
    for trace in collector.traces.values():
        if trace.submitted_at is not None:
            by_form[trace.form].append(trace)
    open_waiting = {id(t.visit): t.waiting_since for t in collector.traces.values() if t.visit is not None}
    forms = [_form_figures(form, traces, now) for form, traces in sorted(by_form.items())]
    steps = _step_figures(collector, now, open_waiting)
    everyone = [t for traces in by_form.values() for t in traces]
    overall = _form_figures("(all forms)", everyone, now) if everyone else None
    waiting_steps = [s for s in steps if s.median_wait is not None]
    bottleneck = max(waiting_steps, key=lambda s: (s.median_wait, s.p90_wait or ZERO), default=None)
    return Dashboard(forms, steps, _week_figures(by_form), bottleneck, overall, collector.events_read)


def _form_figures(form: str, traces: list[_Trace], now: datetime) -> FormFigures:
    open_ages = [now - t.submitted_at for t in traces if t.finished_at is None and t.submitted_at]
    to_decision = [t.finished_at - t.submitted_at for t in traces
                   if t.state in DECIDED and t.finished_at and t.submitted_at]
    waits = [_trace_wait(t, now) for t in traces]
    asked = [w for w in waits if w > ZERO]
    counts = {state: sum(1 for t in traces if t.finished_at is not None and t.state == state) for state in FINISHED}
    decided = counts["approved"] + counts["rejected"]
    return FormFigures(
        form=form, received=len(traces), open_backlog=len(open_ages), backlog_median_age=median(open_ages),
        backlog_oldest_age=max(open_ages) if open_ages else None, decided=decided, approved=counts["approved"],
        rejected=counts["rejected"], withdrawn=counts["withdrawn"],
        approval_rate=counts["approved"] / decided if decided else None,
        rejection_rate=counts["rejected"] / decided if decided else None,
        median_to_decision=median(to_decision), p90_to_decision=percentile(to_decision, 0.9),
        median_resident_wait=median(asked), total_resident_wait=sum(waits, ZERO),
        sla_breaches=sum(1 for t in traces if t.breached),
    )


def _trace_wait(trace: _Trace, now: datetime) -> timedelta:
    if trace.finished_at is None and trace.waiting_since is not None:
        return trace.resident_wait + (now - trace.waiting_since)
    return trace.resident_wait


def _step_figures(collector: _Collector, now: datetime, open_waiting: dict[int, datetime | None]) -> list[StepFigures]:
    grouped: dict[tuple[str, str], list[_Visit]] = defaultdict(list)
    for visit in collector.visits:
        grouped[(visit.form, visit.step)].append(visit)
    named = collector.book.named
    order = {(form, step): i for form, steps in named.items() for i, step in enumerate(steps)}
    figures = []
    for (form, step), visits in sorted(grouped.items(), key=lambda kv: (kv[0][0], order.get(kv[0], 999), kv[0][1])):
        city = [_city_time(v, now) - _extra_wait(v, now, open_waiting) for v in visits]
        info = named.get(form, {}).get(step)
        ages = [now - v.entered_at for v in visits if v.left_at is None]
        approved = sum(1 for v in visits if v.outcome == "approved")
        rejected = sum(1 for v in visits if v.outcome == "rejected")
        decided = approved + rejected
        figures.append(StepFigures(
            form=form, step=step, step_name=info.name if info else step, visits=len(visits),
            open_now=len(ages), median_wait=median(city),
            p90_wait=percentile(city, 0.9),
            total_resident_wait=sum((_resident_time(v, now, open_waiting.get(id(v))) for v in visits), ZERO),
            sla_breaches=sum(1 for v in visits if v.breached),
            open_median_age=median(ages), open_oldest_age=max(ages) if ages else None,
            approved=approved, rejected=rejected, approval_rate=approved / decided if decided else None,
            rejection_rate=rejected / decided if decided else None,
        ))
    return figures


def _extra_wait(visit: _Visit, now: datetime, open_waiting: dict[int, datetime | None]) -> timedelta:
    """An open visit waiting on the resident right now: that wait is not the city's either."""
    since = open_waiting.get(id(visit)) if visit.left_at is None else None
    return now - since if since is not None else ZERO


def _week_figures(by_form: Mapping[str, list[_Trace]]) -> list[WeekFigures]:
    counts: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    for form, traces in by_form.items():
        for trace in traces:
            if trace.submitted_at is not None:
                counts[(week_of(trace.submitted_at), form)][0] += 1
            if trace.finished_at is not None and trace.state in DECIDED:
                counts[(week_of(trace.finished_at), form)][1] += 1
    return [WeekFigures(week, form, received, decided) for (week, form), (received, decided) in sorted(counts.items())]


# ---------------------------------------------------------------- materialised facts
#
# At a million requests the dashboard does not re-read the log: each request's events are folded once
# (and again only when new events arrive) into the facts below, stored in two tables; the figures are
# then SQL aggregates over those rows (storage.repositories.SqlInsights.figures). Times are seconds
# since the epoch and days are date ordinals, so the same arithmetic runs on SQLite and PostgreSQL.
# Everything that depends on "now" (age of open requests, open visits past due) stays out of the facts.


@dataclass(frozen=True)
class VisitFact:
    step: str
    entered_s: float
    left_s: float | None
    resident_wait_s: float  # closed question-and-answer intervals
    waiting_since_s: float | None  # still waiting on the resident (open visits only)
    due_day: int | None  # date ordinal of the current due date
    breached: bool  # already past due at a moment that counted (return, decision)
    outcome: str | None = None  # how the visit ended: "approved", "rejected", "withdrawn"; None while open

    @property
    def settled_city_s(self) -> float | None:
        """The city's time at this step when it no longer grows with "now": the visit is over, or it
        waits on the resident (the city's clock stopped when the question was asked). None while the
        city has the request, whose time is then ``now - entered_s - resident_wait_s``."""
        end = self.left_s if self.left_s is not None else self.waiting_since_s
        return None if end is None else end - self.entered_s - self.resident_wait_s


@dataclass(frozen=True)
class RequestFact:
    reference: str
    form: str
    submitted_s: float
    finished_s: float | None
    state: str
    resident_wait_s: float
    waiting_since_s: float | None
    breached: bool
    open_due_day: int | None  # due day of the open visit while the city has the request
    received_week: int  # date ordinal of the Monday
    decided_week: int | None
    visits: tuple[VisitFact, ...]

    @property
    def decision_s(self) -> float | None:
        """Seconds from submission to the decision, for approved and rejected requests."""
        decided = self.finished_s is not None and self.state in DECIDED
        return self.finished_s - self.submitted_s if decided and self.finished_s is not None else None

    @property
    def settled_wait_s(self) -> float | None:
        """Time spent waiting on the resident when it no longer grows with "now" (None while the
        request waits on the resident, and when it never did: only positive waits are figures)."""
        if self.finished_s is None and self.waiting_since_s is not None:
            return None
        return self.resident_wait_s if self.resident_wait_s > 0 else None


def facts_of(tagged: Iterable[tuple[str, int | None, AuditEvent]], steps: Steps,
             holidays: Collection[date] = ()) -> list[RequestFact]:
    """Fold each request's whole event history (each request's events in log order) into its facts.

    ``tagged`` gives (form slug, version number the request was submitted on, event); each request is
    measured with its own version's steps (``StepBook``).
    """
    collector = _Collector(_book(steps), holidays)
    for form, version, event in tagged:
        _follow(collector, event, form, version)
    return [_fact(reference, trace) for reference, trace in collector.traces.items() if trace.submitted_at]


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _fact(reference: str, trace: _Trace) -> RequestFact:
    assert trace.submitted_at is not None
    open_visit = trace.visit if trace.finished_at is None else None
    city_has_it = open_visit is not None and trace.waiting_since is None
    waiting = _seconds(trace.waiting_since) if trace.finished_at is None else None
    visits = tuple(VisitFact(
        v.step, v.entered_at.timestamp(), _seconds(v.left_at), v.resident_wait.total_seconds(),
        waiting if v is open_visit else None, v.due_on.toordinal() if v.due_on else None, v.breached, v.outcome,
    ) for v in trace.visits)
    decided = trace.finished_at is not None and trace.state in DECIDED
    return RequestFact(
        reference=reference, form=trace.form, submitted_s=trace.submitted_at.timestamp(),
        finished_s=_seconds(trace.finished_at), state=trace.state,
        resident_wait_s=trace.resident_wait.total_seconds(), waiting_since_s=waiting, breached=trace.breached,
        open_due_day=open_visit.due_on.toordinal() if city_has_it and open_visit and open_visit.due_on else None,
        received_week=week_of(trace.submitted_at).toordinal(),
        decided_week=week_of(trace.finished_at).toordinal() if decided and trace.finished_at else None,
        visits=visits,
    )


def median_of_ranked(values: dict[int, float], count: int) -> float | None:
    """The median from the values at ranks (count+1)//2 and (count+2)//2 (1-based), as SQL returns them."""
    if count == 0:
        return None
    return (values[(count + 1) // 2] + values[(count + 2) // 2]) / 2


def p90_rank(count: int) -> int:
    """The nearest rank of the 90th percentile, ceil(0.9 * count), in integers (as SQL computes it)."""
    return max(1, (9 * count + 9) // 10)


@dataclass(frozen=True)
class FigureSet:
    """Figures as the database aggregates them; ``assemble`` adds names, the overall row and the bottleneck."""

    forms: list[FormFigures]
    steps: list[StepFigures]
    weeks: list[WeekFigures]
    overall: FormFigures | None


def assemble(figures: FigureSet, steps: Steps, events_read: int = 0) -> Dashboard:
    """The dashboard from the database's figures; steps named as in ``StepBook`` (latest name first)."""
    named = _book(steps).named
    order = {(form, step): i for form, known in named.items() for i, step in enumerate(known)}
    named_steps = sorted(
        (replace(s, step_name=named.get(s.form, {}).get(s.step, StepInfo(s.step)).name) for s in figures.steps),
        key=lambda s: (s.form, order.get((s.form, s.step), 999), s.step))
    waiting = [s for s in named_steps if s.median_wait is not None]
    bottleneck = max(waiting, key=lambda s: (s.median_wait, s.p90_wait or ZERO), default=None)
    return Dashboard(sorted(figures.forms, key=lambda f: f.form), named_steps, sorted(
        figures.weeks, key=lambda w: (w.week_starting, w.form)), bottleneck, figures.overall, events_read)
