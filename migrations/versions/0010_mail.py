"""mail outbox, and the issuers' notification options

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

See ``badgeservice.db.models.mail``. Existing issuers notify email recipients (as new ones
do) and not account holders.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from badgeservice.db.base import JsonDoc, UtcDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("to_address", sa.String(length=320), nullable=True),
        sa.Column("template", sa.String(length=50), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("context", JsonDoc, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("lease_token", sa.String(length=32), nullable=True),
        sa.Column("lease_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("batch_item_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_item_id"],
            ["batch_items.id"],
            name=op.f("fk_mail_messages_batch_item_id_batch_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.create_index("ix_mail_messages_status_due", ["status", "next_attempt_at"])
        batch_op.create_index(batch_op.f("ix_mail_messages_batch_item_id"), ["batch_item_id"])
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_recipients", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("notify_accounts", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("issuers", schema=None) as batch_op:
        batch_op.drop_column("notify_accounts")
        batch_op.drop_column("notify_recipients")
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_messages_batch_item_id"))
        batch_op.drop_index("ix_mail_messages_status_due")
    op.drop_table("mail_messages")
