"""The resident's side: submit, follow, answer a question, withdraw."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from builder import notifications, published, workflow
from builder.attachments import attachment_ids
from builder.definition import FormDefinition, parse_definition
from builder.errors import FormworkError, NotFound, PermissionDenied, StaleRequest
from builder.ports import Actor, RequestRecord, UnitOfWork, VersionHead, VersionRecord
from builder.references import access_code_matches, format_reference, hash_access_code, new_access_code, normalise_reference
from builder.translations import localise
from builder.validation import is_email, validate_answers
from builder.usecases.attachments import attach_to_answer, link_submitted_files
from builder.usecases.forms import PublishedForm
from builder.workflow import STATE_LABELS, Action, Command, Context, State

NO_MATCH = "No request matches this reference and access code. Check both and try again."
NOT_PUBLISHED = "This form does not exist or is not published yet."
NO_LONGER_PUBLISHED = ("This form is no longer published, so it cannot be submitted. Nothing was sent; "
                       "contact the city office if you still need it.")


@dataclass(frozen=True)
class Receipt:
    reference: str
    access_code: str | None  # None when the same submission was already received (idempotent retry)
    confirmation_text: str
    state: str


@dataclass(frozen=True)
class PublicComment:
    author: str
    body: str
    written_at: datetime


@dataclass(frozen=True)
class StatusView:
    """What a resident may see of their request: no internal notes, no reviewer names."""

    reference: str
    form_title: str
    state: str
    state_label: str
    step_name: str | None
    expected_on: date | None
    submitted_at: datetime
    comments: list[PublicComment]
    answers: dict[str, Any]
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    actions: list[str]
    row_version: int
    # The form's translations, so the answers can be shown in the reader's language (ui.answers).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def fillable_version(form_slug: str, number: int | None, uow: UnitOfWork) -> VersionRecord:
    """Inside a transaction: the version a resident fills in — ``number``, or the latest when None.

    A version superseded while the resident was filling it in stays fillable (published versions are
    immutable); a form with no published version left, or a version that does not exist, is refused.
    """
    latest = uow.forms.latest_version(form_slug)
    if latest is None or latest.id is None:
        raise NotFound(NO_LONGER_PUBLISHED if number is not None else NOT_PUBLISHED)
    version = latest if number is None or number == latest.number else uow.forms.version(form_slug, number)
    if version is None or version.id is None:
        raise NotFound(NO_LONGER_PUBLISHED)
    return version


def form_to_fill(form_slug: str, uow: UnitOfWork, *, version: int | None = None) -> PublishedForm:
    """The form a resident fills in: the version they started with (``version``), or the latest."""
    with uow.reading():
        record = fillable_version(form_slug, version, uow)
    assert record.id is not None
    return PublishedForm(form_slug, record.id, record.number, parse_definition(record.definition))


def submit(form_slug: str, answers: dict[str, Any], actor: Actor, uow: UnitOfWork, *,
           idempotency_key: str, locale: str = "en", holidays: Collection[date] = (),
           now: datetime | None = None, version: int | None = None, public_url: str | None = None) -> Receipt:
    """Validate the answers against a published version and start the request's workflow.

    ``version`` is the version number the resident filled in (pinned when the form was first shown):
    the answers are checked against it and the request records it, even if a newer version was
    published meanwhile. None means the latest version.
    """
    at = now or datetime.now(UTC)
    with uow:
        try:
            version_record, prepared = _fillable_prepared(form_slug, version, uow)
            definition = prepared.definition
            if definition.settings.submission == "signed_in" and not actor.is_signed_in:
                raise PermissionDenied("Please sign in to submit this form.")
            # The resident's language: standard messages from the core's tables, the designer's own messages
            # and the confirmation text through the form's translations.
            in_language = prepared.in_language(locale)
            localised = in_language.document
            validate_answers(localised["schema"], answers, locale, validator=in_language.validator)
        except FormworkError:
            # A retry of a submission received before the form changed gets its first receipt, not a refusal.
            received = _received(idempotency_key, uow)
            if received is None:
                raise
            return received
        code = new_access_code()
        request = _new_request(definition, version_record, answers, actor, uow, code=code, at=at,
                               idempotency_key=idempotency_key, locale=locale)
        effect = workflow.start(request, _context(definition, request, uow, at, holidays), actor)
        # The idempotency check is the insert itself: the database's unique key finds a double click or a
        # retry, also one committed by another process meanwhile, and then nothing of this one is written.
        stored = uow.requests.add(effect.request)
        if stored is None:
            received = _received(idempotency_key, uow)
            assert received is not None
            return received
        if attachment_ids(answers):  # files uploaded while filling in (issue 3); without any there is nothing to check
            link_submitted_files(answers, stored.reference, uow, locale=locale)
        uow.audit.append_all(effect.events)
        notifications.queue(effect.notify, stored, definition, uow, event_id=f"{stored.reference}:submit", now=at,
                            public_url=public_url)
        uow.commit()
    confirmation = (localised.get("settings") or {}).get("confirmation_text") or definition.settings.confirmation_text
    return Receipt(stored.reference, code, confirmation, stored.state)


def _fillable_prepared(form_slug: str, number: int | None,
                       uow: UnitOfWork) -> tuple[VersionHead | VersionRecord, published.PreparedVersion]:
    """The version a resident fills in (``fillable_version``) and its prepared form (parsed, localised and
    compiled once per process): the latest one's definition is read only when this process has not prepared it."""
    head = uow.forms.latest_head(form_slug)
    if head is not None and number in (None, head.number):
        found = published.cached(head.digest)
        if found is not None:
            return head, found
    record = fillable_version(form_slug, number, uow)
    return record, published.prepared(record)


