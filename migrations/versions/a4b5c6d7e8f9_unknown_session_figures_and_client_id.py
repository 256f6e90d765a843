"""Unknown session figures and the phone's id of a session

Revision ID: a4b5c6d7e8f9
Revises: f2a3b4c5d6e7
Create Date: 2026-12-01 17:00:00

A count the streamer left blank is unknown (NULL), not 0: the eight counts of live_sessions
become nullable; the zeros already stored stay zeros. `client_id` is the id the phone gives a
session typed offline, so that sending it again stores it once.
"""

import sqlalchemy as sa
from alembic import op

revision = "a4b5c6d7e8f9"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None

COUNTS = (
    "items",
    "buyers",
    "viewers",
    "views",
    "peak_online",
    "avg_online",
    "avg_watch_seconds",
    "new_followers",
)


def upgrade():
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.alter_column(name, existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("client_id", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_live_sessions_client_id"), ["client_id"])


def downgrade():
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_live_sessions_client_id"), type_="unique")
        batch_op.drop_column("client_id")
    # An unknown count goes back to the old reading of a blank: 0.
    for name in COUNTS:
        op.execute(sa.text(f"UPDATE live_sessions SET {name} = 0 WHERE {name} IS NULL"))
    with op.batch_alter_table("live_sessions", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.alter_column(name, existing_type=sa.Integer(), nullable=False)
