"""Designing and publishing forms."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from builder.definition import FormDefinition, parse_definition
from builder.errors import DefinitionInvalid, FieldError, NotFound
from builder.lint import Finding, lint
from builder.lint_messages import KeyedFieldError
from builder.ports import Actor, AuditEvent, FormRecord, UnitOfWork, VersionRecord
from builder.publishing_checks import publishing_errors, unsafe_text_errors
from builder.usecases.refusals import Hidden, Refused, audits_refusals
from builder.validation import upgrade_dependencies


@dataclass(frozen=True)
class CatalogueEntry:
    slug: str
    title: str
    description: str
    department: str
    version: int
    signed_in_only: bool
    document: dict[str, Any]  # the published definition, for translated titles


@dataclass(frozen=True)
class PublishedForm:
    slug: str
    version_id: int
    number: int
    definition: FormDefinition


NOT_DESIGNABLE = "This form does not exist or belongs to another department."


def may_design(actor: Actor, department: str) -> bool:
    return actor.is_admin or department in actor.designer_departments


def definition_from_document(document: dict[str, Any]) -> FormDefinition:
    """Parse a definition, turning pydantic's errors into field errors a designer can read."""
    try:
        return parse_definition(document)
    except ValidationError as exc:
        raise DefinitionInvalid(
            [FieldError(tuple(str(p) for p in err["loc"]), err["msg"]) for err in exc.errors()]
        ) from None


