"""issuers.jwt_algorithm: the JWS algorithm of an issuer's VC-JWT credentials

Existing issuers keep ES256 (the server default fills the column); RS256 is an issuer's choice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(
            sa.Column("jwt_algorithm", sa.String(length=10), server_default="ES256", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("jwt_algorithm")
