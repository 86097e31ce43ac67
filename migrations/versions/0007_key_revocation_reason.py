"""issuer_keys.revocation_reason: why an issuer revoked a key

``issuer_keys.revoked_at`` and ``api_tokens.last_used_at`` exist since 0001; a revoked key now
also keeps the issuer's reason (shown in the key listing and the audit trail).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuer_keys") as batch:
        batch.add_column(sa.Column("revocation_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issuer_keys") as batch:
        batch.drop_column("revocation_reason")
