"""Dashboard figures from hand-made audit logs: every expected number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from builder.metrics import StepBook, StepInfo, compute, median, percentile
from builder.ports import AuditEvent

STEPS = {"pothole": {"inspection": StepInfo("Inspection", 5), "repair": StepInfo("Repair", 2)}}
DAY = timedelta(days=1)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def ev(action: str, ref: str, when: datetime, to_state: str | None = None, to_step: str | None = None) -> AuditEvent:
    return AuditEvent(action, "someone", when, ref, None, to_state, None, to_step)


def submitted(ref: str, day: int = 2) -> list[AuditEvent]:
    return [ev("submit", ref, at(day), "submitted"), ev("enter_step", ref, at(day), "in_review", "inspection")]


def november_log() -> list[AuditEvent]:
    """A: approved after 2 days of inspection and 1 of repair. B: asked a question, answered 3 days
    later, rejected. C: still waiting at inspection (past due). D: asked a question, withdrew."""
    log = submitted("A") + submitted("B") + submitted("C") + submitted("D")
    log += [ev("return", "B", at(3), "needs_info"), ev("return", "D", at(3), "needs_info"),
            ev("approve", "A", at(4), "in_review", "inspection"), ev("enter_step", "A", at(4), "in_review", "repair"),
            ev("complete", "A", at(5), "approved"), ev("withdraw", "D", at(5), "withdrawn"),
            ev("answer", "B", at(6), "in_review"), ev("reject", "B", at(9), "rejected")]
    return sorted(log, key=lambda e: e.at)


FORM_OF = {ref: "pothole" for ref in "ABCD"}
NOW = at(16)


def test_median_and_nearest_rank_p90() -> None:
    values = [timedelta(days=d) for d in (14, 1, 4, 2)]
    assert median(values) == timedelta(days=3)
    assert percentile(values, 0.9) == timedelta(days=14)
    assert percentile([timedelta(days=d) for d in range(1, 11)], 0.9) == timedelta(days=9)
    assert median([]) is None and percentile([], 0.9) is None


def test_form_figures_from_a_hand_made_log() -> None:
    figures = compute(november_log(), FORM_OF, STEPS, NOW).forms[0]
    assert (figures.received, figures.open_backlog, figures.decided) == (4, 1, 2)
    assert (figures.approved, figures.rejected, figures.withdrawn) == (1, 1, 1)
    assert figures.approval_rate == 0.5 and figures.rejection_rate == 0.5
    assert figures.backlog_median_age == 14 * DAY and figures.backlog_oldest_age == 14 * DAY
    # A decided after 3 days, B after 7 days.
    assert figures.median_to_decision == 5 * DAY
    assert figures.p90_to_decision == 7 * DAY


def test_time_waiting_on_residents_is_measured_and_not_charged_to_the_step() -> None:
    dashboard = compute(november_log(), FORM_OF, STEPS, NOW)
    form = dashboard.forms[0]
    assert form.total_resident_wait == 5 * DAY  # B waited 3 days, D 2 days
    assert form.median_resident_wait == timedelta(days=2.5)
    inspection = next(s for s in dashboard.steps if s.step == "inspection")
    # City time at inspection: A 2 d, B 7-3 = 4 d, C 14 d (still open), D 3-2 = 1 d.
    assert inspection.median_wait == 3 * DAY
    assert inspection.p90_wait == 14 * DAY
    assert inspection.total_resident_wait == 5 * DAY
    assert (inspection.visits, inspection.open_now) == (4, 1)


def test_sla_breaches_count_open_and_late_requests_but_not_time_with_the_resident() -> None:
    log = november_log() + submitted("E") + [ev("complete", "E", at(12), "approved")]
    dashboard = compute(sorted(log, key=lambda e: e.at), {**FORM_OF, "E": "pothole"}, STEPS, NOW)
    # Due 5 working days after 2 Nov = 9 Nov. C is still waiting (breach), E was decided on the 12th
    # (breach). B's clock restarted when the resident answered on the 6th (due 13 Nov): no breach.
    assert dashboard.forms[0].sla_breaches == 2
    assert next(s for s in dashboard.steps if s.step == "inspection").sla_breaches == 2


def test_a_request_waiting_on_the_resident_now_counts_as_resident_time_until_now() -> None:
    log = submitted("F") + [ev("return", "F", at(3), "needs_info")]
    dashboard = compute(log, {"F": "pothole"}, STEPS, at(20))
    assert dashboard.forms[0].total_resident_wait == 17 * DAY
    inspection = dashboard.steps[0]
    assert inspection.median_wait == DAY  # only the day before the question
    assert inspection.sla_breaches == 0  # the clock stops while the resident is asked


def test_the_bottleneck_is_the_step_with_the_longest_median_wait() -> None:
    dashboard = compute(november_log(), FORM_OF, STEPS, NOW)
    assert dashboard.bottleneck is not None
    assert (dashboard.bottleneck.step, dashboard.bottleneck.step_name) == ("inspection", "Inspection")
    # A slow repair step (10 days for two requests) becomes the bottleneck.
    log = submitted("G") + submitted("H") + [
        ev("enter_step", "G", at(3), "in_review", "repair"), ev("enter_step", "H", at(3), "in_review", "repair"),
        ev("complete", "G", at(13), "approved"), ev("complete", "H", at(13), "approved")]
    slow = compute(sorted(log, key=lambda e: e.at), {"G": "pothole", "H": "pothole"}, STEPS, NOW)
    assert slow.bottleneck is not None and slow.bottleneck.step == "repair"


def test_throughput_per_week_and_only_the_requests_asked_for() -> None:
    log = november_log() + submitted("OTHER")
    dashboard = compute(sorted(log, key=lambda e: e.at), FORM_OF, STEPS, NOW)
    weeks = {(w.week_starting, w.form): (w.received, w.decided) for w in dashboard.weeks}
    assert weeks == {(date(2026, 11, 2), "pothole"): (4, 1), (date(2026, 11, 9), "pothole"): (0, 1)}
    assert dashboard.forms[0].received == 4
    assert dashboard.events_read == len(november_log())


def test_an_empty_log_gives_no_figures() -> None:
    dashboard = compute([], {}, STEPS, NOW)
    assert dashboard.forms == [] and dashboard.steps == [] and dashboard.bottleneck is None


def test_requests_open_at_a_step_have_a_median_and_oldest_age_since_they_entered_it() -> None:
    dashboard = compute(november_log(), FORM_OF, STEPS, NOW)
    inspection, repair = dashboard.steps
    # Only C is still at inspection: it entered on the 2nd, 14 days before now.
    assert inspection.open_median_age == inspection.open_oldest_age == 14 * DAY
    assert repair.open_now == 0 and repair.open_median_age is None and repair.open_oldest_age is None
    # Three at repair now, entered on the 3rd, 6th and 13th (one waits on its resident: it still ages).
    log = submitted("J") + submitted("K") + submitted("L") + [
        ev("enter_step", "J", at(3), "in_review", "repair"), ev("enter_step", "K", at(6), "in_review", "repair"),
        ev("return", "K", at(7), "needs_info"), ev("enter_step", "L", at(13), "in_review", "repair")]
    later = compute(sorted(log, key=lambda e: e.at), dict.fromkeys("JKL", "pothole"), STEPS, NOW)
    repair = next(s for s in later.steps if s.step == "repair")
    assert repair.open_now == 3
    assert repair.open_median_age == 10 * DAY and repair.open_oldest_age == 13 * DAY


def test_each_step_counts_its_approvals_and_rejections_and_their_rates() -> None:
    dashboard = compute(november_log(), FORM_OF, STEPS, NOW)
    inspection, repair = dashboard.steps
    # Inspection: A moved on to repair (approved), B rejected, C open, D withdrawn (not a decision).
    assert (inspection.approved, inspection.rejected) == (1, 1)
    assert inspection.approval_rate == inspection.rejection_rate == 0.5
    # Repair: A completed (approved at the last step).
    assert (repair.approved, repair.rejected, repair.approval_rate, repair.rejection_rate) == (1, 0, 1.0, 0.0)
    # Two reviewers approving one after the other ("all" policy) is one approval of the step; a step
    # with no decision yet has no rates.
    log = submitted("M") + [ev("approve", "M", at(3), "in_review", "inspection"),
                            ev("approve", "M", at(4), "in_review", "inspection"),
                            ev("enter_step", "M", at(4), "in_review", "repair")]
    step = compute(log, {"M": "pothole"}, STEPS, NOW).steps
    assert (step[0].approved, step[0].rejected, step[0].approval_rate) == (1, 0, 1.0)
    assert (step[1].approved, step[1].rejected, step[1].approval_rate, step[1].rejection_rate) == (0, 0, None, None)


def test_a_request_closed_as_abandoned_counts_as_withdrawn_and_its_wait_stops() -> None:
    """E: asked a question on the 3rd, never answered; the retention purge closes it on the 10th."""
    from dataclasses import replace

    from builder.metrics import facts_of

    log = november_log() + submitted("E") + [ev("return", "E", at(3), "needs_info"),
                                             ev("abandon", "E", at(10), "withdrawn"),
                                             ev("purge", "E", at(10), "withdrawn")]
    log.sort(key=lambda e: e.at)
    form_of = {**FORM_OF, "E": "pothole"}
    figures = compute(log, form_of, STEPS, NOW)
    form = figures.forms[0]
    assert (form.received, form.open_backlog, form.withdrawn, form.decided) == (5, 1, 2, 2)
    # B waited 3 days, D 2 days, E 7 days (3rd to 10th), not until "now" (the 16th).
    assert form.total_resident_wait == 12 * DAY and compute(log, form_of, STEPS, at(30)).forms[0] == replace(
        form, backlog_median_age=28 * DAY, backlog_oldest_age=28 * DAY)
    inspection = figures.steps[0]
    assert inspection.open_now == 1  # only C
    fact = next(f for f in facts_of(((form_of[e.reference], 1, e) for e in log if e.reference), STEPS)
                if f.reference == "E")
    assert (fact.state, fact.finished_s, fact.waiting_since_s) == ("withdrawn", at(10).timestamp(), None)
    assert fact.visits[-1].outcome == "withdrawn" and fact.visits[-1].left_s == at(10).timestamp()


# Version 1 of the form gave the inspection 2 working days and had a site visit; version 2 gives the
# (renamed) inspection 10 working days and has no site visit any more.
BOOK = StepBook.of_versions({
    ("pothole", 1): {"inspection": StepInfo("Inspection", 2), "site-visit": StepInfo("Site visit", 3)},
    ("pothole", 2): {"inspection": StepInfo("Roads inspection", 10)},
})


def test_each_request_is_measured_with_the_steps_of_the_version_it_was_submitted_on() -> None:
    """V1 (version 1) and V2 (version 2) both waited 5 working days at the inspection (Monday 2 to Monday
    9 November): V1 was due 2 working days after entering it (the 4th), a breach; V2 10 working days
    after (the 16th), none. S (version 1) went through the site visit, since removed from the form."""
    from dataclasses import replace

    from builder.metrics import FigureSet, assemble, facts_of

    log = submitted("V1") + submitted("V2") + submitted("S") + [
        ev("reject", "V1", at(9), "rejected"), ev("reject", "V2", at(9), "rejected"),
        ev("approve", "S", at(3), "in_review", "inspection"), ev("enter_step", "S", at(3), "in_review", "site-visit"),
        ev("complete", "S", at(4), "approved")]
    log.sort(key=lambda e: e.at)
    version_of = {"V1": 1, "V2": 2, "S": 1}
    form_of = dict.fromkeys(version_of, "pothole")
    dashboard = compute(log, form_of, BOOK, NOW, version_of=version_of)
    assert dashboard.forms[0].sla_breaches == 1
    inspection, site_visit = dashboard.steps
    # The latest name of a step that still exists; the older version's name of the removed one.
    assert (inspection.step_name, inspection.visits, inspection.sla_breaches) == ("Roads inspection", 3, 1)
    assert (site_visit.step, site_visit.step_name, site_visit.visits) == ("site-visit", "Site visit", 1)

    facts = {f.reference: f for f in facts_of(((form_of[e.reference], version_of[e.reference], e) for e in log), BOOK)}
    assert (facts["V1"].breached, facts["V2"].breached, facts["S"].breached) == (True, False, False)
    assert facts["V1"].visits[0].due_day == date(2026, 11, 4).toordinal()
    assert facts["V2"].visits[0].due_day == date(2026, 11, 16).toordinal()

    # The database's figures are named the same way (assemble), removed step after the current ones.
    unnamed = FigureSet(dashboard.forms, [replace(s, step_name="") for s in reversed(dashboard.steps)],
                        dashboard.weeks, dashboard.overall)
    assert [(s.step, s.step_name) for s in assemble(unnamed, BOOK).steps] == [
        ("inspection", "Roads inspection"), ("site-visit", "Site visit")]
    # Measured with the latest version's steps only (the old behaviour), V1's breach disappeared.
    latest_only = {"pothole": BOOK.versions[("pothole", 2)]}
    assert compute(log, form_of, latest_only, NOW).forms[0].sla_breaches == 0
