"""credentials, status lists with atomic index allocation, idempotency keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from badgeservice.db.base import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=30), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_idempotency_keys_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("issuer_id", "key", name="uq_idempotency_keys_issuer_key"),
    )
    op.create_table(
        "status_lists",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed_document", sa.Text(), nullable=True),
        sa.Column("signed_version", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_status_lists_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_lists_issuer_purpose", ["issuer_id", "purpose"], unique=False
        )

    op.create_table(
        "credentials",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("achievement_id", sa.Uuid(), nullable=False),
        sa.Column("achievement_revision", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("jwt", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("recipient_type", sa.String(length=10), nullable=False),
        sa.Column("recipient_lookup", sa.String(length=64), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("issued_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_from", UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("suspended_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("suspension_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_credentials_achievement_id_achievements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_credentials_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
    )
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credentials_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(
            "ix_credentials_issuer_issued", ["issuer_id", "issued_at"], unique=False
        )
        batch_op.create_index(
            "ix_credentials_issuer_recipient", ["issuer_id", "recipient_lookup"], unique=False
        )

    op.create_table(
        "status_allocations",
        sa.Column("status_list_id", sa.Uuid(), nullable=False),
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_status_allocations_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_lists.id"],
            name=op.f("fk_status_allocations_status_list_id_status_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_list_id", "index", name=op.f("pk_status_allocations")),
    )
    with op.batch_alter_table("status_allocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_allocations_credential_id"), ["credential_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("status_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_allocations_credential_id"))

    op.drop_table("status_allocations")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_index("ix_credentials_issuer_recipient")
        batch_op.drop_index("ix_credentials_issuer_issued")
        batch_op.drop_index(batch_op.f("ix_credentials_achievement_id"))

    op.drop_table("credentials")
    with op.batch_alter_table("status_lists", schema=None) as batch_op:
        batch_op.drop_index("ix_status_lists_issuer_purpose")

    op.drop_table("status_lists")
    op.drop_table("idempotency_keys")
