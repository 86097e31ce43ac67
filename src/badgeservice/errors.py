"""The service's error tree. Each error has a stable ``code`` and an HTTP ``status``; the API
edge turns them into RFC 9457 ``application/problem+json`` responses (``api/problems.py``)::

    ServiceError (500 internal_error)
    ├── BadRequestError (400 bad_request)
    │   └── MalformedRequestError (400 malformed_request)
    ├── AuthenticationRequiredError (401 authentication_required)
    │   └── InvalidTokenError (401 invalid_token)
    ├── PermissionDeniedError (403 permission_denied)
    ├── NotFoundError (404 not_found)
    ├── ConflictError (409 conflict)
    │   └── SlugTakenError (409 slug_taken)
    ├── PayloadTooLargeError (413 payload_too_large)
    ├── UnsupportedMediaTypeError (415 unsupported_media_type)
    ├── ValidationFailedError (422 validation_failed, with field errors)
    └── ServiceUnavailableError (503 service_unavailable)
        └── DatabaseUnavailableError (503 database_unavailable, with Retry-After)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``pointer`` is a JSON Pointer into the request."""

    pointer: str
    message: str
    code: str = "invalid"

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.message, "code": self.code}


class ServiceError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions
        self.headers: dict[str, str] = {}


class BadRequestError(ServiceError):
    status, code, title = 400, "bad_request", "Bad request"


class MalformedRequestError(BadRequestError):
    code, title = "malformed_request", "The request body could not be parsed"


class AuthenticationRequiredError(ServiceError):
    status, code, title = 401, "authentication_required", "Authentication required"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        error = "" if self.code == "authentication_required" else ', error="invalid_token"'
        self.headers["WWW-Authenticate"] = f'Bearer realm="badgeservice"{error}'


class InvalidTokenError(AuthenticationRequiredError):
    code, title = "invalid_token", "The bearer token is invalid or revoked"


class PermissionDeniedError(ServiceError):
    status, code, title = 403, "permission_denied", "Permission denied"


class NotFoundError(ServiceError):
    status, code, title = 404, "not_found", "Not found"


class ConflictError(ServiceError):
    status, code, title = 409, "conflict", "Conflict"


class SlugTakenError(ConflictError):
    code, title = "slug_taken", "The slug is already taken"


class PayloadTooLargeError(ServiceError):
    status, code, title = 413, "payload_too_large", "Request body too large"


class UnsupportedMediaTypeError(ServiceError):
    status, code, title = 415, "unsupported_media_type", "Unsupported media type"


class ValidationFailedError(ServiceError):
    status, code, title = 422, "validation_failed", "The request is not valid"

    def __init__(self, detail: str | None = None, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class ServiceUnavailableError(ServiceError):
    status, code, title = 503, "service_unavailable", "Service unavailable"


class DatabaseUnavailableError(ServiceUnavailableError):
    """The database dropped the connection, is unreachable or stayed locked: worth a retry."""

    code, title = "database_unavailable", "The database is unavailable"
    retry_after = 5

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(
            detail or f"The database is unavailable; retry in {self.retry_after} seconds.",
            **extensions,
        )
        self.headers["Retry-After"] = str(self.retry_after)
