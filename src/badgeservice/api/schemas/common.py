"""Shared pieces of the API bodies: camelCase on the wire, unknown fields refused (the
models and types the console's forms share are in ``http/bodies.py``)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import Field

from badgeservice.http.bodies import (
    ApiModel,
    Email,
    HttpUrl,
    Moment,
    MomentBefore,
    validate_body,
)

__all__ = [
    "MAX_OFFSET",
    "ApiModel",
    "Email",
    "HealthOut",
    "HttpUrl",
    "Limit",
    "Moment",
    "MomentBefore",
    "Offset",
    "Page",
    "WarningOut",
    "validate_body",
]

# Paging: far beyond any list, and inside every database's integer (a 64-bit OFFSET overflows).
MAX_OFFSET = 2**31 - 1
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (at most 200).")]

Item = TypeVar("Item")


class WarningOut(ApiModel):
    """Something a reader should know that does not change the result."""

    code: str = Field(examples=["issuer_key_unconfirmed"])
    message: str


class HealthOut(ApiModel):
    status: str
    database: str | None = None
    revision: str | None = None


class Page(ApiModel, Generic[Item]):
    """One page of a list: `items` from `offset` on, at most `limit`, of `total`."""

    items: list[Item]
    total: int
    limit: int
    offset: int
