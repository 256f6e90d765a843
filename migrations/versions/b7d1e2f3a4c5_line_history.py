"""line history: the import that first inserted each order line, and what each import changed

Revision ID: b7d1e2f3a4c5
Revises: 90c0b50d56f2
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import app.models.base

# revision identifiers, used by Alembic.
revision = "b7d1e2f3a4c5"
down_revision = "90c0b50d56f2"
branch_labels = None
depends_on = None

LINE_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "line_changes",
        sa.Column("id", LINE_ID, nullable=False),
        sa.Column("line_id", LINE_ID, nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column(
            "changed_at",
            app.models.base.UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["sales_imports.id"], name=op.f("fk_line_changes_import_id_sales_imports")
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["order_lines.id"],
            name=op.f("fk_line_changes_line_id_order_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_changes")),
    )
    with op.batch_alter_table("line_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_line_changes_import_id"), ["import_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_line_changes_line_id"), ["line_id"], unique=False)

    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_import_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_order_lines_first_import_id_sales_imports"),
            "sales_imports",
            ["first_import_id"],
            ["id"],
        )
    # The last writer is the best that is known of the lines already stored.
    op.execute("UPDATE order_lines SET first_import_id = import_id")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_lines_first_import_id"), ["first_import_id"], unique=False
        )
        batch_op.create_index(
            "ix_order_lines_pay_time", ["pay_day", "paid_at", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_pay_time")
        batch_op.drop_index(batch_op.f("ix_order_lines_first_import_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_order_lines_first_import_id_sales_imports"), type_="foreignkey"
        )
        batch_op.drop_column("first_import_id")

    with op.batch_alter_table("line_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_changes_line_id"))
        batch_op.drop_index(batch_op.f("ix_line_changes_import_id"))
    op.drop_table("line_changes")
