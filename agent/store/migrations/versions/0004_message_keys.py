"""A client's own id for each customer message, unique in its conversation: a retried message is stored once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("client_key", sa.String(80), nullable=True))
    op.create_index("uq_turns_client_key", "turns", ["conversation_id", "client_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_turns_client_key", "turns")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("client_key")
