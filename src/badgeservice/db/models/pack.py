"""Learning packs (issue 14): ordered steps that lead somewhere, and the award when complete.

A step is an achievement to earn, another pack to complete, or an external activity (a course,
a page, a video) that counts for nothing by itself. Steps with the same ``group_key`` form an
N-of-M group; the pack's ``groups`` say how many of each are needed
(``[{"key": "…", "required": 2}]``). A step outside every group counts when ``required``.

``PackAward`` makes the pack achievement's credential exactly once per person: its row is
inserted before the credential is issued, under a unique ``(pack_id, recipient_lookup)``, so a
concurrent, retried or repeated completion finds the row and issues nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin, written_at


class Pack(IdMixin, CreatedMixin, Base):
    __tablename__ = "packs"
    __table_args__ = (UniqueConstraint("issuer_id", "slug", name="uq_packs_issuer_slug"),)

    issuer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(100))
    shared: Mapped[bool] = mapped_column(default=False)
    default_language: Mapped[str] = mapped_column(String(35))
    name: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    audience: Mapped[str] = mapped_column(String(20))  # newcomer | affiliate | partner
    groups: Mapped[list[Any]]
    achievement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT")
    )
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)


class PackStep(IdMixin, Base):
    __tablename__ = "pack_steps"
    __table_args__ = (UniqueConstraint("pack_id", "position", name="uq_pack_steps_pack_position"),)

    pack_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # achievement | pack | activity
    achievement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), index=True
    )
    child_pack_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("packs.id", ondelete="RESTRICT"), index=True
    )
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[dict[str, Any]]
    required: Mapped[bool] = mapped_column(default=True)
    group_key: Mapped[str | None] = mapped_column(String(50))
    resources: Mapped[list[Any]]  # [{"url": …, "title": {tag: text}}]


class PackAward(IdMixin, CreatedMixin, Base):
    __tablename__ = "pack_awards"
    __table_args__ = (
        UniqueConstraint("pack_id", "recipient_lookup", name="uq_pack_awards_pack_recipient"),
    )

    pack_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("packs.id", ondelete="CASCADE"))
    recipient_lookup: Mapped[str] = mapped_column(String(64))
    credential_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="SET NULL")
    )
    # The step credentials the award was made on (its evidence), by id.
    step_credentials: Mapped[list[Any]]
    awarded_at: Mapped[datetime]
