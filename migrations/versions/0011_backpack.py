"""backpack: links that add an email to an account, showing the username

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

``email_claim_links`` holds only the SHA-256 of each one-time link; ``users.show_username`` is off for everyone. The index on
``credentials.recipient_lookup`` finds a learner's credentials across issuers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from badgeservice.db.base import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
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

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("show_username", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index("ix_credentials_recipient_lookup", ["recipient_lookup"])


def downgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_credentials_recipient_lookup")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("show_username")
    with op.batch_alter_table("email_claim_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_claim_links_user_id"))
    op.drop_table("email_claim_links")
