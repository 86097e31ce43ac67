"""issuer members: people with a role (owner, editor, viewer) on an issuer

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

See ``badgeservice.db.models.member``. A new table; no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from badgeservice.db.base import UtcDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issuer_members",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("lookup", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_issuer_members_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issuer_members")),
        sa.UniqueConstraint("issuer_id", "lookup", name="uq_issuer_members_issuer_lookup"),
    )
    with op.batch_alter_table("issuer_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issuer_members_issuer_id"), ["issuer_id"])
        batch_op.create_index(batch_op.f("ix_issuer_members_lookup"), ["lookup"])


def downgrade() -> None:
    with op.batch_alter_table("issuer_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issuer_members_lookup"))
        batch_op.drop_index(batch_op.f("ix_issuer_members_issuer_id"))
    op.drop_table("issuer_members")
