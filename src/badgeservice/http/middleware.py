"""ASGI middleware: request ids, one access-log line per request, a request-body size cap,
security headers, and the input guard (NUL characters, JSON depth) in front of every route."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from badgeservice.domain.json_input import MAX_JSON_DEPTH, nul_pointer, too_deep
from badgeservice.errors import (
    FieldError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceError,
    ValidationFailedError,
)
from badgeservice.http.problems import PROBLEM_JSON, problem_body, unhandled_error_response
from badgeservice.logs import request_id_var

log = logging.getLogger("badgeservice.access")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives each request an id (a safe incoming ``X-Request-ID`` or a new one), returns it in
    the response, and logs method, path, status and duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if response_started:
                raise
            response = unhandled_error_response(scope["path"], exc)
            await response(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": logged_path(scope["path"]),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


# Paths whose last segment is a one-time secret (an email sign-in link): logged without it.
SECRET_PATH_PREFIXES = ("/auth/email/", "/me/emails/confirm/")


def logged_path(path: str) -> str:
    """The request path as the log keeps it: a one-time secret in it is replaced by ``…``."""
    for prefix in SECRET_PATH_PREFIXES:
        if path.startswith(prefix) and len(path) > len(prefix):
            return prefix + "…"
    return path


class BodySizeLimitMiddleware:
    """Refuses bodies over ``max_bytes`` with a 413 problem, by Content-Length or while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            # Past the cap: answer 413 now and tell the app the client went away.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = problem_body(
            status=413,
            code=PayloadTooLargeError.code,
            title=PayloadTooLargeError.title,
            detail=f"The request body exceeds {self.max_bytes} bytes.",
            instance=scope["path"],
        )
        body = json.dumps(problem).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


# Pages may show an issuer's own image from anywhere on https; the verify page narrows this.
PAGE_IMAGES = "'self' https: data:"


def page_policy(images: str = PAGE_IMAGES, *, scripts: bool = False) -> str:
    """The Content-Security-Policy of an HTML page: nothing from elsewhere but images, script
    only from our own files (never inline), no framing, forms only to us.

    See: https://www.w3.org/TR/CSP3/#csp-directives
    """
    script = "; script-src 'self'; connect-src 'self'" if scripts else ""
    return (
        f"default-src 'none'; img-src {images}; style-src 'self' 'unsafe-inline'{script}; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    """Every response: ``nosniff`` and a same-origin ``Referrer-Policy`` (a credential's URL
    never leaks to the sites it links to). Every HTML page also: a CSP (unless the page set a
    stricter one of its own) and ``X-Frame-Options: DENY`` for browsers before CSP 2."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = security_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers added (those already set are kept)."""
    present = {name.lower(): value for name, value in headers}
    added = {
        b"x-content-type-options": b"nosniff",
        b"referrer-policy": b"same-origin",
    }
    if present.get(b"content-type", b"").lower().startswith(b"text/html"):
        added[b"content-security-policy"] = page_policy().encode()
        added[b"x-frame-options"] = b"DENY"
    return headers + [(name, value) for name, value in added.items() if name not in present]


JSON_TYPES = ("application/json", "application/ld+json", "application/vc+ld+json")
NUL_DETAIL = "contains a NUL character"


class InputGuardMiddleware:
    """Finds, before any route or parser reads it, input no endpoint can take: a NUL character
    in the path (404: nothing is named so) or in the query (422), and a JSON body nested
    deeper than ``MAX_JSON_DEPTH`` levels or holding a NUL in any string (422). One rule for
    every route: PostgreSQL cannot store a NUL, and a deep body exhausts the parser.

    The refusal is raised inside the app by ``refuse_bad_input`` (an app-wide dependency, run
    before any other), so the app's error handlers answer it as any other error (problem+json,
    or a page for a browser); the body the app gets is then empty."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _refuse_url(scope)
        media_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
        media_type = media_type.split(";")[0].strip().lower()
        if media_type in JSON_TYPES or media_type.endswith("+json"):
            body = await _read_body(receive)
            if body is None:
                return  # the client went away (or the size cap has answered)
            refusal = refusal or self._refuse_json(body)
            receive = _replay(b"" if refusal else body, receive)
        if refusal is not None:
            scope.setdefault("state", {})[_REFUSAL] = refusal
        await self.app(scope, receive, send)

    def _refuse_json(self, body: bytes) -> ServiceError | None:
        if too_deep(body, self.max_depth):
            detail = f"JSON nested deeper than {self.max_depth} levels"
            return _field_error("/body", detail, "json_too_deep")
        pointer = _json_nul_pointer(body)
        if pointer is not None:
            return _field_error(f"/body{pointer}", NUL_DETAIL, "nul_character")
        return None


_REFUSAL = "input_refusal"


def refuse_bad_input(request: Request) -> None:
    """Raises what ``InputGuardMiddleware`` refused; an app-wide dependency."""
    refusal = getattr(request.state, _REFUSAL, None)
    if refusal is not None:
        raise refusal


def _refuse_url(scope: Scope) -> ServiceError | None:
    if "\x00" in scope["path"]:
        return NotFoundError()
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
        if "\x00" in name or "\x00" in value:
            return _field_error(f"/query/{name}", NUL_DETAIL, "nul_character")
    return None


def _field_error(pointer: str, detail: str, code: str) -> ValidationFailedError:
    return ValidationFailedError(errors=[FieldError(pointer, detail, code)])


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _json_nul_pointer(body: bytes) -> str | None:
    # Only the escape can put a NUL in valid JSON (a raw one is invalid and left to the parser).
    if b"\\u0000" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return nul_pointer(data)
