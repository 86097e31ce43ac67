"""Errors as pages for browsers: a request that accepts HTML and is not under ``/api/`` gets a
plain page in the visitor's language with the same status; API clients keep problem+json.

The page wraps the problem handlers already installed (``http/problems.py``): the handler says
the status and headers (``Allow``, ``WWW-Authenticate``), the page says it in words. The
problem's ``detail`` is English and may name what was asked for, so the page does not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response

from badgeservice.logs import request_id_var
from badgeservice.web import i18n
from badgeservice.web.i18n import N_
from badgeservice.web.negotiation import wants_json

API_PREFIX = "/api/"
KEPT_HEADERS = ("allow", "www-authenticate", "retry-after")

NOT_FOUND = (
    N_("Page not found"),
    N_("There is nothing at this address. It may be mistyped, or the page was removed."),
)
MESSAGES = {
    404: NOT_FOUND,
    405: (
        N_("This page cannot do that"),
        N_("This address does not accept this kind of request."),
    ),
    401: (N_("Not allowed"), N_("This page needs a permission that this request does not have.")),
    403: (N_("Not allowed"), N_("This page needs a permission that this request does not have.")),
}
BAD_REQUEST = (
    N_("The request could not be read"),
    N_("Something in the address or the form is not what this page expects."),
)
OTHER = (
    N_("Something went wrong"),
    N_("The service could not answer this request. Please try again later."),
)

Handler = Callable[[Request, Exception], Any]


def wants_page(request: Request) -> bool:
    """A browser's request for a page: it accepts HTML before JSON, and is not for the API."""
    if request.url.path.startswith(API_PREFIX):
        return False
    return "text/html" in request.headers.get("accept", "").lower() and not wants_json(request)


def messages_for(status: int) -> tuple[str, str]:
    """The (headline, sentence) message ids of an error status."""
    if status in MESSAGES:
        return MESSAGES[status]
    return BAD_REQUEST if 400 <= status < 500 else OTHER


def error_page(request: Request, status: int, headers: dict[str, str]) -> Response:
    language = i18n.negotiate(request)
    headline, sentence = messages_for(status)
    context = {
        "headline": i18n.gettext(language, headline),
        "sentence": i18n.gettext(language, sentence),
        "request_id": request_id_var.get(),
    }
    response = i18n.render(request, "error.html", language, context, status_code=status)
    response.headers.update(headers)
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_or(handler: Handler) -> Handler:
    def handle(request: Request, exc: Exception) -> Any:
        response = handler(request, exc)
        if not wants_page(request) or not isinstance(response, Response):
            return response
        kept = {k: v for k, v in response.headers.items() if k.lower() in KEPT_HEADERS}
        return error_page(request, response.status_code, kept)

    return handle


def install_error_pages(app: FastAPI) -> None:
    """Wraps every exception handler installed so far (install the problem handlers first)."""
    for key, handler in list(app.exception_handlers.items()):
        app.add_exception_handler(key, _page_or(handler))
