"""Customer accounts: profiles, orders, appointments, who is verified in a conversation, messages for the owner.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("business", sa.String(120), nullable=False),
        sa.Column("external_id", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("postcode", sa.String(20), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("vip", sa.Boolean, nullable=False),
        sa.Column("preferences", sa.JSON, nullable=False),
        sa.Column("preferred_channel", sa.String(16), nullable=True),
        sa.Column("opted_out", sa.Boolean, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("business", "external_id", name="uq_customer_external_id"),
    )
    op.create_index("ix_customers_business", "customers", ["business"])
    op.create_index("ix_customers_email", "customers", ["email"])
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("business", sa.String(120), nullable=False),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("total", sa.Float, nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("fulfilment", sa.String(16), nullable=False),
        sa.Column("placed_at", _WHEN, nullable=False),
        sa.Column("expected_at", _WHEN, nullable=True),
        sa.Column("tracking_url", sa.String(500), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("business", "number", name="uq_order_number"),
    )
    op.create_index("ix_orders_business", "orders", ["business"])
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("business", sa.String(120), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("service", sa.String(120), nullable=False),
        sa.Column("starts_at", _WHEN, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.UniqueConstraint("business", "reference", name="uq_appointment_reference"),
    )
    op.create_index("ix_appointments_business", "appointments", ["business"])
    op.create_index("ix_appointments_customer_id", "appointments", ["customer_id"])
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_table(
        "account_sessions",
        sa.Column("conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("verified_at", _WHEN, nullable=True),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("pending", sa.JSON, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
    )
    op.create_index("ix_account_sessions_customer_id", "account_sessions", ["customer_id"])
    op.create_table(
        "owner_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("business", sa.String(120), nullable=False),
        sa.Column("conversation_id", sa.String(64), sa.ForeignKey("conversations.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id", ondelete="SET NULL"), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("read_at", _WHEN, nullable=True),
    )
    op.create_index("ix_owner_messages_business", "owner_messages", ["business"])
    op.create_index("ix_owner_messages_conversation_id", "owner_messages", ["conversation_id"])


def downgrade() -> None:
    for table in ("owner_messages", "account_sessions", "appointments", "orders", "customers"):
        op.drop_table(table)