def _received(idempotency_key: str, uow: UnitOfWork) -> Receipt | None:
    """The receipt of the request already stored under this idempotency key, if there is one (no access code:
    only its hash is stored, and the resident was shown the code the first time)."""
    existing = uow.requests.by_idempotency_key(idempotency_key)
    return Receipt(existing.reference, None, "", existing.state) if existing is not None else None


def _new_request(definition: FormDefinition, version: VersionHead | VersionRecord, answers: dict[str, Any], actor: Actor,
                 uow: UnitOfWork, *, code: str, at: datetime, idempotency_key: str, locale: str) -> RequestRecord:
    prefix = definition.settings.reference_prefix
    number = uow.requests.next_number(prefix, at.year)
    assert version.id is not None
    return RequestRecord(
        reference=format_reference(prefix, at.year, number), access_code_hash=hash_access_code(code),
        form_slug=definition.slug, version_id=version.id, version_number=version.number, answers=answers,
        state=State.SUBMITTED, submitted_at=at, updated_at=at, submitted_by=actor.username, locale=locale,
        contact_email=contact_email(definition, answers), idempotency_key=idempotency_key,
    )


def contact_email(definition: FormDefinition, answers: dict[str, Any]) -> str | None:
    """The address the resident gave in the form's contact field (settings.contact_email_field), if any."""
    name = definition.settings.contact_email_field
    value = answers.get(name) if name else None
    return value.strip() if isinstance(value, str) and value.strip() and is_email(value.strip()) else None


def _context(definition: FormDefinition, request: RequestRecord, uow: UnitOfWork, at: datetime,
             holidays: Collection[date], to_group: str | None = None) -> Context:
    members = uow.directory.group_members(request.group) if request.group else []
    exists = uow.directory.group_exists(to_group) if to_group else True
    target = uow.directory.group_members(to_group) if to_group and exists else members
    # The submitter may not decide (workflow.apply), so they do not count towards "all members" or "N of".
    deciders = workflow.eligible_deciders(members, request.submitted_by)
    return Context(
        workflow=definition.workflow, now=at, decisions=uow.requests.decisions(request.reference) if request.id else [],
        group_size=len(deciders), holidays=holidays, group_exists=exists, target_members=frozenset(target),
    )


def status(reference: str, access_code: str, uow: UnitOfWork, *, locale: str | None = None) -> StatusView:
    """The resident's view, shown only with the right access code (form texts in ``locale`` when translated)."""
    with uow.reading():
        request = uow.requests.get(normalise_reference(reference))
        if request is None or not access_code_matches(access_code, request.access_code_hash):
            raise NotFound(NO_MATCH)
        return _status_view(request, uow, proven_owner=True, actor=None, locale=locale)


def my_request_status(reference: str, actor: Actor, uow: UnitOfWork, *, locale: str | None = None) -> StatusView:
    """A signed-in resident opening one of their own requests from "My requests"."""
    with uow.reading():
        request = uow.requests.get(normalise_reference(reference))
        if request is None or actor.username is None or request.submitted_by != actor.username:
            raise NotFound(NO_MATCH)
        return _status_view(request, uow, proven_owner=True, actor=actor, locale=locale)


def my_requests(actor: Actor, uow: UnitOfWork) -> list[RequestRecord]:
    if not actor.is_signed_in or actor.username is None:
        raise PermissionDenied("Sign in to see your requests.")
    with uow.reading():
        return uow.requests.submitted_by(actor.username)


def form_titles(slugs: Collection[str], locale: str, uow: UnitOfWork) -> dict[str, str]:
    """The titles of these forms in the reader's language (as published last), by slug."""
    titles: dict[str, str] = {}
    with uow.reading():
        for slug in set(slugs):
            version = uow.forms.latest_version(slug)
            if version is not None:
                titles[slug] = str(localise(version.definition, locale).get("title") or slug)
    return titles


