"""RFC 9457 problem details: every error leaves the API as ``application/problem+json``.

See: https://www.rfc-editor.org/rfc/rfc9457
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from badgeservice.errors import (
    DatabaseUnavailableError,
    FieldError,
    MalformedRequestError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.logs import request_id_var

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("badgeservice.api")

_HTTP_CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    502: "bad_gateway",
    503: "service_unavailable",
}


def problem_body(
    *, status: int, code: str, title: str, detail: str, instance: str, **extensions: Any
) -> dict[str, Any]:
    return {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
        "requestId": request_id_var.get(),
        **extensions,
    }


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_body(
        status=status,
        code=code,
        title=title,
        detail=detail,
        instance=request.url.path,
        **extensions,
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    extensions = dict(exc.extensions)
    if isinstance(exc, ValidationFailedError) and exc.errors:
        extensions["errors"] = [error.to_dict() for error in exc.errors]
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers or None,
        **extensions,
    )


def _pointer(location: tuple[Any, ...]) -> str:
    # FastAPI locations start with the source ("body", "query", ...); keep it in the pointer.
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in location)


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return _service_error(request, MalformedRequestError("The body is not valid JSON."))
    fields = [FieldError(_pointer(tuple(e["loc"])), e["msg"], e["type"]) for e in errors]
    return _service_error(request, ValidationFailedError(errors=fields))


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    title = code.replace("_", " ").capitalize()
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        title=title,
        detail=detail,
        headers=dict(exc.headers) if exc.headers else None,
    )


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot answer now (a dropped or refused connection, a
    lock that outlasted the busy timeout, an exhausted pool) rather than that a query is wrong."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if not database_unavailable(exc):
        return unhandled_error_response(request.url.path, exc)
    # The class name only: the statement is no business of the log, nor the client.
    log.warning("database unavailable", extra={"error": type(exc).__name__})
    return _service_error(request, DatabaseUnavailableError())


def unhandled_error_response(path: str, exc: BaseException) -> JSONResponse:
    """The 500 answer: a request id to quote, no detail of the failure (that goes to the log)."""
    log.error("unhandled error", exc_info=exc, extra={"path": path})
    body = problem_body(
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="An unexpected error occurred. Quote the request id when reporting it.",
        instance=path,
    )
    return JSONResponse(body, status_code=500, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(PoolTimeoutError, _database_error)


def problem_schema() -> dict[str, Any]:
    """OpenAPI description of a problem document, for ``responses=``."""
    return {
        "content": {
            PROBLEM_JSON: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "instance": {"type": "string"},
                        "code": {"type": "string"},
                        "requestId": {"type": "string"},
                        "errors": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        }
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": _HTTP_CODES[status], **problem_schema()} for status in statuses}
