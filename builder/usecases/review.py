"""The reviewer's side: the inbox, a case, and decisions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from builder import workflow
from builder.definition import FormDefinition, parse_definition
from builder.errors import NotFound, PermissionDenied
from builder.ports import Actor, ChainedEvent, CommentRecord, DecisionRecord, InboxPage, InboxQuery, RequestRecord, UnitOfWork
from builder.references import normalise_reference
from builder.sla import is_overdue
from builder.usecases.requests import _check_version, _context, _version, _write
from builder.workflow import Action, Command


@dataclass(frozen=True)
class CaseView:
    request: RequestRecord
    definition: FormDefinition
    step_name: str | None
    history: list[ChainedEvent]
    comments: list[CommentRecord]
    decisions: list[DecisionRecord]
    actions: list[str]
    group_members: list[str]
    approvals_needed: int | None  # in all, counting only members who may decide (not the submitter)
    decided: list[DecisionRecord]  # who has decided on the current (pending) step
    overdue: bool
    groups: list[str]  # where the request can be reassigned to
    # Reassign: who in each group could take the request (not whoever submitted it); empty unless offered.
    members_of: dict[str, list[str]] = field(default_factory=dict)
    approvals_missing: int | None = None  # how many more approvals the pending step waits for
    # Fewer members of the step's group may decide than the approvals it needs (its only member submitted the
    # request, or the group shrank below "N of the group"): say so, not stall silently.
    too_few_deciders: bool = False
    deciders: int = 0  # members of the step's group who may decide this request


def inbox(actor: Actor, uow: UnitOfWork, query: InboxQuery | None = None) -> InboxPage:
    """Requests waiting for the actor's groups (a query naming other groups is narrowed to theirs)."""
    if not actor.reviewer_groups:
        raise PermissionDenied("Only reviewers have an inbox.")
    wanted = query or InboxQuery(groups=actor.reviewer_groups)
    narrowed = replace(wanted, groups=frozenset(wanted.groups) & actor.reviewer_groups or actor.reviewer_groups)
    with uow.reading():
        return uow.requests.inbox(narrowed)


def inbox_counts(actor: Actor, uow: UnitOfWork, tabs: dict[str, tuple[str, ...]],
                 base: InboxQuery | None = None) -> dict[str, InboxPage]:
    """The count per inbox tab (capped like the inbox itself), with the other filters applied."""
    template = base or InboxQuery(groups=actor.reviewer_groups)
    return {name: inbox(actor, uow, replace(template, states=states, limit=0, offset=0)) for name, states in tabs.items()}


EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class StepChoice:
    form_slug: str
    form_title: str
    step_id: str
    step_name: str


@dataclass(frozen=True)
class InboxNames:
    """What the inbox offers and how it names rows, from one read of the published forms.

    ``choices``: the steps the actor's groups handle (the filters). ``forms`` and ``steps``: the titles and
    step names of every published form -- a request handed over from another group can sit at a step of a
    form the actor's groups handle nowhere else, and still reads by its names (no personal data).
    """

    choices: list[StepChoice]
    forms: dict[str, str]
    steps: dict[tuple[str, str], str]


def inbox_names(actor: Actor, uow: UnitOfWork) -> InboxNames:
    """The inbox's filter choices and row names for ``actor`` (see ``InboxNames``)."""
    with uow.reading():
        versions = uow.forms.published()
    names = InboxNames([], {}, {})
    for version in sorted(versions, key=lambda v: v.form_slug):
        definition = parse_definition(version.definition)
        names.forms[definition.slug] = definition.title
        for step in definition.workflow.steps:
            names.steps[(definition.slug, step.id)] = step.name
            if step.group in actor.reviewer_groups:
                names.choices.append(StepChoice(definition.slug, definition.title, step.id, step.name))
    return names


def export_selection(actor: Actor, uow: UnitOfWork, query: InboxQuery) -> list[dict[str, str]]:
    """The rows of the current inbox selection (all pages, up to EXPORT_LIMIT) for a spreadsheet.

    Answers are left out: an export is a work list, not a copy of residents' personal data.
    """
    page = inbox(actor, uow, replace(query, limit=EXPORT_LIMIT, offset=0))
    today = datetime.now(UTC).date()
    return [{
        "Reference": r.reference, "Form": r.form_slug, "Version": str(r.version_number), "Step": r.step_id or "",
        "Group": r.group or "", "State": workflow.STAFF_STATE_LABELS[workflow.State(r.state)],
        "Submitted (UTC)": r.submitted_at.strftime("%Y-%m-%d %H:%M"),
        "Due": r.due_on.isoformat() if r.due_on else "",
        "Overdue": "yes" if r.state in workflow.OPEN_STATES and is_overdue(r.due_on, today) else "",
        "Claimed by": r.claimed_by or "",
    } for r in page.rows]