def _status_view(request: RequestRecord, uow: UnitOfWork, *, proven_owner: bool, actor: Actor | None,
                 locale: str | None = None) -> StatusView:
    version = uow.forms.version_by_id(request.version_id)
    assert version is not None
    definition = parse_definition(localise(version.definition, locale) if locale else version.definition)
    step = workflow.step_at(definition.workflow, request.step_index)
    # A step that hides its comments has them stored as internal (workflow._comment_action); what stays public
    # there is meant for the resident — the question they must answer, a rejection's reason, their own answer.
    comments = [
        PublicComment("You" if c.author == (request.submitted_by or "anonymous") else "City office", c.body, c.written_at)
        for c in uow.requests.comments(request.reference) if c.visibility == "public"
    ]
    roles = workflow.roles_of(actor or Actor(), request, proven_owner=proven_owner)
    actions = [a.value for a in workflow.allowed_actions(request, definition.workflow, roles) if a in {Action.ANSWER, Action.WITHDRAW}]
    return StatusView(
        reference=request.reference, form_title=definition.title, state=request.state,
        state_label=STATE_LABELS[State(request.state)], step_name=step.name if step else None,
        expected_on=request.due_on, submitted_at=request.submitted_at, comments=comments, answers=request.answers,
        schema=definition.schema_, ui_schema=definition.ui_schema, actions=actions, row_version=request.row_version,
        translations=definition.translations,
    )


def resident_act(reference: str, access_code: str | None, action: Action, text: str, expected_version: int,
                 actor: Actor, uow: UnitOfWork, *, holidays: Collection[date] = (),
                 now: datetime | None = None, files: Sequence[tuple[str, bytes]] = (), locale: str = "en",
                 public_url: str | None = None, idempotency_key: str | None = None) -> str:
    """Answer a question (with up to five files) or withdraw, proven by the access code or the
    submitting account. Returns the new state. Refused files are explained in ``locale``.

    A repeated ``idempotency_key`` (a double click, a form sent again) is applied once: the repeat returns
    the request's state without an error, also when it raced the first one and lost on the version check.
    """
    if action not in {Action.ANSWER, Action.WITHDRAW}:
        raise PermissionDenied("Residents can only answer questions or withdraw their request.")
    if files and action != Action.ANSWER:
        raise PermissionDenied("Files can only be sent with an answer.")
    at = now or datetime.now(UTC)
    try:
        with uow:
            request = _proven_request(reference, access_code, actor, uow)
            if idempotency_key and uow.requests.command_seen(idempotency_key):
                return request.state  # only after the proof: a key tells a stranger nothing
            _check_version(request, expected_version)
            definition = parse_definition(_version(request, uow).definition)
            effect = workflow.apply(request, Command(action, actor, text=text, public=True),
                                    _context(definition, request, uow, at, holidays), proven_owner=True)
            _write(effect, definition, uow, at, public_url=public_url)
            attach_to_answer(request.reference, files, uow, locale=locale)
            if idempotency_key:
                uow.requests.remember_command(idempotency_key, request.reference, at)
            uow.commit()
    except StaleRequest:
        # Two clicks at once: the other one wrote first, so this one found the request changed. If it was
        # the same command, the resident's answer or withdrawal is in: say so calmly instead of refusing.
        applied = _state_if_applied(reference, idempotency_key, uow)
        if applied is None:
            raise
        return applied
    return effect.request.state


def _proven_request(reference: str, access_code: str | None, actor: Actor, uow: UnitOfWork) -> RequestRecord:
    """The request, when the access code or the submitting account proves it is the actor's."""
    request = uow.requests.get(normalise_reference(reference))
    proven = request is not None and (
        (access_code is not None and access_code_matches(access_code, request.access_code_hash))
        or (actor.username is not None and request.submitted_by == actor.username)
    )
    if request is None or not proven:
        raise NotFound(NO_MATCH)
    return request


def _state_if_applied(reference: str, idempotency_key: str | None, uow: UnitOfWork) -> str | None:
    """The request's state if ``idempotency_key`` was applied meanwhile (by a concurrent click), else None."""
    if not idempotency_key:
        return None
    with uow.reading():
        if not uow.requests.command_seen(idempotency_key):
            return None
        request = uow.requests.get(normalise_reference(reference))
        return request.state if request else None


def _version(request: RequestRecord, uow: UnitOfWork) -> VersionRecord:
    version = uow.forms.version_by_id(request.version_id)
    assert version is not None
    return version


def _check_version(request: RequestRecord, expected_version: int) -> None:
    if request.row_version != expected_version:
        raise StaleRequest()


def _write(effect: workflow.Effect, definition: FormDefinition, uow: UnitOfWork, at: datetime, *,
           public_url: str | None = None) -> RequestRecord:
    """Write what the engine decided, and queue its mail (``public_url``: for the resident's link)."""
    saved = uow.requests.save(effect.request)
    if effect.decision:
        uow.requests.add_decision(effect.decision)
    if effect.comment:
        uow.requests.add_comment(effect.comment)
    chained = uow.audit.append_all(effect.events)
    event_id = chained[-1].hash[:16] if chained else ""
    notifications.queue(effect.notify, saved, definition, uow, event_id=event_id, now=at, public_url=public_url)
    return saved
