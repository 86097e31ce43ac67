"""Input models and types shared by the API's bodies and the console's forms (one set of
rules for both: a form is validated as the API validates the body it stands for)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_camel

from badgeservice.errors import FieldError, ValidationFailedError

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)]
HttpUrl = Annotated[AnyHttpUrl, Field(max_length=2048)]

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: Any, *, end: bool) -> Any:
    """`YYYY-MM-DD` → the start of that UTC day, or (`end`) the start of the next one."""
    if not (isinstance(value, str) and _DATE_ONLY.fullmatch(value)):
        return value
    start = datetime.combine(date.fromisoformat(value), time(), UTC)
    if not end:
        return start
    if start.date() == date.max:
        return datetime.max.replace(tzinfo=UTC)
    return start + timedelta(days=1)


def _moment(value: datetime, info: ValidationInfo) -> datetime:
    """Aware, and a moment whose UTC value falls within years 1 to 9999 (else it cannot be
    stored or compared)."""
    name = info.field_name or "the value"
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} needs a time zone (e.g. 'Z')")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} in UTC falls outside the years 1 to 9999") from None
    return value


# Every datetime a client sends: a time zone is required (a naive value is refused), a date
# alone means the start of that UTC day, and the UTC value must be a representable moment.
Moment = Annotated[
    datetime, BeforeValidator(lambda value: _day(value, end=False)), AfterValidator(_moment)
]
# The same for an exclusive upper bound (`issuedTo`): a date alone includes that whole day.
MomentBefore = Annotated[
    datetime, BeforeValidator(lambda value: _day(value, end=True)), AfterValidator(_moment)
]

Model = TypeVar("Model", bound=BaseModel)


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
