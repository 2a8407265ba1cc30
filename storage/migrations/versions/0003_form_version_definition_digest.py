"""form version definition digest

Each published version keeps the SHA-256 of its definition (builder.published.document_digest), so a
submission finds the version its process already prepared without reading and decoding the definition.
The versions already published get theirs here, computed the same way.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08 00:50:00.000000
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('definition_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, CAST(definition AS TEXT) FROM form_version")).all()
    for version_id, stored in rows:
        # As builder.published.document_digest: the definition's JSON with sorted keys (not the stored text,
        # whose spacing and key order differ between SQLite and PostgreSQL's JSONB).
        digest = hashlib.sha256(json.dumps(json.loads(stored), sort_keys=True).encode()).hexdigest()
        connection.execute(sa.text("UPDATE form_version SET definition_digest = :digest WHERE id = :id"),
                           {"digest": digest, "id": version_id})


def downgrade() -> None:
    # A plain ALTER (SQLite 3.35+ drops a column in place): a batch copy of the table would drop the old
    # one, which the requests' foreign keys refuse.
    op.drop_column('form_version', 'definition_digest')
