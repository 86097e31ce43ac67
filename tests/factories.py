"""Plain factory functions for tests: real rows through the real services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.services import auth, issuers

BASE_URL = "http://localhost:8000"


def create_issuer(session: Session, **overrides: Any) -> Issuer:
    fields: dict[str, Any] = {"slug": "wmde", "name": "Wikimedia Deutschland"} | overrides
    issuer = issuers.create_issuer(session, base_url=BASE_URL, actor="test", **fields)
    session.commit()
    return issuer


def create_token(session: Session, issuer: Issuer | None = None, **overrides: Any) -> str:
    _token, secret = auth.create_token(
        session, name=overrides.pop("name", "test"), actor="test", issuer=issuer, **overrides
    )
    session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
