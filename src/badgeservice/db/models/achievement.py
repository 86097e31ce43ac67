from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badgeservice.db.base import Base, CreatedMixin, IdMixin, written_at
from badgeservice.db.models.issuer import Issuer


class Achievement(IdMixin, CreatedMixin, Base):
    """A badge class. Texts are maps of BCP 47 tag → text; credentials copy the rendered
    Achievement when issued, so editing one never changes credentials already issued."""

    __tablename__ = "achievements"

    issuer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    default_language: Mapped[str] = mapped_column(String(35))
    name: Mapped[dict[str, Any]]
    description: Mapped[dict[str, Any]]
    criteria_narrative: Mapped[dict[str, Any]]
    criteria_url: Mapped[str | None] = mapped_column(String(2048))
    image_url: Mapped[str | None] = mapped_column(String(2048))
    image_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("images.id", ondelete="SET NULL"))
    achievement_type: Mapped[str | None] = mapped_column(String(100))
    tags: Mapped[list[str]]
    alignments: Mapped[list[Any]]
    result_descriptions: Mapped[list[Any]]
    creator: Mapped[dict[str, Any] | None]
    # In the shared catalogue: other issuers may issue it, with their own signature.
    shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)

    issuer: Mapped[Issuer] = relationship(lazy="joined")
