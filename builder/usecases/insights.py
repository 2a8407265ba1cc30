"""The city's view of its own work: dashboard figures, open data, retention and residents' data requests."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from builder import metrics, opendata, workflow
from builder.definition import FormDefinition, Retention, Workflow, parse_definition
from builder.errors import NotFound, PermissionDenied, StaleRequest
from builder.ports import Actor, AuditEvent, FormRecord, RequestRecord, UnitOfWork, VersionRecord
from builder.usecases.refusals import Refused, audits_refusals
from builder.workflow import OPEN_STATES

OPEN_DATA_KEY = "open_data_hmac"
RETENTION_ACTOR = "retention"


def _may_see_figures(actor: Actor) -> None:
    if not (actor.is_admin or actor.designer_departments):
        raise PermissionDenied("Only form designers and administrators can see the figures.")


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Refused("Only administrators can handle data-protection requests.", what="not an administrator")


def visible_forms(actor: Actor, uow: UnitOfWork) -> list[FormRecord]:
    """Forms whose figures the actor may see: administrators all, designers their departments'."""
    _may_see_figures(actor)
    with uow.reading():
        return uow.forms.list(None if actor.is_admin else actor.designer_departments)


def dashboard(actor: Actor, uow: UnitOfWork, *, forms: Collection[str] | None = None, department: str | None = None,
              submitted_from: datetime | None = None, submitted_to: datetime | None = None,
              now: datetime | None = None, holidays: Collection[date] = ()) -> metrics.Dashboard:
    """Figures for the chosen forms (default: all the actor may see), of requests submitted in the period.

    New audit events are first folded into the stored facts (``refresh_figures``); the figures are then
    aggregated by the database over those facts, so the cost follows the filter, not the log's length.
    """
    allowed = visible_forms(actor, uow)
    chosen = [f.slug for f in allowed
              if (forms is None or f.slug in forms) and (department is None or f.department == department)]
    with uow.reading():
        book = step_book(uow)
    refreshed = _refresh(uow, holidays, book)
    with uow.reading():
        figures = uow.insights.figures(chosen, submitted_from, submitted_to, now or datetime.now(UTC))
    return metrics.assemble(figures, book, refreshed)


REFRESH_BATCH = 20_000  # events per transaction while catching up


def refresh_figures(uow: UnitOfWork, holidays: Collection[date] = (), *, batch: int = REFRESH_BATCH) -> int:
    """Fold the requests that have new audit events into their stored facts, ``batch`` events per
    transaction. Returns how many requests were updated.

    Each request is measured with the steps (SLAs) of the form version it was submitted on, as the
    inbox's due dates are: a newer version's settings do not change an older request's breaches.
    """
    return _refresh(uow, holidays, None, batch)


def _refresh(uow: UnitOfWork, holidays: Collection[date], book: metrics.StepBook | None,
             batch: int = REFRESH_BATCH) -> int:
    updated = 0
    while True:
        with uow:
            references, covered = uow.insights.stale_references(batch)
            if not references:
                return updated
            if book is None:  # read once per refresh, and only when there is something to fold
                book = step_book(uow)
            facts = metrics.facts_of(uow.insights.events_of(references), book, holidays)
            uow.insights.store_facts(facts, covered)
            uow.commit()
        updated += len(references)


def step_book(uow: UnitOfWork) -> metrics.StepBook:
    """The steps of every version of the published forms, each version parsed once (inside a transaction)."""
    versions: dict[tuple[str, int], dict[str, metrics.StepInfo]] = {}
    for latest in uow.forms.published():
        for version in uow.forms.versions(latest.form_slug):
            steps = Workflow.model_validate(version.definition.get("workflow", {})).steps
            versions[(latest.form_slug, version.number)] = {
                step.id: metrics.StepInfo(step.name, step.sla_days) for step in steps}
    return metrics.StepBook.of_versions(versions)


