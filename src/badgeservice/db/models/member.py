"""Issuer staff: people with a role on an issuer (DESIGN.md §12).

A member is named by the keyed lookup hash of a Wikimedia username or an email
(``issuance.lookup_of``), the same hash a learner's ``RecipientClaim`` proves: whoever signs
in with that account, or verifies that address, is the member. Nobody has to accept an
invitation, and a member invited before their first sign-in is one from that sign-in on.
``label`` is what the owners typed (the username or the address), shown on the members page.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from badgeservice.db.base import Base, CreatedMixin, IdMixin


class IssuerMember(IdMixin, CreatedMixin, Base):
    __tablename__ = "issuer_members"
    __table_args__ = (
        UniqueConstraint("issuer_id", "lookup", name="uq_issuer_members_issuer_lookup"),
    )

    issuer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issuers.id", ondelete="CASCADE"), index=True
    )
    lookup: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # wikimedia | email
    label: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(10))  # owner | editor | viewer
    added_by: Mapped[str] = mapped_column(String(100))
