"""endorsements (signed EndorsementCredentials) and their status list indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from badgeservice.db.base import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "endorsements",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("issued_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_from", UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_endorsements_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
    )
    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_endorsements_issuer_issued", ["issuer_id", "issued_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_endorsements_subject_id"), ["subject_id"], unique=False
        )

    with op.batch_alter_table("status_allocations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("endorsement_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_status_allocations_endorsement_id"), ["endorsement_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_status_allocations_endorsement_id_endorsements"),
            "endorsements",
            ["endorsement_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("status_allocations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_status_allocations_endorsement_id_endorsements"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_status_allocations_endorsement_id"))
        batch_op.drop_column("endorsement_id")

    with op.batch_alter_table("endorsements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_endorsements_subject_id"))
        batch_op.drop_index("ix_endorsements_issuer_issued")

    op.drop_table("endorsements")