def open_data(slug: str, actor: Actor, uow: UnitOfWork) -> opendata.OpenDataExport:
    """The publishable export of one form (see ``builder.opendata`` for what protects residents)."""
    if slug not in {f.slug for f in visible_forms(actor, uow)}:
        raise NotFound("There is no form with this name in your departments.")
    with uow:
        key = uow.insights.secret(OPEN_DATA_KEY)
        uow.commit()
    with uow.reading():
        version = uow.forms.latest_version(slug)
        if version is None:
            raise NotFound("This form has not been published yet, so it has no data.")
        definition = _personal_in_any_version(parse_definition(version.definition), uow.forms.versions(slug))
        records = [opendata.OpenRecord(r.reference, r.submitted_at, r.state, r.answers)
                   for r in uow.insights.form_requests(slug)]
    return opendata.build_export(definition, records, key)


def _personal_in_any_version(latest: FormDefinition, versions: list[VersionRecord]) -> FormDefinition:
    """The latest version's open-data choices, with every field that any version marked personal kept
    personal: residents answered an older version under its promise, and a later version that no longer
    marks a field personal must not publish what they sent then (personal wins, across versions too)."""
    personal = set(latest.settings.personal_data)
    for version in versions:
        personal.update(version.definition.get("settings", {}).get("personal_data", []))
    settings = latest.settings.model_copy(update={"personal_data": sorted(personal)})
    return latest.model_copy(update={"settings": settings})


# ---------------------------------------------------------------- retention


@dataclass(frozen=True)
class PurgedRequest:
    form: str
    reference: str
    state: str  # the state it keeps: "withdrawn" for a request closed as abandoned
    retention_days: int
    abandoned: bool = False  # it was waiting for the resident (needs_info) and was closed by the purge


def purge_expired(uow: UnitOfWork, *, now: datetime | None = None) -> list[PurgedRequest]:
    """Anonymise finished, withdrawn and abandoned requests kept longer than their form's retention.

    Each kind has its own period (``FormSettings.retention``; withdrawn and abandoned default to the
    finished one). Approved and rejected requests count from their decision, withdrawn ones from their
    withdrawal (their last change). A request waiting for the resident (``needs_info``) counts from when
    the waiting started — a reviewer's comment meanwhile does not restart the clock — and past its period
    is considered abandoned: in the same transaction the workflow closes it (``workflow.abandon``:
    withdrawn, an ``abandon`` event by ``system``), so it leaves the reviewers' open tabs and the
    dashboard's open figures. Each purge writes a ``purge`` audit event naming the period applied. A
    request that changed while the purge ran (a resident answering at that moment) is left alone for
    this run: the form's transaction is refused and the next run tries again.
    """
    at = now or datetime.now(UTC)
    with uow.reading():
        policies = [(v.form_slug, parse_definition(v.definition).settings.retention)
                    for v in uow.forms.published()]
    purged: list[PurgedRequest] = []
    for slug, periods in policies:
        try:
            purged += _purge_form(uow, slug, periods, at)
        except StaleRequest:
            continue  # rolled back; the changed request is no longer expired, or is next time
    return purged


def _purge_form(uow: UnitOfWork, slug: str, periods: Retention, at: datetime) -> list[PurgedRequest]:
    done: list[PurgedRequest] = []
    with uow:
        for request in _expired(uow, slug, periods, at):
            abandoned = request.state == workflow.State.NEEDS_INFO
            days = _period_of(request.state, periods)
            if abandoned:
                effect = workflow.abandon(request, at)
                request = uow.requests.save(effect.request)  # before anonymise: save writes the answers back
                for event in effect.events:
                    uow.audit.append(event)
            uow.insights.anonymise(request.reference, at)
            uow.audit.append(AuditEvent(
                "purge", RETENTION_ACTOR, at, request.reference, request.state, request.state, request.step_id,
                request.step_id, f"Answers, files and contact details removed after {days} days (retention)."))
            done.append(PurgedRequest(slug, request.reference, request.state, days, abandoned))
        uow.commit()
    return done


