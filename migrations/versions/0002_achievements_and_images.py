"""achievements (multilingual badge classes) and uploaded images

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from badgeservice.db.base import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("media_type", sa.String(length=50), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_images_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
    )
    op.create_index(op.f("ix_images_issuer_id"), "images", ["issuer_id"])
    op.create_table(
        "achievements",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("default_language", sa.String(length=35), nullable=False),
        sa.Column("name", JSON_DOC, nullable=False),
        sa.Column("description", JSON_DOC, nullable=False),
        sa.Column("criteria_narrative", JSON_DOC, nullable=False),
        sa.Column("criteria_url", sa.String(length=2048), nullable=True),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("image_id", sa.Uuid(), nullable=True),
        sa.Column("achievement_type", sa.String(length=100), nullable=True),
        sa.Column("tags", JSON_DOC, nullable=False),
        sa.Column("alignments", JSON_DOC, nullable=False),
        sa.Column("result_descriptions", JSON_DOC, nullable=False),
        sa.Column("creator", JSON_DOC, nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["images.id"],
            name=op.f("fk_achievements_image_id_images"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_achievements_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_achievements")),
    )
    op.create_index(op.f("ix_achievements_issuer_id"), "achievements", ["issuer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_achievements_issuer_id"), table_name="achievements")
    op.drop_table("achievements")
    op.drop_index(op.f("ix_images_issuer_id"), table_name="images")
    op.drop_table("images")
