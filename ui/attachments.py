"""Streamlit pieces for attachments: the form page's upload handler and the case page's file list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from builder.attachments import ANSWER_FILES_FIELD, answer_value
from builder.errors import AnswersInvalid, FieldError, NotFound, PermissionDenied, RateLimited
from builder.ports import Actor, UnitOfWork
from builder.usecases.attachments import download_attachment, request_files, upload_attachment
from builder.usecases.limits import admit_upload
from ui.context import current_actor
from ui.i18n import _, show_number
from ui.renderer import UploadHandler
from ui.text import label_text


def upload_handler(form_slug: str, uow_factory: Callable[[], UnitOfWork], *, locale: str = "en",
                   version: int | None = None) -> UploadHandler:
    """Stores a chosen file (checked by content, under a random id) and returns the field's answer.

    The file is checked against the rules of ``version`` (the one being filled in); refusals in ``locale``.
    Files are counted per client (``admit_upload``): past the hourly limit the file is not kept and the
    field says why and what to do, like any other refused file. A form for signed-in residents only
    refuses files from anyone else (the core records the attempt), at the field too.
    """
    def store(path: tuple[str | int, ...], schema: dict[str, Any], upload: Any) -> str:
        actor = current_actor()
        try:
            admit_upload(actor, uow_factory())
        except RateLimited:
            raise AnswersInvalid([FieldError(path, _(
                "Too many files were sent from your connection in the last hour, so this file was not kept. "
                "Please wait a while, then choose it again; your other answers are kept."))]) from None
        try:
            ref = upload_attachment(form_slug, path, upload.name, upload.getvalue(), uow_factory(), actor=actor,
                                    locale=locale, version=version)
        except PermissionDenied:
            raise AnswersInvalid([FieldError(path, _("Please sign in to submit this form."))]) from None
        return answer_value(ref)
    return store


def show_files(reference: str, actor: Actor, uow_factory: Callable[[], UnitOfWork],
               access_code: str | None = None) -> None:
    """A download button per file of the request; the list and each download are authorised by the core."""
    try:
        files = request_files(reference, actor, uow_factory(), access_code=access_code)
    except NotFound:  # not this reader's request: the page says so; its files show nothing either
        return
    if not files:
        st.text(_("No files."))
        return
    for record in files:
        try:
            stored, content = download_attachment(record.id, actor, uow_factory(), access_code=access_code)
        except NotFound:
            continue
        # The name is the uploader's words and a button label reads markdown: escaped to show as typed.
        name = label_text(stored.filename)
        words = (_("{name} ({size}), sent with an answer") if stored.field_name == ANSWER_FILES_FIELD
                 else _("{name} ({size})")).format(name=name, size=_size(stored.size))
        st.download_button(words, content, file_name=stored.filename, mime=stored.content_type,
                           key=f"file:{stored.id}", icon=":material/download:")


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("{size} MB").format(size=show_number(round(size / 1024 / 1024, 1)))
    return _("{size} kB").format(size=show_number(max(1, size // 1024)))