def _period_of(state: str, periods: Retention) -> int:
    if state == workflow.State.NEEDS_INFO:
        return periods.abandoned_days
    if state == workflow.State.WITHDRAWN:
        return periods.withdrawn_days
    return periods.finished_days


def _expired(uow: UnitOfWork, slug: str, periods: Retention, at: datetime) -> list[RequestRecord]:
    """The form's requests past their own kind's period.

    The storage query has one cutoff for approved, rejected and withdrawn requests and one for waiting
    requests, both on the last change: it is asked with the later of the finished and withdrawn cutoffs
    and for every waiting request, and each candidate is then held to its own period here.
    """
    finished = at - timedelta(days=periods.finished_days)
    withdrawn = at - timedelta(days=periods.withdrawn_days)
    abandoned = at - timedelta(days=periods.abandoned_days)
    expired = []
    for request in uow.insights.expired(slug, max(finished, withdrawn), at):
        if request.state == workflow.State.NEEDS_INFO:
            if _waiting_since(uow, request, abandoned) < abandoned:
                expired.append(request)
        elif request.updated_at < (withdrawn if request.state == workflow.State.WITHDRAWN else finished):
            expired.append(request)
    return expired


def _waiting_since(uow: UnitOfWork, request: RequestRecord, cutoff: datetime) -> datetime:
    """When a request in ``needs_info`` started waiting for the resident: its last return to them.

    Its last change and its submission bound that moment, so the history is read only when the
    cutoff falls between the two (a reviewer commented while the resident was being waited for).
    """
    if request.updated_at < cutoff or request.submitted_at >= cutoff:
        return request.updated_at
    started = [e.event.at for e in uow.audit.for_request(request.reference)
               if e.event.to_state == workflow.State.NEEDS_INFO and e.event.from_state != workflow.State.NEEDS_INFO]
    return max(started, default=request.updated_at)


# ---------------------------------------------------------------- a resident's data


@dataclass(frozen=True)
class ResidentSummary:
    who: str
    requests: list[RequestRecord]
    account: dict[str, Any] | None


@audits_refusals
def find_resident(who: str, actor: Actor, uow: UnitOfWork) -> ResidentSummary:
    """Everything linked to a username or an email address (requests still holding data)."""
    _require_admin(actor)
    wanted = who.strip()
    if len(wanted) < 3:
        raise NotFound("Type the resident's username or email address (at least 3 characters).")
    with uow.reading():
        requests = uow.insights.resident_requests(wanted)
        user = uow.directory.user(wanted)
    account = None
    if user is not None:
        account = {"username": user.username, "display_name": user.display_name, "email": user.email,
                   "active": user.is_active}
    return ResidentSummary(wanted, requests, account)


def _addresses(summary: ResidentSummary) -> set[str]:
    """The email addresses the city wrote to about this resident: their account's, each request's contact
    address, and the one searched for."""
    found = {r.contact_email for r in summary.requests if r.contact_email}
    if summary.account is not None and summary.account["email"]:
        found.add(summary.account["email"])
    if "@" in summary.who:
        found.add(summary.who)
    return {address.strip().lower() for address in found}


@audits_refusals
def resident_archive(who: str, actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> bytes:
    """One zip with the resident's account, answers, files, comments, history and the mail the city sent
    them (or still has queued); the export is audited."""
    _require_admin(actor)  # refused (and recorded) as this use case, not as the look-up
    summary = find_resident(who, actor, uow)
    if not summary.requests and summary.account is None:
        raise NotFound("Nothing is linked to this username or email address.")
    at = now or datetime.now(UTC)
    buffer = io.BytesIO()
    with uow.reading(), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(summary, at))
        if summary.account is not None:
            archive.writestr("account.json", _json(summary.account))
        for request in summary.requests:
            _add_request(archive, request, uow)
        mail = uow.insights.resident_mail(_addresses(summary))
        if mail:
            archive.writestr("mail.json", _json([asdict(m) for m in mail]))
    with uow:
        for request in summary.requests:
            uow.audit.append(AuditEvent("export_data", actor.label, at, request.reference, request.state,
                                        request.state, request.step_id, request.step_id,
                                        "Resident's data exported for a data-protection request."))
        uow.commit()
    return buffer.getvalue()


