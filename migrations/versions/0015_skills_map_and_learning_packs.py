"""skills map and learning packs: frameworks, their items, credentials' alignments, wanted
and declared skills, packs, their steps and awards; shared achievements; skills map opt-out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

See ``badgeservice.db.models.framework`` and ``badgeservice.db.models.pack``. New tables and
two boolean columns (off for every existing row). ``credential_alignments`` is filled from the
credentials already issued: the ``targetUrl`` of each ``Alignment`` of the achievement as
signed, read from the stored document.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from badgeservice.db.base import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BACKFILL_CHUNK = 1000


def upgrade() -> None:
    op.create_table(
        "frameworks",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("title", JSON_DOC, nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("version", sa.String(length=100), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_frameworks")),
        sa.UniqueConstraint("key", name=op.f("uq_frameworks_key")),
    )
    op.create_table(
        "framework_items",
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("parent_code", sa.String(length=200), nullable=True),
        sa.Column("labels", JSON_DOC, nullable=False),
        sa.Column("descriptions", JSON_DOC, nullable=False),
        sa.Column("item_type", sa.String(length=100), nullable=True),
        sa.Column("human_code", sa.String(length=200), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.Column("retired_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["frameworks.id"],
            name=op.f("fk_framework_items_framework_id_frameworks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_items")),
        sa.UniqueConstraint("framework_id", "code", name="uq_framework_items_framework_code"),
    )
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_framework_items_url"), ["url"], unique=False)

    op.create_table(
        "declared_skills",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("person_lookup", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_declared_skills_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["framework_items.id"],
            name=op.f("fk_declared_skills_item_id_framework_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declared_skills")),
        sa.UniqueConstraint(
            "issuer_id", "person_lookup", "item_id", "kind", name="uq_declared_skills_row"
        ),
    )
    with op.batch_alter_table("declared_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_declared_skills_item_id"), ["item_id"], unique=False)

    op.create_table(
        "wanted_skills",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_wanted_skills_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["framework_items.id"],
            name=op.f("fk_wanted_skills_item_id_framework_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wanted_skills")),
        sa.UniqueConstraint("issuer_id", "item_id", name="uq_wanted_skills_issuer_item"),
    )
    with op.batch_alter_table("wanted_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wanted_skills_item_id"), ["item_id"], unique=False)

    op.create_table(
        "packs",
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("default_language", sa.String(length=35), nullable=False),
        sa.Column("name", JSON_DOC, nullable=False),
        sa.Column("description", JSON_DOC, nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("groups", JSON_DOC, nullable=False),
        sa.Column("achievement_id", sa.Uuid(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_packs_achievement_id_achievements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"],
            ["issuers.id"],
            name=op.f("fk_packs_issuer_id_issuers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packs")),
        sa.UniqueConstraint("issuer_id", "slug", name="uq_packs_issuer_slug"),
    )
    with op.batch_alter_table("packs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_packs_issuer_id"), ["issuer_id"], unique=False)

    op.create_table(
        "credential_alignments",
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("target_url", sa.String(length=2048), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_credential_alignments_credential_id_credentials"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "credential_id", "target_url", name=op.f("pk_credential_alignments")
        ),
    )
    with op.batch_alter_table("credential_alignments", schema=None) as batch_op:
        batch_op.create_index("ix_credential_alignments_target_url", ["target_url"], unique=False)

    op.create_table(
        "pack_awards",
        sa.Column("pack_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_lookup", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column("step_credentials", JSON_DOC, nullable=False),
        sa.Column("awarded_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["credentials.id"],
            name=op.f("fk_pack_awards_credential_id_credentials"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"], ["packs.id"], name=op.f("fk_pack_awards_pack_id_packs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_awards")),
        sa.UniqueConstraint("pack_id", "recipient_lookup", name="uq_pack_awards_pack_recipient"),
    )
    op.create_table(
        "pack_steps",
        sa.Column("pack_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("achievement_id", sa.Uuid(), nullable=True),
        sa.Column("child_pack_id", sa.Uuid(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("title", JSON_DOC, nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("group_key", sa.String(length=50), nullable=True),
        sa.Column("resources", JSON_DOC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["achievement_id"],
            ["achievements.id"],
            name=op.f("fk_pack_steps_achievement_id_achievements"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["child_pack_id"],
            ["packs.id"],
            name=op.f("fk_pack_steps_child_pack_id_packs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["pack_id"], ["packs.id"], name=op.f("fk_pack_steps_pack_id_packs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_steps")),
        sa.UniqueConstraint("pack_id", "position", name="uq_pack_steps_pack_position"),
    )
    with op.batch_alter_table("pack_steps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pack_steps_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pack_steps_child_pack_id"), ["child_pack_id"], unique=False
        )

    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "skills_map_excluded", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    _backfill_alignments()


def _target_urls(document: str) -> list[str]:
    """The distinct ``Alignment.targetUrl`` values of a stored credential's achievement."""
    try:
        subject = json.loads(document).get("credentialSubject") or {}
    except ValueError:
        return []
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    alignments = achievement.get("alignment") if isinstance(achievement, dict) else None
    urls: list[str] = []
    for alignment in alignments if isinstance(alignments, list) else []:
        url = alignment.get("targetUrl") if isinstance(alignment, dict) else None
        if isinstance(url, str) and 0 < len(url) <= 2048 and url not in urls:
            urls.append(url)
    return urls


def _backfill_alignments() -> None:
    connection = op.get_bind()
    credentials = sa.table("credentials", sa.column("id", sa.Uuid()), sa.column("document"))
    alignments = sa.table(
        "credential_alignments",
        sa.column("credential_id", sa.Uuid()),
        sa.column("target_url", sa.String()),
    )
    after = None
    while True:
        query = sa.select(credentials.c.id, credentials.c.document).order_by(credentials.c.id)
        if after is not None:
            query = query.where(credentials.c.id > after)
        rows = connection.execute(query.limit(BACKFILL_CHUNK)).all()
        if not rows:
            return
        values = [
            {"credential_id": row.id, "target_url": url}
            for row in rows
            for url in _target_urls(row.document)
        ]
        if values:
            connection.execute(alignments.insert(), values)
        after = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("skills_map_excluded")

    with op.batch_alter_table("achievements", schema=None) as batch_op:
        batch_op.drop_column("shared")

    with op.batch_alter_table("pack_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_steps_child_pack_id"))
        batch_op.drop_index(batch_op.f("ix_pack_steps_achievement_id"))

    op.drop_table("pack_steps")
    op.drop_table("pack_awards")
    with op.batch_alter_table("credential_alignments", schema=None) as batch_op:
        batch_op.drop_index("ix_credential_alignments_target_url")

    op.drop_table("credential_alignments")
    with op.batch_alter_table("packs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_packs_issuer_id"))

    op.drop_table("packs")
    with op.batch_alter_table("wanted_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wanted_skills_item_id"))

    op.drop_table("wanted_skills")
    with op.batch_alter_table("declared_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declared_skills_item_id"))

    op.drop_table("declared_skills")
    with op.batch_alter_table("framework_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_items_url"))

    op.drop_table("framework_items")
    op.drop_table("frameworks")
