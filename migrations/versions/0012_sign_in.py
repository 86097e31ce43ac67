"""sign-in: OAuth states, one-time email links, rate-limit counts; longer recipient types (``wikimedia_username``)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

See ``badgeservice.db.models.sign_in``. No existing row
changes; ``credentials.recipient_type`` grows from 10 to 32 characters.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from badgeservice.db.base import UtcDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.alter_column(
            "recipient_type",
            existing_type=sa.String(length=10),
            type_=sa.String(length=32),
            existing_nullable=False,
        )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_path", sa.String(length=500), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_states")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_oauth_states_state_hash")),
    )
    op.create_table(
        "email_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("next_path", sa.String(length=500), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_links_token_hash")),
    )
    with op.batch_alter_table("email_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_links_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_email_links_user_id"), ["user_id"])
    op.create_table(
        "rate_limit_hits",
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hits_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_rate_limit_hits_bucket"), ["bucket"])


def downgrade() -> None:
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_hits_bucket"))
        batch_op.drop_index(batch_op.f("ix_rate_limit_hits_at"))
    op.drop_table("rate_limit_hits")
    with op.batch_alter_table("email_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_links_user_id"))
        batch_op.drop_index(batch_op.f("ix_email_links_expires_at"))
    op.drop_table("email_links")
    op.drop_table("oauth_states")
    # Username recipients do not fit the old column: a downgrade keeps them truncated to
    # "wikimedia_" rather than failing (PostgreSQL refuses longer values).
    op.execute(
        sa.text(
            "UPDATE credentials SET recipient_type = 'wikimedia_' "
            "WHERE recipient_type = 'wikimedia_username'"
        )
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.alter_column(
            "recipient_type",
            existing_type=sa.String(length=32),
            type_=sa.String(length=10),
            existing_nullable=False,
        )