def _add_request(archive: zipfile.ZipFile, request: RequestRecord, uow: UnitOfWork) -> None:
    folder = f"requests/{_safe(request.reference)}"
    version = uow.forms.version_by_id(request.version_id)
    archive.writestr(f"{folder}/request.json", _json({
        "reference": request.reference, "form": request.form_slug, "form_version": request.version_number,
        "form_title": version.definition.get("title") if version else None, "state": request.state,
        "submitted_at": request.submitted_at, "updated_at": request.updated_at, "submitted_by": request.submitted_by,
        "contact_email": request.contact_email, "answers": request.answers}))
    archive.writestr(f"{folder}/comments.json", _json([asdict(c) for c in uow.requests.comments(request.reference)]))
    archive.writestr(f"{folder}/decisions.json", _json([asdict(d) for d in uow.requests.decisions(request.reference)]))
    archive.writestr(f"{folder}/history.json", _json([asdict(e.event) for e in uow.audit.for_request(request.reference)]))
    for number, file in enumerate(uow.insights.files(request.reference), start=1):
        archive.writestr(f"{folder}/files/{number:02d}-{_safe(file.field_name)}-{_safe(file.filename)}", file.data)


@audits_refusals
def erase_resident(who: str, actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Remove the resident's answers, files, contact details and the mail to them (queued or sent), and close
    their account -- name, address and username -- if it is a resident's. Open requests are withdrawn first.
    Returns how many requests were erased. The audit log keeps the username as the actor of what the
    resident did (README, data-protection requests): the hash chain cannot change."""
    _require_admin(actor)  # refused (and recorded) as this use case, not as the look-up
    summary = find_resident(who, actor, uow)
    addresses = _addresses(summary)
    at = now or datetime.now(UTC)
    usernames = {r.submitted_by for r in summary.requests if r.submitted_by}
    if summary.account is not None:
        usernames.add(summary.account["username"])
    with uow:
        for request in summary.requests:
            final_state = request.state
            if request.state in OPEN_STATES:
                final_state = "withdrawn"
                uow.requests.save(replace(request, state=final_state, claimed_by=None, due_on=None, updated_at=at))
            uow.insights.anonymise(request.reference, at)
            uow.audit.append(AuditEvent("erase", actor.label, at, request.reference, request.state, final_state,
                                        request.step_id, request.step_id,
                                        "Answers, files and contact details erased on the resident's request."))
        uow.insights.forget_mail(addresses)
        for username in usernames:
            uow.insights.forget_user(username)
        uow.commit()
    return len(summary.requests)


def _readme(summary: ResidentSummary, at: datetime) -> str:
    return (f"Data held by the city about: {summary.who}\nExported (UTC): {at:%Y-%m-%d %H:%M}\n"
            f"Requests: {len(summary.requests)}\n\naccount.json: the account, if there is one.\n"
            "requests/<reference>/request.json: the answers as submitted, and the request's status.\n"
            "requests/<reference>/comments.json and decisions.json: messages and decisions.\n"
            "requests/<reference>/history.json: every step of the request (the audit log).\n"
            "requests/<reference>/files/: the files that were attached.\n"
            "mail.json: the messages the city sent to these addresses (sent_at empty: not sent yet).\n")


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=_plain)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"cannot export {type(value).__name__}")


def _safe(name: str) -> str:
    """A file name that stays inside its folder of the archive."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"
    return cleaned[:80]
