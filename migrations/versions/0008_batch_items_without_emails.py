"""batch rows keep no email (only its salted IdentityHash); warnings on batches and rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Rows stored before this held the recipient's email in clear in ``batch_items.input``. The
upgrade rewrites them as the single-issue path keeps a recipient: a pending row's email
becomes a salted SHA-256 IdentityHash (issued later exactly like a new row; the keyed lookup
hash needs the key-encryption key, which a migration does not have, so such a credential is
not found by ``recipientEmail``); a finished row's email is dropped (it is never read again).
The downgrade removes the warnings columns; emails cannot come back.
"""

import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", JSON_DOC, nullable=True))
    with op.batch_alter_table("batch_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warnings", JSON_DOC, nullable=True))
    items = sa.table(
        "batch_items",
        sa.column("id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("input", JSON_DOC),
    )
    connection = op.get_bind()
    for item_id, item_status, stored in connection.execute(
        sa.select(items.c.id, items.c.status, items.c.input)
    ).all():
        row = json.loads(stored) if isinstance(stored, str) else stored
        recipient = (row or {}).get("recipient")
        if not isinstance(recipient, dict) or "email" not in recipient:
            continue
        kept = _kept(recipient) if item_status == "pending" else _without_email(recipient)
        connection.execute(
            items.update().where(items.c.id == item_id).values(input={**row, "recipient": kept})
        )


def _kept(recipient: dict[str, Any]) -> dict[str, Any]:
    """The IdentityHash of OB 3.0 (sha256 of the normalised email with the salt appended),
    as ``domain/recipient.py`` computes it at this revision."""
    salt = secrets.token_urlsafe(16)
    email = str(recipient["email"]).strip().lower()
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {**_without_email(recipient), "identityHash": f"sha256${digest}", "salt": salt}


def _without_email(recipient: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in recipient.items() if k != "email"}


def downgrade() -> None:
    with op.batch_alter_table("batch_items", schema=None) as batch_op:
        batch_op.drop_column("warnings")
    with op.batch_alter_table("batches", schema=None) as batch_op:
        batch_op.drop_column("warnings")
