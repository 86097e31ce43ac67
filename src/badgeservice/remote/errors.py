"""Errors of the outbound HTTP client. Each has a stable ``code`` and an HTTP ``status`` (used
when an endpoint lets one reach the API edge, e.g. verify-by-URL)::

    ServiceError (badgeservice.errors)
    └── RemoteError (502 remote_error)
        ├── RemoteUrlRefusedError (400 remote_url_refused)          not https, userinfo, no host
        ├── RemoteAddressRefusedError (400 remote_address_refused)  host resolves to a
        │                                                          non-public address
        ├── RemoteUnreachableError (502 remote_unreachable)         DNS, connect, TLS, protocol
        ├── RemoteTimeoutError (504 remote_timeout)                 the total time cap
        ├── RemoteTooLargeError (502 remote_too_large)              the size cap
        ├── RemoteBadStatusError (502 remote_bad_status)            not 2xx; ``upstream_status``
        ├── RemoteNotJsonError (502 remote_not_json)                ``fetch_json`` only
        └── RemoteTooManyRedirectsError (502 remote_too_many_redirects)

Details never name the resolved IP address: a caller must not learn how our resolver sees a host.
``RemoteFetcher`` raises every failure to reach a server (a refused address, DNS, connect, a
closed port, a timeout) as one ``RemoteUnreachableError`` with one message; the address and
timeout errors are only its ``__cause__`` (``check_url`` raises the address error itself).
"""

from __future__ import annotations

from typing import Any

from badgeservice.errors import ServiceError


class RemoteError(ServiceError):
    """A document could not be fetched from another server; ``url`` is the URL asked for."""

    status, code, title = 502, "remote_error", "The remote document could not be fetched"

    def __init__(self, detail: str | None = None, *, url: str | None = None, **extensions: Any):
        if url is not None:
            extensions["url"] = url
        super().__init__(detail, **extensions)
        self.url = url


class RemoteUrlRefusedError(RemoteError):
    status, code, title = 400, "remote_url_refused", "The URL may not be fetched"


class RemoteAddressRefusedError(RemoteError):
    status, code, title = 400, "remote_address_refused", "The host has a non-public address"


class RemoteUnreachableError(RemoteError):
    code, title = "remote_unreachable", "The remote server could not be reached"


class RemoteTimeoutError(RemoteError):
    status, code, title = 504, "remote_timeout", "The remote server took too long"


class RemoteTooLargeError(RemoteError):
    code, title = "remote_too_large", "The remote document is too large"


class RemoteBadStatusError(RemoteError):
    code, title = "remote_bad_status", "The remote server answered with an error status"

    def __init__(self, detail: str | None = None, *, url: str | None = None, upstream_status: int):
        super().__init__(detail, url=url, upstreamStatus=upstream_status)
        self.upstream_status = upstream_status


class RemoteNotJsonError(RemoteError):
    code, title = "remote_not_json", "The remote document is not a JSON object"


class RemoteTooManyRedirectsError(RemoteError):
    code, title = "remote_too_many_redirects", "The remote server redirected too many times"