@audits_refusals
def create_form(document: dict[str, Any], actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> str:
    """Create a form whose draft is ``document``; returns its slug."""
    definition = definition_from_document(document)
    if not may_design(actor, definition.department):
        raise Refused("You can only create forms for your own department.",
                      what=f"form {definition.slug} in department {definition.department}")
    unsafe = unsafe_text_errors(definition.to_document())
    if unsafe:
        raise DefinitionInvalid(unsafe)
    at = now or datetime.now(UTC)
    with uow:
        if not uow.directory.department_exists(definition.department):
            raise DefinitionInvalid([FieldError(("department",), f"There is no department “{definition.department}”.")])
        if uow.forms.get(definition.slug) is not None:
            raise DefinitionInvalid([FieldError(("slug",), f"A form with the address “{definition.slug}” exists already.")])
        uow.forms.add(FormRecord(definition.slug, definition.department, definition.title, definition.to_document(),
                                 draft_revision=1, draft_updated_by=actor.username, draft_updated_at=at))
        uow.audit.append(AuditEvent("create_form", actor.label, at, comment=definition.slug))
        uow.commit()
    return definition.slug


@audits_refusals
def save_draft(slug: str, document: dict[str, Any], expected_revision: int, actor: Actor, uow: UnitOfWork,
               *, now: datetime | None = None) -> int:
    """Save a draft as it is edited; a concurrent edit raises ``DraftConflict``. Returns the new revision."""
    at = now or datetime.now(UTC)
    with uow:
        form = _designable_form(slug, actor, uow)
        if document.get("slug") != slug or document.get("department") != form.department:
            raise DefinitionInvalid([FieldError(("slug",), "The address and department of a form cannot change.")])
        unsafe = unsafe_text_errors(document)
        if unsafe:
            raise DefinitionInvalid(unsafe)
        revision = uow.forms.save_draft(slug, document, expected_revision=expected_revision, by=actor.label, at=at)
        uow.commit()
    return revision


@audits_refusals
def publish(slug: str, actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Publish the current draft as the next immutable version; returns the version number."""
    at = now or datetime.now(UTC)
    with uow:
        form = _designable_form(slug, actor, uow)
        definition = _publishable(form.draft, uow)
        latest = uow.forms.latest_version(slug)
        number = (latest.number if latest else 0) + 1
        uow.forms.add_version(VersionRecord(slug, number, definition.to_document(), at, actor.username))
        uow.audit.append(AuditEvent("publish", actor.label, at, comment=f"{slug} v{number}"))
        uow.commit()
    return number


def _publishable(document: dict[str, Any], uow: UnitOfWork) -> FormDefinition:
    """The definition, if it may go live now: the publishing checks and the lint errors, against the
    groups as they are today (a rollback too: a group renamed or emptied since would strand requests)."""
    definition = definition_from_document(document)
    errors = publishing_errors(definition, group_exists=uow.directory.group_exists)
    errors += _lint_errors(document, errors, uow)
    if errors:
        raise DefinitionInvalid(errors)
    return definition


def _lint_errors(document: dict[str, Any], found: list[FieldError], uow: UnitOfWork) -> list[FieldError]:
    """The builder's lint errors (a choice without options, a step nobody can decide…): the page disables
    its button on them, and this refuses them for every other caller too."""
    def group_size(group: str) -> int | None:
        return len(uow.directory.group_members(group)) if uow.directory.group_exists(group) else None

    reported_steps = {error.path[2] for error in found if error.path[:2] == ("workflow", "steps")}
    return [_field_error(finding) for finding in lint(document, group_size=group_size)
            if finding.severity == "error" and finding.step not in reported_steps]


def _field_error(finding: Finding) -> FieldError:
    """The finding as a field error that keeps its key, so the editor can say it in the designer's language."""
    if finding.field:
        path: tuple[str | int, ...] = ("schema", "properties", finding.field)
    elif finding.step is not None:
        path = ("workflow", "steps", finding.step)
    else:
        path = ()
    return KeyedFieldError(path, finding.message, finding.code, finding.params)


@audits_refusals
def republish(slug: str, number: int, actor: Actor, uow: UnitOfWork, *, now: datetime | None = None) -> int:
    """Roll back: publish an older version's definition again as a new version.

    The old version passes the same checks as ``publish`` first: its groups may have been renamed or
    emptied since it was live, and then nobody could decide its requests."""
    at = now or datetime.now(UTC)
    with uow:
        _designable_form(slug, actor, uow)
        old = uow.forms.version(slug, number)
        if old is None:
            raise NotFound(f"Version {number} of this form does not exist.")
        _publishable(old.definition, uow)
        latest = uow.forms.latest_version(slug)
        new_number = (latest.number if latest else 0) + 1
        uow.forms.add_version(VersionRecord(slug, new_number, old.definition, at, actor.username))
        uow.audit.append(AuditEvent("publish", actor.label, at, comment=f"{slug} v{new_number} (from v{number})"))
        uow.commit()
    return new_number


def catalogue(uow: UnitOfWork) -> list[CatalogueEntry]:
    """Every published form, newest version of each, for the public catalogue."""
    with uow.reading():
        versions = uow.forms.published()
    entries = []
    for version in versions:
        definition = parse_definition(version.definition)
        entries.append(CatalogueEntry(definition.slug, definition.title, definition.description,
                                      definition.department, version.number,
                                      definition.settings.submission == "signed_in", version.definition))
    return sorted(entries, key=lambda entry: entry.title.lower())


def published_form(slug: str, uow: UnitOfWork) -> PublishedForm:
    with uow.reading():
        version = uow.forms.latest_version(slug)
    if version is None or version.id is None:
        raise NotFound("This form does not exist or is not published yet.")
    return PublishedForm(slug, version.id, version.number, parse_definition(version.definition))


@audits_refusals
def forms_for(actor: Actor, uow: UnitOfWork) -> list[FormRecord]:
    """The forms a designer may see: their departments' (administrators: all)."""
    if not actor.is_admin and not actor.designer_departments:
        raise Refused("Only designers and administrators can manage forms.", what="not a designer")
    with uow.reading():
        return uow.forms.list(None if actor.is_admin else actor.designer_departments)


@audits_refusals
def versions_of(slug: str, actor: Actor, uow: UnitOfWork) -> list[VersionRecord]:
    with uow.reading():
        _designable_form(slug, actor, uow)
        return uow.forms.versions(slug)


def _designable_form(slug: str, actor: Actor, uow: UnitOfWork) -> FormRecord:
    form = uow.forms.get(slug)
    if form is None:
        raise NotFound(NOT_DESIGNABLE)
    if not may_design(actor, form.department):  # answered like a missing form; recorded by the use case
        raise Hidden(NOT_DESIGNABLE, what=f"form {slug} of department {form.department}")
    return form


# ------------------------------------------------------------------ the builder page


@dataclass(frozen=True)
class Draft:
    """A form's draft as the editor opens it: the document and the revision to save against."""

    slug: str
    department: str
    document: dict[str, Any]
    revision: int
    updated_by: str | None
    updated_at: datetime | None
    latest_version: int | None


def open_draft(slug: str, actor: Actor, uow: UnitOfWork) -> Draft:
    """The current draft of a form the actor may design."""
    with uow.reading():
        form = _designable_form(slug, actor, uow)
        latest = uow.forms.latest_version(slug)
    return Draft(form.slug, form.department, form.draft, form.draft_revision, form.draft_updated_by,
                 form.draft_updated_at, latest.number if latest else None)


@audits_refusals
def group_sizes(actor: Actor, uow: UnitOfWork) -> dict[str, int]:
    """Every group a step can be given to, with its number of active members (for the step editor and lint)."""
    if not actor.is_admin and not actor.designer_departments:
        raise Refused("Only designers and administrators can see the groups.", what="not a designer")
    with uow.reading():
        return {group.name: len(uow.directory.group_members(group.name)) for group in uow.directory.all_groups()}


@audits_refusals
def version_definition(slug: str, number: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    with uow.reading():
        _designable_form(slug, actor, uow)
        version = uow.forms.version(slug, number)
    if version is None:
        raise NotFound(f"Version {number} of this form does not exist.")
    return version.definition


def import_document(text: str, ui_text: str = "", *, slug: str, department: str,
                    title: str = "") -> dict[str, Any]:
    """A definition from an imported file: a whole Formwork definition, or a plain JSON Schema
    (+ optional uiSchema) wrapped into one. Draft-07 ``definitions`` are accepted as they are; draft-07
    ``dependencies`` become ``dependentRequired`` / ``dependentSchemas``; a schema that leaves its answers
    open is closed (see ``_closed``)."""
    document = _json_object(text, "file")
    ui_schema = _json_object(ui_text, "uiSchema file") if ui_text.strip() else None
    if "schema" in document and "slug" in document:
        schema = document["schema"]
        imported = _closed(schema) if isinstance(schema, dict) else schema
        return {**document, "schema": imported, "slug": slug, "department": department}
    if document.get("type") != "object" or not isinstance(document.get("properties"), dict):
        raise DefinitionInvalid([FieldError(("file",), "This file is neither a Formwork form nor a JSON Schema of an "
                                                       "object with properties.")])
    return {"slug": slug, "title": title or str(document.get("title") or slug), "department": department,
            "description": str(document.get("description") or ""), "schema": _closed(document),
            "uiSchema": ui_schema or {}, "workflow": {"steps": []}, "settings": {}}


_OLDER_DRAFTS = ("json-schema.org/draft-04/", "json-schema.org/draft-06/", "json-schema.org/draft-07/")


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema in draft 2020-12, refusing answers to questions the form does not ask.

    A JSON Schema accepts any other property unless told not to, so ``{"status": "approved"}`` would be
    stored with a request. ``unevaluatedProperties: false`` (not ``additionalProperties``) still lets the
    fields of ``if``/``then``, ``allOf``, ``oneOf`` and ``dependentSchemas`` branches through. A schema that
    sets either keyword itself is left as its author wrote it."""
    upgraded = dict(upgrade_dependencies(schema))
    if "additionalProperties" not in upgraded and "unevaluatedProperties" not in upgraded:
        upgraded["unevaluatedProperties"] = False
    if any(draft in str(upgraded.get("$schema", "")) for draft in _OLDER_DRAFTS):
        upgraded["$schema"] = "https://json-schema.org/draft/2020-12/schema"  # it now uses 2020-12 keywords
    return upgraded


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionInvalid([FieldError((what,), f"The {what} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                                     f"column {exc.colno}.")]) from None
    if not isinstance(value, dict):
        raise DefinitionInvalid([FieldError((what,), f"The {what} must hold one JSON object {{…}}.")])
    return value


def export_document(document: dict[str, Any]) -> str:
    """The definition as a JSON file a city can keep or take to another system."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def departments_for(actor: Actor, uow: UnitOfWork) -> list[str]:
    """The departments an actor may create forms for (administrators: every department)."""
    if actor.is_admin:
        with uow.reading():
            return sorted(d.slug for d in uow.directory.all_departments())
    return sorted(actor.designer_departments)
