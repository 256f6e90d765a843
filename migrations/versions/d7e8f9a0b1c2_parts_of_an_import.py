"""Parts of an import attempt, staged by several workers at once; staging without an index

Revision ID: d7e8f9a0b1c2
Revises: c6d7e8f9a0b1
Create Date: 2026-12-02 01:10:00

An attempt's chunks are split into parts (chunk n in part n % parts); each part is claimed by
one worker, which records here when it started and finished, its notes, or why it failed.
`staged_lines` loses its index on (import, shop, line): the merge hashes an attempt's lines, and
keeping the index cost 6-8 % of an import (measured on 300,000 lines, both databases).
"""

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision = "d7e8f9a0b1c2"
down_revision = "c6d7e8f9a0b1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_parts",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("message_en", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("import_id", "attempt", "part", name=op.f("pk_import_parts")),
    )


    with op.batch_alter_table("staged_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_staged_lines_import_key")


def downgrade():
    with op.batch_alter_table("staged_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_staged_lines_import_key", ["import_id", "shop_id", "line_id"], unique=False
        )
    op.drop_table("import_parts")
