"""line history: the import that first inserted each order line, and what each import changed

Revision ID: b7d1e2f3a4c5
Revises: 90c0b50d56f2
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "b7d1e2f3a4c5"
down_revision = "90c0b50d56f2"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
