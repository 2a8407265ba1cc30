"""The workflow engine: pure, table-driven (DESIGN.md §3).

``submitted → in_review(step) → needs_info ⇄ in_review → approved | rejected``, and ``withdrawn``
by the resident at any open point. Who may do what is one table, ``ALLOWED``; ``apply`` turns a
command into the new request state plus the records to write (events, decision, comment) and the
notifications to send. Storage and pages never decide transitions themselves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from builder.definition import Workflow, WorkflowStep
from builder.errors import FormworkError, InvalidTransition, PermissionDenied
from builder.ports import Actor, AuditEvent, CommentRecord, DecisionRecord, RequestRecord
from builder.sla import add_working_days
from builder.validation import condition_holds


class State(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


OPEN_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW, State.NEEDS_INFO})

STATE_LABELS = {
    State.SUBMITTED: "Received",
    State.IN_REVIEW: "Being reviewed",
    State.NEEDS_INFO: "More information needed from you",
    State.APPROVED: "Approved",
    State.REJECTED: "Rejected",
    State.WITHDRAWN: "Withdrawn by you",
}

# What staff call each state (inbox export; the pages use ui.timeline.staff_state_labels, translated):
# the resident's wording ("... from you", "... by you") would name the wrong person.
STAFF_STATE_LABELS = {
    State.SUBMITTED: "Received",
    State.IN_REVIEW: "Waiting for a decision",
    State.NEEDS_INFO: "Waiting for the resident",
    State.APPROVED: "Approved",
    State.REJECTED: "Rejected",
    State.WITHDRAWN: "Withdrawn by the resident",
}


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    ANSWER = "answer"
    COMMENT = "comment"
    CLAIM = "claim"
    RELEASE = "release"
    REASSIGN = "reassign"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    REVIEWER = "reviewer"  # a member of the group the current step waits for
    RESIDENT = "resident"  # whoever submitted: with the access code or from their account


ALLOWED: dict[tuple[State, Action], Role] = {
    (State.IN_REVIEW, Action.APPROVE): Role.REVIEWER,
    (State.IN_REVIEW, Action.REJECT): Role.REVIEWER,
    (State.IN_REVIEW, Action.RETURN): Role.REVIEWER,
    (State.IN_REVIEW, Action.COMMENT): Role.REVIEWER,
    (State.NEEDS_INFO, Action.COMMENT): Role.REVIEWER,
    (State.IN_REVIEW, Action.CLAIM): Role.REVIEWER,
    (State.IN_REVIEW, Action.RELEASE): Role.REVIEWER,
    (State.IN_REVIEW, Action.REASSIGN): Role.REVIEWER,
    (State.NEEDS_INFO, Action.ANSWER): Role.RESIDENT,
    (State.IN_REVIEW, Action.WITHDRAW): Role.RESIDENT,
    (State.NEEDS_INFO, Action.WITHDRAW): Role.RESIDENT,
}

# Actions a designer can switch off per step; the rest belong to every step.
STEP_OPTIONAL_ACTIONS = {Action.APPROVE, Action.REJECT, Action.RETURN, Action.COMMENT, Action.REASSIGN}

ACTIONS_NEEDING_TEXT = {
    Action.REJECT: "Give the reason for the rejection; the resident will read it.",
    Action.RETURN: "Write the question for the resident.",
    Action.ANSWER: "Write your answer to the question.",
    Action.COMMENT: "Write the comment.",
    Action.REASSIGN: "Give the reason for reassigning.",
}


@dataclass(frozen=True)
class Command:
    """What someone wants to do to a request."""

    action: Action
    actor: Actor
    text: str = ""
    public: bool = False  # comments: visible to the resident
    to_group: str | None = None  # reassign
    to_member: str | None = None  # reassign


@dataclass(frozen=True)
class Effect:
    """Everything one command changes; the use case writes it in one transaction."""

    request: RequestRecord
    events: list[AuditEvent]
    decision: DecisionRecord | None = None
    comment: CommentRecord | None = None
    notify: list[str] = field(default_factory=list)  # "received", "question", "outcome", "new_work"


@dataclass(frozen=True)
class Context:
    """What the engine needs to know besides the request."""

    workflow: Workflow
    now: datetime
    decisions: list[DecisionRecord]
    # Members of the step's group who may decide: whoever submitted the request is left out
    # (``eligible_deciders``), since ``apply`` refuses them a decision and counting them would leave an
    # "all members" step waiting for a decision nobody can give.
    group_size: int
    holidays: Collection[date] = ()
    group_exists: bool = True
    target_members: frozenset[str] = frozenset()  # reassign: members of the group the request goes to


def step_at(workflow: Workflow, index: int | None) -> WorkflowStep | None:
    if index is None or not 0 <= index < len(workflow.steps):
        return None
    return workflow.steps[index]


def next_applicable_step(workflow: Workflow, answers: dict[str, Any], after: int = -1) -> int | None:
    """Index of the first step after ``after`` whose condition holds on the answers."""
    for index in range(after + 1, len(workflow.steps)):
        if condition_holds(workflow.steps[index].condition, answers):
            return index
    return None


def applicable_steps(workflow: Workflow, answers: dict[str, Any]) -> list[WorkflowStep]:
    """The steps a request with these answers would go through, in order (for the test run)."""
    return [step for step in workflow.steps if condition_holds(step.condition, answers)]


def roles_of(actor: Actor, request: RequestRecord, *, proven_owner: bool) -> set[Role]:
    roles: set[Role] = set()
    if request.group and request.group in actor.reviewer_groups:
        roles.add(Role.REVIEWER)
    if proven_owner or (actor.username is not None and actor.username == request.submitted_by):
        roles.add(Role.RESIDENT)
    return roles


def allowed_actions(request: RequestRecord, workflow: Workflow, roles: set[Role]) -> list[Action]:
    """The actions to offer now, in a stable order."""
    step = step_at(workflow, request.step_index)
    offered = []
    for action in Action:
        role = ALLOWED.get((State(request.state), action))
        if role is None or role not in roles:
            continue
        if step is not None and action in STEP_OPTIONAL_ACTIONS and action.value not in step.actions:
            continue
        offered.append(action)
    return offered


def start(request: RequestRecord, ctx: Context, actor: Actor) -> Effect:
    """A new request: record the submission and route it to its first applicable step."""
    received = AuditEvent(
        action="submit", actor=actor.label, at=ctx.now, reference=request.reference, to_state=State.SUBMITTED
    )
    routed, events = _enter_step(request, ctx, next_applicable_step(ctx.workflow, request.answers), actor)
    return Effect(request=routed, events=[received, *events], notify=["received", *_new_work(routed)])


def apply(request: RequestRecord, command: Command, ctx: Context, *, proven_owner: bool = False) -> Effect:
    """Apply a command to a request; raises when the table or a rule forbids it."""
    state = State(request.state)
    action = command.action
    needed_role = ALLOWED.get((state, action))
    if needed_role is None:
        raise InvalidTransition(_not_now_message(action, state))
    roles = roles_of(command.actor, request, proven_owner=proven_owner)
    if needed_role not in roles:
        raise PermissionDenied(_role_message(needed_role))
    if needed_role is Role.REVIEWER and command.actor.username == request.submitted_by:
        raise PermissionDenied("You submitted this request yourself, so a colleague must handle it.")
    step = step_at(ctx.workflow, request.step_index)
    if step is not None and action in STEP_OPTIONAL_ACTIONS and action.value not in step.actions:
        raise InvalidTransition(f"The step “{step.name}” does not offer “{action.value}”.")
    if action in ACTIONS_NEEDING_TEXT and not command.text.strip():
        raise MissingText(ACTIONS_NEEDING_TEXT[action])
    return _HANDLERS[action](request, command, ctx)


class MissingText(FormworkError):
    """An action that needs a reason, question or answer was sent without one."""


def _refuse_second_decision(request: RequestRecord, command: Command, ctx: Context) -> int:
    """One decision per reviewer per step; returns the step index."""
    index = request.step_index if request.step_index is not None else 0
    if any(d.step_index == index and d.reviewer == command.actor.username for d in ctx.decisions):
        raise InvalidTransition("You have already decided on this step; a colleague must add the next decision.")
    return index


def decided_on_step(decisions: Collection[DecisionRecord], step_index: int | None) -> list[DecisionRecord]:
    """Who has decided on a step so far (shown on a pending step)."""
    return [d for d in decisions if d.step_index == step_index]


def _approve(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    actor = command.actor.username or ""
    index = _refuse_second_decision(request, command, ctx)
    step = step_at(ctx.workflow, index)
    decision = DecisionRecord(request.reference, index, actor, "approve", command.text, ctx.now)
    approvals = {d.reviewer for d in ctx.decisions if d.step_index == index and d.outcome == "approve"} | {actor}
    event = _event(request, command, ctx, "approve", to_state=request.state, to_step=request.step_id)
    if step is None or len(approvals) < approvals_needed(step, ctx.group_size):
        return Effect(request=_touch(request, ctx), events=[event], decision=decision)
    moved, events = _enter_step(request, ctx, next_applicable_step(ctx.workflow, request.answers, index), command.actor)
    notify = ["outcome"] if moved.state == State.APPROVED else _new_work(moved)
    return Effect(request=moved, events=[event, *events], decision=decision, notify=notify)


def approvals_needed(step: WorkflowStep, group_size: int) -> int:
    """Approvals that finish the step, ``group_size`` being the members who may decide (``eligible_deciders``).

    "All members" means those who may decide: a member who submitted the request is not waited for. "N of
    the group" stays N whatever the group's size now: it is a rule of how many different people must agree
    (four eyes), so a group that shrank, or a member who submitted, never lowers it; the step then waits and
    the case page says why (``too_few_deciders``). With nobody eligible one approval is still needed.
    """
    if step.policy == "all":
        return max(group_size, 1)
    if step.policy == "n":
        return step.approvals_needed or 1
    return 1


def eligible_deciders(members: Collection[str], submitted_by: str | None) -> list[str]:
    """The members of a group who may decide a request: all but whoever submitted it."""
    return [member for member in members if member != submitted_by]


def approvals_missing(step: WorkflowStep, group_size: int, decisions: Collection[DecisionRecord],
                      step_index: int | None) -> int:
    """How many more approvals the step waits for (each member counted once)."""
    approved = {d.reviewer for d in decisions if d.step_index == step_index and d.outcome == "approve"}
    return max(approvals_needed(step, group_size) - len(approved), 0)


def too_few_deciders(step: WorkflowStep, group_size: int) -> bool:
    """A step whose group has fewer members who may decide than the approvals it needs (e.g. its only member
    submitted the request, or "3 of the group" in a group of two): it cannot move on until an administrator
    adds someone to the group, or a reviewer hands the request to another group."""
    return group_size < approvals_needed(step, group_size)


def _reject(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    index = _refuse_second_decision(request, command, ctx)
    decision = DecisionRecord(request.reference, index, command.actor.username or "", "reject", command.text, ctx.now)
    rejected = _touch(replace(request, state=State.REJECTED, claimed_by=None, due_on=None), ctx)
    event = _event(request, command, ctx, "reject", to_state=State.REJECTED, to_step=request.step_id)
    comment = _comment(request, command, ctx, public=True)
    return Effect(request=rejected, events=[event], decision=decision, comment=comment, notify=["outcome"])


def _return(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    waiting = _touch(replace(request, state=State.NEEDS_INFO, due_on=None), ctx)
    event = _event(request, command, ctx, "return", to_state=State.NEEDS_INFO, to_step=request.step_id)
    return Effect(
        request=waiting, events=[event], comment=_comment(request, command, ctx, public=True), notify=["question"]
    )


def _answer(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    step = step_at(ctx.workflow, request.step_index)
    due = _due_date(step, ctx)
    back = _touch(replace(request, state=State.IN_REVIEW, due_on=due), ctx)
    event = _event(request, command, ctx, "answer", to_state=State.IN_REVIEW, to_step=request.step_id)
    return Effect(
        request=back, events=[event], comment=_comment(request, command, ctx, public=True), notify=_new_work(back)
    )


def _comment_action(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    step = step_at(ctx.workflow, request.step_index)
    public = command.public and (step is None or step.comments_visible_to_resident)
    event = _event(request, command, ctx, "comment", to_state=request.state, to_step=request.step_id)
    return Effect(request=_touch(request, ctx), events=[event], comment=_comment(request, command, ctx, public=public))


def _claim(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    if request.claimed_by and request.claimed_by != command.actor.username:
        raise InvalidTransition(f"{request.claimed_by} is already working on this request.")
    claimed = _touch(replace(request, claimed_by=command.actor.username), ctx)
    return Effect(request=claimed, events=[_event(request, command, ctx, "claim", request.state, request.step_id)])


def _release(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    if request.claimed_by != command.actor.username:
        raise InvalidTransition("You can only release a request you are working on.")
    released = _touch(replace(request, claimed_by=None), ctx)
    return Effect(request=released, events=[_event(request, command, ctx, "release", request.state, request.step_id)])


def _reassign(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    if not command.to_group and not command.to_member:
        raise InvalidTransition("Choose a group or a colleague to reassign to.")
    if command.to_group and not ctx.group_exists:
        raise InvalidTransition(f"There is no group called {command.to_group}.")
    if command.to_member and command.to_member not in ctx.target_members:
        raise InvalidTransition(f"{command.to_member} is not a member of the group that would handle the request.")
    if command.to_member and command.to_member == request.submitted_by:  # None == None: an anonymous request
        raise InvalidTransition(f"{command.to_member} submitted this request and cannot handle it.")
    moved = _touch(replace(request, group=command.to_group or request.group, claimed_by=command.to_member), ctx)
    event = _event(request, command, ctx, "reassign", request.state, request.step_id)
    notify = _new_work(moved) if command.to_group else []
    return Effect(request=moved, events=[event], comment=_comment(request, command, ctx, public=False), notify=notify)


def _withdraw(request: RequestRecord, command: Command, ctx: Context) -> Effect:
    withdrawn = _touch(replace(request, state=State.WITHDRAWN, claimed_by=None, due_on=None), ctx)
    event = _event(request, command, ctx, "withdraw", to_state=State.WITHDRAWN, to_step=request.step_id)
    return Effect(request=withdrawn, events=[event], notify=["outcome"])


def abandon(request: RequestRecord, now: datetime) -> Effect:
    """The system closes a request the resident left unanswered past its form's retention period.

    Not a command: nobody acts, the retention purge does (``builder.usecases.insights.purge_expired``).
    The request ends ``withdrawn`` as if the resident had withdrawn it, with its own audit event
    (``abandon``, by ``system``), so the inbox, the figures and the history agree that it is closed.
    """
    if request.state != State.NEEDS_INFO:
        raise InvalidTransition("Only a request waiting for the resident can be closed as abandoned, not one that is "
                                f"{STATE_LABELS[State(request.state)].lower()}.")
    closed = replace(request, state=State.WITHDRAWN, claimed_by=None, due_on=None, updated_at=now)
    event = AuditEvent(ABANDON, SYSTEM_ACTOR, now, request.reference, request.state, State.WITHDRAWN,
                       request.step_id, request.step_id, "")
    return Effect(request=closed, events=[event])


ABANDON = "abandon"  # audit action of ``abandon``
SYSTEM_ACTOR = "system"  # audit actor of the engine's own moves (enter_step, complete, abandon)


_HANDLERS = {
    Action.APPROVE: _approve,
    Action.REJECT: _reject,
    Action.RETURN: _return,
    Action.ANSWER: _answer,
    Action.COMMENT: _comment_action,
    Action.CLAIM: _claim,
    Action.RELEASE: _release,
    Action.REASSIGN: _reassign,
    Action.WITHDRAW: _withdraw,
}


def _enter_step(
    request: RequestRecord, ctx: Context, index: int | None, actor: Actor
) -> tuple[RequestRecord, list[AuditEvent]]:
    step = step_at(ctx.workflow, index)
    if step is None:
        # The group of the last step stays on the finished request, as it does on a rejected or withdrawn
        # one: the inbox lists finished requests by group, so its "Finished" tab and export include them.
        done = _touch(replace(request, state=State.APPROVED, step_index=None, step_id=None,
                              claimed_by=None, due_on=None), ctx)
        return done, [AuditEvent("complete", "system", ctx.now, request.reference, request.state, State.APPROVED,
                                 request.step_id, None)]
    routed = _touch(
        replace(request, state=State.IN_REVIEW, step_index=index, step_id=step.id, group=step.group,
                claimed_by=None, due_on=_due_date(step, ctx)),
        ctx,
    )
    event = AuditEvent("enter_step", "system", ctx.now, request.reference, request.state, State.IN_REVIEW,
                       request.step_id, step.id)
    return routed, [event]


def _due_date(step: WorkflowStep | None, ctx: Context) -> date | None:
    if step is None or step.sla_days is None:
        return None
    return add_working_days(ctx.now.date(), step.sla_days, ctx.holidays)


def _touch(request: RequestRecord, ctx: Context) -> RequestRecord:
    return replace(request, updated_at=ctx.now)


def _event(request: RequestRecord, command: Command, ctx: Context, action: str, to_state: str,
           to_step: str | None) -> AuditEvent:
    # No free text in the audit log: it is append-only and hash-chained, so anything written there
    # survives erasure. Reasons and questions live in the comment and decision tables, which retention
    # and erasure can clear; the event only says who did what, when, from which state to which.
    return AuditEvent(action, command.actor.label, ctx.now, request.reference, request.state, to_state,
                      request.step_id, to_step, "")


def _comment(request: RequestRecord, command: Command, ctx: Context, *, public: bool) -> CommentRecord | None:
    if not command.text.strip():
        return None
    return CommentRecord(request.reference, command.actor.label, command.text.strip(),
                         "public" if public else "internal", request.step_index, ctx.now)


def _new_work(request: RequestRecord) -> list[str]:
    return ["new_work"] if request.state == State.IN_REVIEW else []


def _not_now_message(action: Action, state: State) -> str:
    return f"“{action.value}” is not possible while the request is {STATE_LABELS[state].lower()}."


def _role_message(role: Role) -> str:
    if role is Role.REVIEWER:
        return "Only a member of the group handling this step can do that."
    return "Only the person who submitted this request can do that."
