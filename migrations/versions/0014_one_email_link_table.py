"""one table of one-time email links: add-email links move to ``email_links``

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Adding a second email now mails one of sign-in's links (``email_links``, purpose
``add_email``). ``email_claim_links`` is dropped: a link it held (15 minutes at most) stops
working and the learner asks for a new one. The downgrade recreates the empty table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from badgeservice.db.base import UtcDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("email_claim_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_claim_links_user_id"))
    op.drop_table("email_claim_links")


def downgrade() -> None:
    op.create_table(
        "email_claim_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("lookup", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_claim_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_claim_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_claim_links_token_hash")),
    )
    with op.batch_alter_table("email_claim_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_claim_links_user_id"), ["user_id"], unique=False)
