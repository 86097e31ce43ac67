"""Skill frameworks and the skills map's data (issue 14).

A ``Framework`` is one imported framework (the Capacity Exchange's capacities, ESCO, or one
CASE ``CFDocument``); its ``FrameworkItem`` rows are the skills, each with labels in many
languages and a parent in the same framework. Re-importing updates the rows in place, keyed on
``(framework_id, code)``; an item missing from a new import is marked ``retired_at``, never
deleted, so an achievement aligned to it keeps its meaning.

``CredentialAlignment`` is what an issued credential claims: the ``targetUrl`` of each
``Alignment`` of its achievement as signed. The skills map joins it with ``framework_items.url``,
so a credential issued before its framework was imported counts from the import on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin, written_at


class Framework(IdMixin, CreatedMixin, Base):
    """``key`` names it in URLs and the CLI (``capx``, ``esco``, ``case-…``); ``kind`` says
    which importer reads it; ``name`` is what alignments carry as ``targetFramework``."""

    __tablename__ = "frameworks"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # capx | esco | case
    name: Mapped[str] = mapped_column(String(300))
    title: Mapped[dict[str, Any]]  # BCP 47 tag → title
    url: Mapped[str | None] = mapped_column(String(2048))
    version: Mapped[str | None] = mapped_column(String(100))
    item_count: Mapped[int] = mapped_column(default=0)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)


class FrameworkItem(IdMixin, CreatedMixin, Base):
    """One skill. ``code`` is the alignment's ``targetCode`` (a QID, an ESCO UUID, a CASE
    identifier), ``url`` its ``targetUrl``; ``parent_code`` names the broader item. ``search``
    holds the lower-cased labels of every language, for search by label."""

    __tablename__ = "framework_items"
    __table_args__ = (
        UniqueConstraint("framework_id", "code", name="uq_framework_items_framework_code"),
    )

    framework_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2048), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(200))
    labels: Mapped[dict[str, Any]]  # BCP 47 tag → label
    descriptions: Mapped[dict[str, Any]]
    item_type: Mapped[str | None] = mapped_column(String(100))
    human_code: Mapped[str | None] = mapped_column(String(200))
    depth: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    search: Mapped[str] = mapped_column(Text, default="")
    retired_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=written_at, onupdate=written_at)


class CredentialAlignment(Base):
    """An ``Alignment.targetUrl`` of an issued credential's achievement, as signed."""

    __tablename__ = "credential_alignments"
    __table_args__ = (Index("ix_credential_alignments_target_url", "target_url"),)

    credential_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), primary_key=True
    )
    target_url: Mapped[str] = mapped_column(String(2048), primary_key=True)


class WantedSkill(IdMixin, CreatedMixin, Base):
    """A skill an issuer declares it needs. ``source``: ``manual`` (API, console) or
    ``capx`` (imported from a Capacity Exchange organisation's ``wanted_capacities``)."""

    __tablename__ = "wanted_skills"
    __table_args__ = (
        UniqueConstraint("issuer_id", "item_id", name="uq_wanted_skills_issuer_item"),
    )

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("framework_items.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(20), default="manual")


class DeclaredSkill(IdMixin, CreatedMixin, Base):
    """A skill a person says they have (self-declared, not verified), imported by an issuer
    from the Capacity Exchange. ``person_lookup`` is the keyed lookup hash of their Wikimedia
    username (``issuance.lookup_of``); no username is stored. ``kind``: ``known`` or
    ``available`` (can teach)."""

    __tablename__ = "declared_skills"
    __table_args__ = (
        UniqueConstraint(
            "issuer_id", "person_lookup", "item_id", "kind", name="uq_declared_skills_row"
        ),
    )

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"))
    person_lookup: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("framework_items.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="capx")
