"""Uploaded files in the database: the ``attachment`` row and its ``attachment_blob`` content.

Files are stored under the random id the core made (``builder.attachments.make_ref``), never under a
path built from the uploaded name; a file uploaded for a request not yet submitted has no submission
and is linked when the request is submitted.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from builder.ports import StoredAttachment
from storage.models import Attachment, AttachmentBlob, Submission


class SqlAttachments:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: StoredAttachment, data: bytes) -> None:
        self.session.add(Attachment(id=record.id, field_name=record.field_name, filename=record.filename,
                                    content_type=record.content_type, size=record.size, sha256=record.sha256))
        self.session.flush()  # the blob's foreign key needs the attachment row first
        self.session.add(AttachmentBlob(attachment_id=record.id, data=data))
        self.session.flush()

    def link(self, ids: Collection[str], reference: str) -> int:
        if not ids:
            return 0
        self.session.flush()
        submission_id = self.session.exec(select(Submission.id).where(Submission.reference == reference)).one()
        rows = self.session.exec(select(Attachment).where(col(Attachment.id).in_(list(ids)),
                                                          col(Attachment.submission_id).is_(None))).all()
        for row in rows:
            row.submission_id = submission_id
            self.session.add(row)
        self.session.flush()
        return len(rows)

    def get(self, attachment_id: str) -> StoredAttachment | None:
        row = self.session.exec(select(Attachment, Submission.reference)
                                .join(Submission, Submission.id == Attachment.submission_id, isouter=True)
                                .where(Attachment.id == attachment_id)).first()
        return None if row is None else _record(*row)

    def content(self, attachment_id: str) -> bytes | None:
        return self.session.exec(select(AttachmentBlob.data).where(AttachmentBlob.attachment_id == attachment_id)).first()

    def of_request(self, reference: str) -> list[StoredAttachment]:
        rows = self.session.exec(select(Attachment, Submission.reference)
                                 .join(Submission, Submission.id == Attachment.submission_id)
                                 .where(Submission.reference == reference).order_by(col(Attachment.created_at)))
        return [_record(row, ref) for row, ref in rows]


def _record(row: Attachment, reference: str | None) -> StoredAttachment:
    return StoredAttachment(id=row.id, field_name=row.field_name, filename=row.filename,
                            content_type=row.content_type, size=row.size, sha256=row.sha256, reference=reference)
