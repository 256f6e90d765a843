"""Parts of an import attempt, staged by several workers at once

Revision ID: d7e8f9a0b1c2
Revises: c6d7e8f9a0b1
Create Date: 2026-12-02 01:10:00

An attempt's chunks are split into parts (chunk n in part n % parts); each part is claimed by
one worker, which records here when it started and finished, its notes, or why it failed.
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


def downgrade():
    op.drop_table("import_parts")
