"""Attachments: store an upload for a form field, link the files to the request at submit, and let
only the people who may see the request download them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from builder.attachments import (ANSWER_FILES_FIELD, ANSWER_FILES_RULE, MAX_ANSWER_FILES, AttachmentRef,
                                 attachment_ids, check_file, form_file_rules, make_ref, rule_key,
                                 too_many_files)
from builder import validation_messages
from builder.definition import parse_definition
from builder.errors import AnswersInvalid, FieldError, NotFound
from builder.ports import ANONYMOUS, Actor, RequestRecord, StoredAttachment, UnitOfWork
from builder.references import access_code_matches, normalise_reference
from builder.usecases.refusals import Hidden, Refused, audits_refusals

_NOT_YOURS = "There is no such file, or you may not see it."
_NO_REQUEST = "There is no request with this reference, or you may not see it."
# A chosen file waits for its request to be sent; the retention purge deletes it (and its content)
# this long after the upload if it was never sent: an abandoned form or a replaced file.
ABANDONED_UPLOAD_AGE = timedelta(hours=24)
SIGN_IN_TO_SEND = "Please sign in to submit this form."


@audits_refusals
def upload_attachment(form_slug: str, field: tuple[str | int, ...], name: str, data: bytes,
                      uow: UnitOfWork, *, actor: Actor = ANONYMOUS, locale: str = "en",
                      version: int | None = None) -> AttachmentRef:
    """Check the file against the field's rule (kind by content, size) and store it under a random id.

    ``version``: the form version the resident is filling in (default: the latest); refusals in ``locale``.
    A form for signed-in residents only takes files from a signed-in ``actor`` only, like its submission:
    otherwise anyone could store files on it (``Refused``, recorded).
    """
    from builder.usecases.requests import fillable_version  # requests imports this module

    dotted = ".".join(str(part) for part in field)
    words = validation_messages.table(locale)
    with uow:
        definition = parse_definition(fillable_version(form_slug, version, uow).definition)
        if definition.settings.submission == "signed_in" and not actor.is_signed_in:
            raise Refused(SIGN_IN_TO_SEND, what=f"upload to {form_slug}, a form for signed-in residents")
        rule = form_file_rules(definition).get(rule_key(field))
        if rule is None:
            raise AnswersInvalid([FieldError(field, words["file.not_a_file_field"])])
        kind, problem = check_file(rule, name, data, locale)
        if problem or kind is None:
            raise AnswersInvalid([FieldError(field, problem or words["file.refused"])])
        ref = make_ref(name, data, kind)
        uow.attachments.add(StoredAttachment(id=ref.id, field_name=dotted, filename=ref.name, content_type=ref.type,
                                             size=ref.size, sha256=ref.sha256), data)
        uow.commit()
    return ref


def link_submitted_files(answers: dict[str, Any], reference: str, uow: UnitOfWork, *, locale: str = "en") -> None:
    """Inside the submit transaction: attach the answers' files to the new request.

    More files than the form's ``settings.attachments.max_files`` refuse the submission, with a message at each
    file past the limit. A file id that does not exist or already belongs to another request refuses it too,
    so a crafted answer cannot take over somebody else's file.
    """
    over_limit = too_many_files(answers, _max_files(reference, uow), locale)
    if over_limit:
        raise AnswersInvalid(over_limit)
    ids = set(attachment_ids(answers))
    if ids and uow.attachments.link(ids, reference) != len(ids):
        raise AnswersInvalid([FieldError((), validation_messages.table(locale)["file.missing"])])


def _max_files(reference: str, uow: UnitOfWork) -> int:
    """The ``max_files`` of the version the new request was made with (it records which one)."""
    request = uow.requests.get(reference)
    version = uow.forms.version_by_id(request.version_id) if request else None
    assert version is not None, "the request was added in this transaction, with its version"
    return parse_definition(version.definition).settings.attachments.max_files


def attach_to_answer(reference: str, files: Sequence[tuple[str, bytes]], uow: UnitOfWork, *,
                     locale: str = "en") -> list[AttachmentRef]:
    """Inside the answer's transaction: check the files sent with an answer and link them to the request.

    Every file is checked before any is stored, so a refused file leaves nothing behind.
    """
    where = (ANSWER_FILES_FIELD,)
    if len(files) > MAX_ANSWER_FILES:
        message = validation_messages.table(locale)["file.too_many"]
        raise AnswersInvalid([FieldError(where, message.format(limit=MAX_ANSWER_FILES))])
    checked = [(name, data, check_file(ANSWER_FILES_RULE, name, data, locale)) for name, data in files]
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


@audits_refusals
def download_attachment(attachment_id: str, actor: Actor, uow: UnitOfWork, *,
                        access_code: str | None = None) -> tuple[StoredAttachment, bytes]:
    """The file and its content, for a reviewer of the request's groups, its signed-in author, or
    whoever holds the request's access code. Everyone else learns nothing, not even that it exists."""
    with uow.reading():
        record = uow.attachments.get(attachment_id)
        request = uow.requests.get(normalise_reference(record.reference)) if record and record.reference else None
        if record is None or request is None:
            raise NotFound(_NOT_YOURS)
        if not _may_see(actor, request, access_code, uow):  # answered like a missing file; recorded
            raise Hidden(_NOT_YOURS, what=f"file {attachment_id} of request {request.reference}")
        content = uow.attachments.content(attachment_id)
        if content is None:
            raise NotFound(_NOT_YOURS)
        return record, content


@audits_refusals
def request_files(reference: str, actor: Actor, uow: UnitOfWork, *,
                  access_code: str | None = None) -> list[StoredAttachment]:
    """The files of a request, for the people who may see the request: a reviewer of its current or past
    steps' groups, its signed-in author, or whoever holds its access code -- the rule of the request's
    own views and of each download. Anyone else gets ``NotFound``, as for a request that does not exist."""
    with uow.reading():
        request = uow.requests.get(normalise_reference(reference))
        if request is None:
            raise NotFound(_NO_REQUEST)
        if not _may_see(actor, request, access_code, uow):  # answered like a missing request; recorded
            raise Hidden(_NO_REQUEST, what=f"files of request {request.reference}")
        return uow.attachments.of_request(request.reference)


def _may_see(actor: Actor, request: RequestRecord, access_code: str | None, uow: UnitOfWork) -> bool:
    """Who may see a request and its files (inside a reading transaction)."""
    from builder.usecases.review import reviewer_may_see  # review imports requests, which imports this module

    if access_code is not None and access_code_matches(access_code, request.access_code_hash):
        return True
    if actor.is_signed_in and actor.username == request.submitted_by:
        return True
    if not actor.reviewer_groups:
        return False
    version = uow.forms.version_by_id(request.version_id)
    return version is not None and reviewer_may_see(actor, request, parse_definition(version.definition))
