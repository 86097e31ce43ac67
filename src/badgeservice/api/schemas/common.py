"""Shared pieces of the API bodies: camelCase on the wire, unknown fields refused."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from badgeservice.errors import FieldError, ValidationFailedError

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
HttpUrl = Annotated[AnyHttpUrl, Field(max_length=2048)]

Model = TypeVar("Model", bound=BaseModel)
Item = TypeVar("Item")


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", from_attributes=True
    )


def validate_body(model: type[Model], data: Any) -> Model:
    """Validate data built inside an endpoint (e.g. after a merge patch) as a request body,
    reporting problems like FastAPI does for a body: JSON Pointers under `/body`."""
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        errors = [
            FieldError("/" + "/".join(["body", *map(str, e["loc"])]), e["msg"], e["type"])
            for e in exc.errors()
        ]
        raise ValidationFailedError(errors=errors) from exc


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
