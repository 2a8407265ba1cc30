"""Attachments: store an upload for a form field, link the files to the request at submit, and let
only the people who may see the request download them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.attachments import (ANSWER_FILES_FIELD, ANSWER_FILES_RULE, MAX_ANSWER_FILES, AttachmentRef,
                                 attachment_ids, check_file, file_rules, make_ref)
from builder.definition import parse_definition
from builder.errors import AnswersInvalid, FieldError, NotFound
from builder.ports import Actor, StoredAttachment, UnitOfWork
from builder.references import access_code_matches, normalise_reference

_NOT_YOURS = "There is no such file, or you may not see it."


def upload_attachment(form_slug: str, field: tuple[str | int, ...], name: str, data: bytes,
                      uow: UnitOfWork) -> AttachmentRef:
    """Check the file against the field's rule (kind by content, size) and store it under a random id."""
    dotted = ".".join(str(part) for part in field)
    with uow:
        version = uow.forms.latest_version(form_slug)
        if version is None:
            raise NotFound("This form does not exist or is not published yet.")
        definition = parse_definition(version.definition)
        rule = file_rules(definition.schema_, definition.ui_schema).get(dotted)
        if rule is None:
            raise AnswersInvalid([FieldError(field, "This question does not take a file.")])
        kind, problem = check_file(rule, name, data)
        if problem or kind is None:
            raise AnswersInvalid([FieldError(field, problem or "This file cannot be accepted.")])
        ref = make_ref(name, data, kind)
        uow.attachments.add(StoredAttachment(id=ref.id, field_name=dotted, filename=ref.name, content_type=ref.type,
                                             size=ref.size, sha256=ref.sha256), data)
        uow.commit()
    return ref


def link_submitted_files(answers: dict[str, Any], reference: str, uow: UnitOfWork) -> None:
    """Inside the submit transaction: attach the answers' files to the new request.

    A file id that does not exist or already belongs to another request refuses the submission, so a
    crafted answer cannot take over somebody else's file.
    """
    ids = set(attachment_ids(answers))
    if ids and uow.attachments.link(ids, reference) != len(ids):
        raise AnswersInvalid([FieldError((), "A file in your answers could not be found. Attach it again.")])


def attach_to_answer(reference: str, files: Sequence[tuple[str, bytes]], uow: UnitOfWork) -> list[AttachmentRef]:
    """Inside the answer's transaction: check the files sent with an answer and link them to the request.

    Every file is checked before any is stored, so a refused file leaves nothing behind.
    """
    where = (ANSWER_FILES_FIELD,)
    if len(files) > MAX_ANSWER_FILES:
        raise AnswersInvalid([FieldError(where, f"Send at most {MAX_ANSWER_FILES} files with one answer.")])
    checked = [(name, data, check_file(ANSWER_FILES_RULE, name, data)) for name, data in files]
    problems = [FieldError(where, problem) for _name, _data, (_kind, problem) in checked if problem]
    if problems:
        raise AnswersInvalid(problems)
    refs = []
    for name, data, (kind, _problem) in checked:
        ref = make_ref(name, data, kind or "")
        uow.attachments.add(StoredAttachment(id=ref.id, field_name=ANSWER_FILES_FIELD, filename=ref.name,
                                             content_type=ref.type, size=ref.size, sha256=ref.sha256), data)
        refs.append(ref)
    uow.attachments.link([ref.id for ref in refs], reference)
    return refs


def download_attachment(attachment_id: str, actor: Actor, uow: UnitOfWork, *,
                        access_code: str | None = None) -> tuple[StoredAttachment, bytes]:
    """The file and its content, for a reviewer of the request's groups, its signed-in author, or
    whoever holds the request's access code. Everyone else learns nothing, not even that it exists."""
    from builder.usecases.review import reviewer_may_see  # review imports requests, which imports this module

    with uow.reading():
        record = uow.attachments.get(attachment_id)
        request = uow.requests.get(normalise_reference(record.reference)) if record and record.reference else None
        if record is None or request is None:
            raise NotFound(_NOT_YOURS)
        version = uow.forms.version_by_id(request.version_id)
        definition = parse_definition(version.definition) if version else None
        allowed = (
            (definition is not None and actor.reviewer_groups and reviewer_may_see(actor, request, definition))
            or (actor.is_signed_in and actor.username == request.submitted_by)
            or (access_code is not None and access_code_matches(access_code, request.access_code_hash)))
        content = uow.attachments.content(attachment_id) if allowed else None
        if content is None:
            raise NotFound(_NOT_YOURS)
        return record, content


def request_files(reference: str, uow: UnitOfWork) -> list[StoredAttachment]:
    """The files of a request, for a page that has already checked its reader may see the request."""
    with uow.reading():
        return uow.attachments.of_request(normalise_reference(reference))