def reviewer_may_see(actor: Actor, request: RequestRecord, definition: FormDefinition) -> bool:
    """A reviewer sees requests whose current or past steps belong to their groups."""
    if request.group in actor.reviewer_groups:
        return True
    last = request.step_index if request.step_index is not None else len(definition.workflow.steps) - 1
    past = {step.group for step in definition.workflow.steps[: last + 1] if workflow.condition_holds(step.condition, request.answers)}
    return bool(past & actor.reviewer_groups)


def open_case(reference: str, actor: Actor, uow: UnitOfWork) -> CaseView:
    with uow.reading():
        request = uow.requests.get(normalise_reference(reference))
        if request is None:
            raise NotFound("There is no request with this reference in your groups.")
        definition = parse_definition(_version(request, uow).definition)
        if not reviewer_may_see(actor, request, definition):
            raise NotFound("There is no request with this reference in your groups.")
        step = workflow.step_at(definition.workflow, request.step_index)
        members = uow.directory.group_members(request.group) if request.group else []
        roles = workflow.roles_of(actor, request, proven_owner=False)
        actions = [a.value for a in workflow.allowed_actions(request, definition.workflow, roles)
                   if a not in {Action.ANSWER, Action.WITHDRAW}]
        if actor.username == request.submitted_by:
            actions = []
        # Offer claim and release only when they would succeed now.
        if request.claimed_by is not None:
            actions = [a for a in actions if a != Action.CLAIM]
        if request.claimed_by != actor.username:
            actions = [a for a in actions if a != Action.RELEASE]
        groups = sorted(g.name for g in uow.directory.all_groups())
        members_of = {group: workflow.eligible_deciders(uow.directory.group_members(group), request.submitted_by)
                      for group in groups} if Action.REASSIGN in actions else {}
        decisions = uow.requests.decisions(request.reference)
        deciders = len(workflow.eligible_deciders(members, request.submitted_by))
        return CaseView(
            request=request, definition=definition, step_name=step.name if step else None,
            history=uow.audit.for_request(request.reference), comments=uow.requests.comments(request.reference),
            decisions=decisions, actions=actions, group_members=members,
            approvals_needed=workflow.approvals_needed(step, deciders) if step else None,
            decided=workflow.decided_on_step(decisions, request.step_index),
            overdue=request.state in workflow.OPEN_STATES and is_overdue(request.due_on, datetime.now(UTC).date()),
            groups=groups, members_of=members_of,
            approvals_missing=workflow.approvals_missing(step, deciders, decisions, request.step_index) if step else None,
            too_few_deciders=step is not None and request.state in workflow.OPEN_STATES
            and workflow.too_few_deciders(step, deciders),
            deciders=deciders,
        )


def act(reference: str, command: Command, expected_version: int, uow: UnitOfWork, *,
        idempotency_key: str | None = None, holidays: Collection[date] = (), now: datetime | None = None,
        public_url: str | None = None) -> str:
    """A reviewer's action on a request. Returns the request's new state.

    ``expected_version`` is the version the reviewer saw; if the request moved on since, the action is
    refused with ``StaleRequest``. A repeated ``idempotency_key`` (a double click) is applied once.
    """
    if command.action in {Action.ANSWER, Action.WITHDRAW}:
        raise PermissionDenied("Only the resident can do that.")
    at = now or datetime.now(UTC)
    with uow:
        if idempotency_key and uow.requests.command_seen(idempotency_key):
            current = uow.requests.get(normalise_reference(reference))
            return current.state if current else ""
        request = uow.requests.get(normalise_reference(reference))
        definition = parse_definition(_version(request, uow).definition) if request else None
        # Someone outside the request's groups learns nothing, not even that the reference exists.
        if request is None or definition is None or not reviewer_may_see(command.actor, request, definition):
            raise NotFound("There is no request with this reference in your groups.")
        _check_version(request, expected_version)
        effect = workflow.apply(request, command, _context(definition, request, uow, at, holidays, command.to_group))
        _write(effect, definition, uow, at, public_url=public_url)
        if idempotency_key:
            uow.requests.remember_command(idempotency_key, request.reference, at)
        uow.commit()
    return effect.request.state
