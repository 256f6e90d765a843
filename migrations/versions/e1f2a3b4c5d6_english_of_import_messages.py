"""English of import and job messages

Revision ID: e1f2a3b4c5d6
Revises: b7d1e2f3a4c5
Create Date: 2026-12-01 14:10:00

Messages are said in Chinese and English when they are written; rows written before keep
their Chinese only, which pages show in either language.
"""

import sqlalchemy as sa
from alembic import op

revision = "e1f2a3b4c5d6"
down_revision = "b7d1e2f3a4c5"
branch_labels = None
depends_on = None

TABLES = ("sales_imports", "registry_loads", "import_errors")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("message_en", sa.Text(), nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("message_en")
