"""An optional 0-10 "how likely are you to recommend us?" answer beside each rating (NPS).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ratings", sa.Column("nps", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ratings") as batch:  # SQLite drops a column only by rebuilding the table
        batch.drop_column("nps")
