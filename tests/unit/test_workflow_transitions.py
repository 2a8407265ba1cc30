"""Every State × Action × role through the engine: what the ALLOWED table permits happens, the
rest is refused with a message (issue 5)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from builder import workflow
from builder.definition import Workflow, WorkflowStep
from builder.errors import FormworkError, InvalidTransition, PermissionDenied
from builder.ports import Actor, DecisionRecord, RequestRecord
from builder.sla import add_working_days, is_overdue
from builder.usecases import forms, requests, review
from builder.workflow import ALLOWED, Action, Command, Context, Role, State
from tests.conftest import template
from tests.fakes import FakeUnitOfWork
from tests.helpers import DESIGNER, ROADS, ROADS2

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday
REVIEWER = Actor("roads", "Robin", reviewer_groups=frozenset({"Road inspectors"}))
COLLEAGUE = Actor("roads2", "Remy", reviewer_groups=frozenset({"Road inspectors"}))
OTHER_GROUP = Actor("events", "Eve", reviewer_groups=frozenset({"Events office"}))
OWNER = Actor("resident", "Riley")
STRANGER = Actor(None)
STEPS = Workflow(steps=[
    WorkflowStep(id="inspection", name="Inspection", group="Road inspectors", sla_days=5),
    WorkflowStep(id="safety", name="Safety check", group="Public safety", sla_days=2,
                 condition={"properties": {"size": {"const": "large"}}, "required": ["size"]}),
])


def request(state: State, **changes: object) -> RequestRecord:
    base = RequestRecord("PW-2026-00001", "hash", "report-pothole", 1, 1, {"size": "large"}, state, NOW, NOW,
                         step_index=0, step_id="inspection", group="Road inspectors", submitted_by="resident",
                         id=1)
    return replace(base, **changes)  # type: ignore[arg-type]


def context(decisions: list[DecisionRecord] | None = None, **changes: object) -> Context:
    base = Context(STEPS, NOW, decisions or [], group_size=2, target_members=frozenset({"roads", "roads2"}))
    return replace(base, **changes)  # type: ignore[arg-type]


def command(action: Action, actor: Actor) -> Command:
    return Command(action, actor, text="Because.", to_group=None,
                   to_member="roads2" if action is Action.REASSIGN else None)


# who acts, which role they hold on the request, and how they prove it
ACTORS = {"reviewer of the group": (REVIEWER, Role.REVIEWER, False),
          "reviewer of another group": (OTHER_GROUP, None, False),
          "resident with the access code": (STRANGER, Role.RESIDENT, True),
          "signed-in owner": (OWNER, Role.RESIDENT, False),
          "anonymous without the code": (STRANGER, None, False)}


@pytest.mark.parametrize(("state", "action", "who"), list(itertools.product(State, Action, ACTORS)))
def test_every_transition_follows_the_table(state: State, action: Action, who: str) -> None:
    actor, role, proven = ACTORS[who]
    allowed = ALLOWED.get((state, action)) is not None and ALLOWED[(state, action)] is role
    subject = request(state)
    if state in {State.APPROVED, State.REJECTED, State.WITHDRAWN}:
        subject = replace(subject, step_index=None, step_id=None)  # finished: the last group stays
    if action is Action.RELEASE:
        subject = replace(subject, claimed_by=actor.username)
    if not allowed:
        with pytest.raises((InvalidTransition, PermissionDenied)) as refused:
            workflow.apply(subject, command(action, actor), context(), proven_owner=proven)
        assert str(refused.value)  # a message a person can read
        return
    effect = workflow.apply(subject, command(action, actor), context(), proven_owner=proven)
    assert effect.events and effect.events[0].action == action.value
    assert effect.events[0].from_state == state
    expected = {Action.REJECT: State.REJECTED, Action.RETURN: State.NEEDS_INFO, Action.ANSWER: State.IN_REVIEW,
                Action.WITHDRAW: State.WITHDRAWN}.get(action)
    if expected:
        assert effect.request.state == expected


def test_table_covers_the_lifecycle() -> None:
    assert {s for s, _ in ALLOWED} == {State.IN_REVIEW, State.NEEDS_INFO}
    assert ALLOWED[(State.NEEDS_INFO, Action.ANSWER)] is Role.RESIDENT
    assert (State.APPROVED, Action.WITHDRAW) not in ALLOWED  # a finished request stays finished


def test_approval_moves_to_the_next_applicable_step_then_ends_approved() -> None:
    first = workflow.apply(request(State.IN_REVIEW), command(Action.APPROVE, REVIEWER), context())
    assert (first.request.step_id, first.request.group, first.request.state) == ("safety", "Public safety", "in_review")
    assert first.request.due_on == add_working_days(NOW.date(), 2)
    safety = Actor("safety", "Sam", reviewer_groups=frozenset({"Public safety"}))
    done = workflow.apply(first.request, command(Action.APPROVE, safety), context(group_size=1))
    assert done.request.state == State.APPROVED and done.notify == ["outcome"]
    # The group that decided last keeps the finished request (its inbox lists it under "Finished").
    assert (done.request.group, done.request.step_id, done.request.due_on) == ("Public safety", None, None)


def test_a_step_whose_condition_fails_is_skipped() -> None:
    small = request(State.IN_REVIEW, answers={"size": "small"})
    effect = workflow.apply(small, command(Action.APPROVE, REVIEWER), context())
    assert effect.request.state == State.APPROVED


def test_policy_all_waits_for_every_member_and_shows_who_decided() -> None:
    steps = Workflow(steps=[WorkflowStep(id="inspection", name="Inspection", group="Road inspectors", policy="all")])
    first = workflow.apply(request(State.IN_REVIEW), command(Action.APPROVE, REVIEWER), context(workflow=steps))
    assert first.request.state == State.IN_REVIEW and first.decision is not None
    decided = workflow.decided_on_step([first.decision], 0)
    assert [d.reviewer for d in decided] == ["roads"]
    second = workflow.apply(first.request, command(Action.APPROVE, COLLEAGUE),
                            context(decisions=[first.decision], workflow=steps))
    assert second.request.state == State.APPROVED


def test_policy_n_needs_that_many_approvals() -> None:
    steps = Workflow(steps=[WorkflowStep(id="inspection", name="I", group="Road inspectors", policy="n",
                                         approvals_needed=2)])
    first = workflow.apply(request(State.IN_REVIEW), command(Action.APPROVE, REVIEWER), context(workflow=steps, group_size=5))
    assert first.request.state == State.IN_REVIEW


@pytest.mark.parametrize("second", [Action.APPROVE, Action.REJECT])
def test_one_decision_per_reviewer_per_step(second: Action) -> None:
    steps = Workflow(steps=[WorkflowStep(id="inspection", name="I", group="Road inspectors", policy="all")])
    first = workflow.apply(request(State.IN_REVIEW), command(Action.APPROVE, REVIEWER), context(workflow=steps))
    assert first.decision is not None
    with pytest.raises(InvalidTransition, match="already decided"):
        workflow.apply(first.request, command(second, REVIEWER), context(decisions=[first.decision], workflow=steps))


def test_nobody_decides_on_their_own_request() -> None:
    own = request(State.IN_REVIEW, submitted_by="roads")
    with pytest.raises(PermissionDenied, match="submitted this request yourself"):
        workflow.apply(own, command(Action.APPROVE, REVIEWER), context())


@pytest.mark.parametrize("action", [Action.REJECT, Action.RETURN, Action.REASSIGN])
def test_reason_or_question_is_required(action: Action) -> None:
    with pytest.raises(FormworkError, match="."):
        workflow.apply(request(State.IN_REVIEW), Command(action, REVIEWER, text="  ", to_member="roads2"), context())


def test_return_and_answer_come_back_to_the_same_step_with_the_answer_kept() -> None:
    asked = workflow.apply(request(State.IN_REVIEW), Command(Action.RETURN, REVIEWER, text="Which side?"), context())
    assert asked.request.state == State.NEEDS_INFO and asked.notify == ["question"]
    assert asked.comment is not None and asked.comment.visibility == "public"
    answered = workflow.apply(asked.request, Command(Action.ANSWER, STRANGER, text="North side"), context(),
                              proven_owner=True)
    assert (answered.request.state, answered.request.step_id) == (State.IN_REVIEW, "inspection")
    assert answered.comment is not None and answered.comment.body == "North side"
    assert all("North side" not in e.comment for e in answered.events)  # the resident's words stay out of the log


def test_reassign_to_a_member_outside_the_group_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="not a member"):
        workflow.apply(request(State.IN_REVIEW), Command(Action.REASSIGN, REVIEWER, text="Holiday", to_member="events"),
                       context())
    moved = workflow.apply(request(State.IN_REVIEW), Command(Action.REASSIGN, REVIEWER, text="Holiday",
                                                             to_member="roads2"), context())
    assert moved.request.claimed_by == "roads2"
    assert moved.comment is not None and (moved.comment.body, moved.comment.visibility) == ("Holiday", "internal")
    assert moved.events[0].comment == "", "free text stays out of the append-only audit log"


def test_an_anonymous_request_is_handed_to_another_group_without_naming_a_colleague() -> None:
    anonymous = replace(request(State.IN_REVIEW), submitted_by=None)
    moved = workflow.apply(anonymous, Command(Action.REASSIGN, REVIEWER, text="Traffic danger", to_group="Safety"),
                           context())
    assert (moved.request.group, moved.request.claimed_by) == ("Safety", None)


def test_reassign_to_an_unknown_group_is_refused() -> None:
    with pytest.raises(InvalidTransition, match="no group"):
        workflow.apply(request(State.IN_REVIEW), Command(Action.REASSIGN, REVIEWER, text="x", to_group="Nobody"),
                       context(group_exists=False))


def test_claim_by_a_colleague_is_refused_while_claimed() -> None:
    claimed = request(State.IN_REVIEW, claimed_by="roads2")
    with pytest.raises(InvalidTransition, match="roads2 is already working"):
        workflow.apply(claimed, command(Action.CLAIM, REVIEWER), context())


def test_due_dates_skip_weekends_and_the_city_holidays() -> None:
    holidays = {date(2026, 11, 26), date(2026, 11, 27)}  # Thursday and Friday
    assert add_working_days(date(2026, 11, 25), 1) == date(2026, 11, 26)
    assert add_working_days(date(2026, 11, 25), 1, holidays) == date(2026, 11, 30)
    effect = workflow.apply(request(State.NEEDS_INFO), Command(Action.ANSWER, OWNER, text="x"), context(holidays=holidays))
    assert effect.request.due_on == add_working_days(NOW.date(), 5, holidays) == date(2026, 12, 4)
    assert is_overdue(date(2026, 11, 24), date(2026, 11, 25)) and not is_overdue(date(2026, 11, 25), date(2026, 11, 25))


def test_a_rejection_reason_is_kept_where_erasure_can_reach_it_not_in_the_audit_log() -> None:
    rejected = workflow.apply(request(State.IN_REVIEW), Command(Action.REJECT, REVIEWER, text="Mrs Smith's fence"),
                              context())
    assert rejected.decision is not None and rejected.decision.comment == "Mrs Smith's fence"
    assert rejected.comment is not None and rejected.comment.visibility == "public"
    assert all("Smith" not in event.comment for event in rejected.events)


N_OF_GROUP = Workflow(steps=[
    WorkflowStep(id="inspection", name="Inspection", group="Road inspectors", policy="n", approvals_needed=3),
    WorkflowStep(id="safety", name="Safety check", group="Public safety"),
])
THIRD = Actor("roads3", "Rae", reviewer_groups=frozenset({"Road inspectors"}))


def _approve_in_turn(*actors: Actor, decisions: list[DecisionRecord] | None = None) -> workflow.Effect:
    """Each actor approves the inspection step in turn, every decision kept as storage would keep it."""
    kept = list(decisions or [])
    subject = request(State.IN_REVIEW)
    effect = None
    for actor in actors:
        effect = workflow.apply(subject, command(Action.APPROVE, actor), context(kept, workflow=N_OF_GROUP, group_size=5))
        assert effect.decision is not None
        kept.append(effect.decision)
        subject = effect.request
    assert effect is not None
    return effect


def test_policy_n_moves_on_at_the_nth_distinct_approval() -> None:
    second = _approve_in_turn(REVIEWER, COLLEAGUE)
    assert (second.request.state, second.request.step_id, second.notify) == (State.IN_REVIEW, "inspection", [])
    third = _approve_in_turn(REVIEWER, COLLEAGUE, THIRD)
    assert (third.request.state, third.request.step_id, third.request.group) == (State.IN_REVIEW, "safety",
                                                                                "Public safety")
    assert [e.action for e in third.events][-1] == "enter_step" and third.notify == ["new_work"]


def test_policy_n_counts_a_member_once() -> None:
    first = _approve_in_turn(REVIEWER)
    assert first.decision is not None
    with pytest.raises(InvalidTransition, match="already decided"):
        workflow.apply(first.request, command(Action.APPROVE, REVIEWER),
                       context([first.decision], workflow=N_OF_GROUP, group_size=5))
    # Even if one member's approval were stored twice, it would still count once: two members are not three.
    twice = [first.decision, replace(first.decision, decided_at=NOW)]
    second = _approve_in_turn(COLLEAGUE, decisions=twice)
    assert (second.request.state, second.request.step_id) == (State.IN_REVIEW, "inspection")


def test_policy_n_ignores_approvals_given_on_another_step() -> None:
    earlier = [DecisionRecord("PW-2026-00001", 1, name, "approve", "", NOW) for name in ("roads2", "roads3")]
    first = _approve_in_turn(REVIEWER, decisions=earlier)
    assert (first.request.state, first.request.step_id) == (State.IN_REVIEW, "inspection")


def test_the_system_closes_a_request_abandoned_while_waiting_for_the_resident() -> None:
    waiting = request(State.NEEDS_INFO, claimed_by="roads", due_on=date(2026, 12, 2))
    later = datetime(2028, 11, 26, 2, 15, tzinfo=UTC)
    closed = workflow.abandon(waiting, later)
    assert closed.request.state == State.WITHDRAWN and closed.request.updated_at == later
    assert closed.request.claimed_by is None and closed.request.due_on is None
    assert closed.request.step_id == "inspection" and closed.request.answers == waiting.answers  # purge clears them
    assert [(e.action, e.actor, e.from_state, e.to_state, e.from_step, e.to_step, e.comment) for e in closed.events] == [
        ("abandon", "system", State.NEEDS_INFO, State.WITHDRAWN, "inspection", "inspection", "")]
    assert closed.decision is None and closed.comment is None and closed.notify == []  # nobody to tell: no contact left


@pytest.mark.parametrize("state", [s for s in State if s is not State.NEEDS_INFO])
def test_only_a_request_waiting_for_the_resident_can_be_abandoned(state: State) -> None:
    with pytest.raises(InvalidTransition, match="waiting for the resident"):
        workflow.abandon(request(state), NOW)


# ---------------------------------------------------------------- a reviewer who submitted a request themselves

POTHOLE = {"location": "Market Street 12", "size": "medium", "email": "robin@example.org"}


def _own_request(members: list[str], policy: str, approvals: int | None = None) -> tuple[FakeUnitOfWork, str]:
    """The pothole form with one step of ``policy`` for "Road inspectors" (``members``); ``roads`` submits."""
    uow = FakeUnitOfWork(groups={"Road inspectors": members}, departments={"public-works"})
    document = template("report-pothole")
    document["workflow"]["steps"][0].update({"policy": policy, "approvals_needed": approvals})
    forms.create_form(document, DESIGNER, uow, now=NOW)
    forms.publish("report-pothole", DESIGNER, uow, now=NOW)
    receipt = requests.submit("report-pothole", POTHOLE, ROADS, uow, idempotency_key="own", now=NOW)
    return uow, receipt.reference


@pytest.mark.parametrize(("policy", "approvals"), [("all", None), ("n", 2)])
def test_a_member_who_submitted_does_not_count_towards_the_group(policy: str, approvals: int | None) -> None:
    """Three inspectors, one of whom submitted: "all members" (or "2 of the group") means the other two."""
    uow, reference = _own_request(["roads", "roads2", "roads3"], policy, approvals)
    case = review.open_case(reference, ROADS2, uow)
    assert (case.approvals_needed, case.approvals_missing, case.too_few_deciders) == (2, 2, False)
    assert review.act(reference, Command(Action.APPROVE, ROADS2), 1, uow, now=NOW) == "in_review"
    assert review.open_case(reference, THIRD, uow).approvals_missing == 1
    with pytest.raises(PermissionDenied, match="submitted this request yourself"):
        review.act(reference, Command(Action.APPROVE, ROADS), 2, uow, now=NOW)
    assert review.act(reference, Command(Action.APPROVE, THIRD), 2, uow, now=NOW) == "approved"


def test_n_of_the_group_is_never_lowered_when_too_few_may_decide() -> None:
    """"3 of the group" is three different people: with the submitter left out only two may decide, so the
    request waits (and the case says why) until a colleague joins; two approvals never finish it."""
    uow, reference = _own_request(["roads", "roads2", "roads3"], "n", 3)
    case = review.open_case(reference, ROADS2, uow)
    assert (case.approvals_needed, case.deciders, case.too_few_deciders) == (3, 2, True)
    assert review.act(reference, Command(Action.APPROVE, ROADS2), 1, uow, now=NOW) == "in_review"
    assert review.act(reference, Command(Action.APPROVE, THIRD), 2, uow, now=NOW) == "in_review"
    uow.directory.groups["Road inspectors"].append("roads4")  # an administrator adds a colleague
    fourth = Actor("roads4", "Fourth inspector", reviewer_groups=frozenset({"Road inspectors"}))
    case = review.open_case(reference, fourth, uow)
    assert (case.approvals_missing, case.too_few_deciders) == (1, False)
    assert review.act(reference, Command(Action.APPROVE, fourth), 3, uow, now=NOW) == "approved"


def test_a_request_submitted_by_the_only_member_says_someone_must_join_and_then_moves_on() -> None:
    uow, reference = _own_request(["roads"], "all")
    case = review.open_case(reference, ROADS, uow)
    assert case.too_few_deciders and case.deciders == 0 and case.actions == [] and case.approvals_missing == 1
    with pytest.raises(PermissionDenied, match="submitted this request yourself"):
        review.act(reference, Command(Action.APPROVE, ROADS), 1, uow, now=NOW)
    uow.directory.groups["Road inspectors"].append("roads2")  # an administrator adds a colleague
    case = review.open_case(reference, ROADS2, uow)
    assert not case.too_few_deciders and case.approvals_missing == 1 and "approve" in case.actions
    assert review.act(reference, Command(Action.APPROVE, ROADS2), 1, uow, now=NOW) == "approved"


def test_a_request_submitted_by_someone_else_still_needs_every_member() -> None:
    uow = FakeUnitOfWork(groups={"Road inspectors": ["roads", "roads2"]}, departments={"public-works"})
    document = template("report-pothole")
    document["workflow"]["steps"][0]["policy"] = "all"
    forms.create_form(document, DESIGNER, uow, now=NOW)
    forms.publish("report-pothole", DESIGNER, uow, now=NOW)
    reference = requests.submit("report-pothole", POTHOLE, OWNER, uow, idempotency_key="r", now=NOW).reference
    assert review.act(reference, Command(Action.APPROVE, ROADS2), 1, uow, now=NOW) == "in_review"
    assert review.open_case(reference, REVIEWER, uow).approvals_missing == 1


def test_approvals_needed_counts_only_who_may_decide() -> None:
    n_of_three = WorkflowStep(id="s", name="S", group="G", policy="n", approvals_needed=3)
    assert workflow.approvals_needed(n_of_three, 5) == 3
    assert workflow.approvals_needed(n_of_three, 2) == 3  # never lowered: three people must agree
    assert workflow.too_few_deciders(n_of_three, 2) and not workflow.too_few_deciders(n_of_three, 3)
    assert workflow.eligible_deciders(["roads", "roads2"], "roads") == ["roads2"]
    assert workflow.eligible_deciders(["roads", "roads2"], None) == ["roads", "roads2"]
