"""Staged lines are written without a per-row check or a write-ahead log

Revision ID: c6d7e8f9a0b1
Revises: b5c6d7e8f9a0
Create Date: 2026-12-01 20:40:00

`staged_lines` holds an attempt's lines only until its merge, and a new attempt stages them
again from the stored file: it needs neither the foreign key to `sales_imports` (checked once
per row by COPY) nor crash safety. It has been UNLOGGED on PostgreSQL since d5a6bc24eb1b; a
database made by `create_all` and stamped becomes so here.
"""

import sqlalchemy as sa
from alembic import op

revision = "c6d7e8f9a0b1"
down_revision = "b5c6d7e8f9a0"
branch_labels = None
depends_on = None

_FOREIGN_KEY = "fk_staged_lines_import_id_sales_imports"


def upgrade():
    with op.batch_alter_table("staged_lines", schema=None) as batch_op:
        batch_op.drop_constraint(_FOREIGN_KEY, type_="foreignkey")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE staged_lines SET UNLOGGED")


def downgrade():
    op.execute(sa.text("DELETE FROM staged_lines"))
    with op.batch_alter_table("staged_lines", schema=None) as batch_op:
        batch_op.create_foreign_key(
            _FOREIGN_KEY, "sales_imports", ["import_id"], ["id"], ondelete="CASCADE"
        )
