"""``ProviderClient``: requests to a server the operator configured (an OAuth provider, the
wiki whose events we read).

Not the SSRF guard of ``RemoteFetcher``: the URL comes from our settings, never from a
visitor, so its host is trusted as a configured origin is. What stays: a total time cap, a size
cap read while streaming, no redirects, no proxies or ``.netrc`` from the environment, our
User-Agent, and one ``RemoteUnreachableError`` for every failure to reach the server (the cause
chained for our logs only). A non-2xx answer is ``RemoteBadStatusError`` with the body kept, so
an OAuth error response (``{"error": "invalid_grant"}``) can be read by the caller.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from badgeservice.remote.errors import (
    RemoteBadStatusError,
    RemoteNotJsonError,
    RemoteTooLargeError,
    RemoteUnreachableError,
)

UNREACHABLE = "the sign-in provider could not be reached"


class ProviderClient:
    """POST forms and GET JSON from one configured server. ``transport`` is the test seam."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: float = 10.0,
        max_bytes: int = 65_536,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_bytes, self.timeout = max_bytes, timeout
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
        )

    def post_form(self, url: str, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """POST ``form`` (``application/x-www-form-urlencoded``); the status and JSON object.
        A non-JSON answer raises: with a 2xx status ``RemoteNotJsonError``, else
        ``RemoteBadStatusError``."""
        return self._json(url, self._send("POST", url, data=dict(form)))

    def get_json(self, url: str, *, bearer: str) -> tuple[int, dict[str, Any]]:
        """GET ``url`` with ``Authorization: Bearer``; the status and JSON object."""
        headers = {"Authorization": f"Bearer {bearer}"}
        return self._json(url, self._send("GET", url, headers=headers))

    def get(self, url: str, *, params: Mapping[str, str] | None = None) -> tuple[int, Any]:
        """GET ``url`` without credentials; the status and the JSON value, of any JSON type (a
        MediaWiki REST list is an array). A body that is not JSON raises: with a 2xx status
        ``RemoteNotJsonError``, else ``RemoteBadStatusError``."""
        status, content = self._send("GET", url, params=dict(params or {}))
        try:
            return status, json.loads(content)
        except ValueError:
            if 200 <= status < 300:
                raise RemoteNotJsonError("the answer is not JSON", url=url) from None
            raise RemoteBadStatusError(
                f"the server answered {status}", url=url, upstream_status=status
            ) from None

    def close(self) -> None:
        self._client.close()

    def _send(self, method: str, url: str, **kwargs: Any) -> tuple[int, bytes]:
        """One exchange, sent once more on a new connection when the server closed the kept-alive
        one we reused without answering (its idle timeout and our request crossed), as browsers
        do. A code posted twice is at worst refused (``invalid_grant``), never used twice."""
        deadline = time.monotonic() + self.timeout  # a total cap: a slow drip is cut off too
        try:
            try:
                return self._exchange(method, url, deadline, **kwargs)
            except httpx.RemoteProtocolError:
                return self._exchange(method, url, deadline, **kwargs)
        except httpx.HTTPError as exc:  # connect, TLS, protocol, timeouts alike
            raise RemoteUnreachableError(UNREACHABLE, url=url) from exc

    def _exchange(self, method: str, url: str, deadline: float, **kwargs: Any) -> tuple[int, bytes]:
        with self._client.stream(method, url, **kwargs) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise RemoteTooLargeError(f"the answer exceeds {self.max_bytes} bytes", url=url)
                if time.monotonic() > deadline:
                    raise RemoteUnreachableError(UNREACHABLE, url=url)
            return response.status_code, bytes(body)

    @staticmethod
    def _json(url: str, answer: tuple[int, bytes]) -> tuple[int, dict[str, Any]]:
        status, content = answer
        try:
            value = json.loads(content)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return status, value
        if 200 <= status < 300:
            raise RemoteNotJsonError("the answer is not a JSON object", url=url)
        raise RemoteBadStatusError(f"the server answered {status}", url=url, upstream_status=status)
