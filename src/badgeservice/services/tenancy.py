"""Tenant scoping: a resource of one issuer is not found for any other (STYLE.md: one rule,
one place). The 404 does not reveal that another tenant's resource exists."""

from __future__ import annotations

import re
import uuid
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.errors import NotFoundError


class Owned(Protocol):
    @property
    def issuer_id(self) -> uuid.UUID | None: ...


OwnedT = TypeVar("OwnedT", bound=Owned)


def resource_name(model: type[object]) -> str:
    """`StatusList` → `Status list`: the model's name as the error message says it."""
    words = re.findall(r"[A-Z][a-z]*", model.__name__)
    return " ".join([words[0], *(word.lower() for word in words[1:])])


def get_owned(
    session: Session, model: type[OwnedT], resource_id: uuid.UUID, issuer: Issuer
) -> OwnedT:
    """The `model` row with this id if `issuer` owns it; NotFoundError otherwise."""
    row = session.get(model, resource_id)
    if row is None or row.issuer_id != issuer.id:
        raise NotFoundError(f"{resource_name(model)} {resource_id} not found.")
    return row
