"""``RemoteFetcher``: GET a document from another server, within the SSRF guard and the caps.

Pinning: for a host that is not trusted, the request goes to the checked IP address (the URL's
host is replaced by it) while the ``Host`` header keeps the name and the ``sni_hostname``
request extension makes httpcore send SNI and verify the certificate for the name. Keep-alive is
off, so a connection opened for one name is never reused for another name on the same address.

One answer for every failure to reach a server: a refused address, a failed DNS look-up, a
refused connection, a closed port and a timeout all raise ``RemoteUnreachableError`` with the
same message (``UNREACHABLE``), the cause chained for our logs only, so the service cannot be
used to tell which local ports are open.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import httpx

from badgeservice.remote._addresses import (
    Origin,
    Resolver,
    Target,
    check_url,
    origin_of,
    parse_origins,
    resolve_host,
)
from badgeservice.remote._cache import TtlCache, cache_lifetime
from badgeservice.remote.errors import (
    RemoteAddressRefusedError,
    RemoteBadStatusError,
    RemoteNotJsonError,
    RemoteTimeoutError,
    RemoteTooLargeError,
    RemoteTooManyRedirectsError,
    RemoteUnreachableError,
    RemoteUrlRefusedError,
)

if TYPE_CHECKING:
    from badgeservice.settings import Settings

JSON_ACCEPT = "application/json, application/ld+json;q=0.9, */*;q=0.1"
USER_AGENT = "badgeservice"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
UNREACHABLE = "the remote server could not be reached"


@dataclass(frozen=True)
class FetchedDocument:
    """A fetched response body. ``url`` is the final URL (after redirects); ``headers`` have
    lower-case names."""

    url: str
    status: int
    media_type: str | None
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class RemoteFetcher:
    """The service's one outbound HTTP client: GET only, https only (http for a trusted
    origin), public addresses only (any address for a trusted origin), on every redirect hop.
    ``trusted_origins`` are exact: ``http://localhost:8000`` trusts no other port.

    ``transport`` and ``resolve`` are the network seams; ``clock`` drives the cache only.
    """

    def __init__(
        self,
        *,
        trusted_origins: Collection[str] = (),
        timeout: float = 5.0,
        connect_timeout: float = 3.0,
        max_bytes: int = 1_048_576,
        max_redirects: int = 3,
        cache_ttl: float = 300.0,
        cache_size: int = 256,
        transport: httpx.BaseTransport | None = None,
        resolve: Resolver = resolve_host,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.trusted_origins: frozenset[Origin] = parse_origins(trusted_origins)
        self.timeout, self.connect_timeout = timeout, connect_timeout
        self.max_bytes, self.max_redirects, self.cache_ttl = max_bytes, max_redirects, cache_ttl
        self._resolve = resolve
        self._cache: TtlCache[FetchedDocument] = TtlCache(cache_size, clock=clock)
        self._client = httpx.Client(
            transport=transport or _default_transport(),
            follow_redirects=False,
            trust_env=False,  # no proxies or .netrc credentials from the environment
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        also_trusted: Collection[str] = (),
    ) -> RemoteFetcher:
        """Built from ``Settings``; outside production the origin of ``base_url`` (scheme,
        host and port) is trusted, so a development server can verify its own credentials
        over http://localhost:8000 (and nothing else on localhost).
        ``also_trusted``: origins the caller named itself (``vc verify --did-web-base``)."""
        trusted = settings.remote_trusted_origins
        if trusted is None:
            trusted = [] if settings.environment == "production" else [settings.base_url]
        return cls(
            trusted_origins=[*trusted, *also_trusted],
            timeout=settings.remote_timeout,
            max_bytes=settings.remote_max_bytes,
            max_redirects=settings.remote_max_redirects,
            cache_ttl=settings.remote_cache_ttl,
            cache_size=settings.remote_cache_size,
            transport=transport,
        )

    def fetch_json(
        self,
        url: str,
        *,
        accept: str = JSON_ACCEPT,
        honour_cache_control: bool = False,
        use_cache: bool = True,
        refresh: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """GET ``url`` and parse it as a JSON object (a fresh ``dict`` on every call); the
        media type is not checked (did:web and status list hosts label JSON loosely)."""
        document = self.fetch_bytes(
            url,
            accept=accept,
            honour_cache_control=honour_cache_control,
            use_cache=use_cache,
            refresh=refresh,
            timeout=timeout,
        )
        try:
            value = json.loads(document.content)
        except ValueError as exc:
            raise RemoteNotJsonError("the response is not JSON", url=url) from exc
        if not isinstance(value, dict):
            raise RemoteNotJsonError("the response is not a JSON object", url=url)
        return value

    def fetch_bytes(
        self,
        url: str,
        *,
        accept: str = "*/*",
        honour_cache_control: bool = False,
        use_cache: bool = True,
        refresh: bool = False,
        timeout: float | None = None,
    ) -> FetchedDocument:
        """GET ``url`` (following up to ``max_redirects`` checked redirects) within the caps.

        Cached per ``(url, accept)`` for ``cache_ttl`` seconds, or, with
        ``honour_cache_control``, for as long as the response's ``Cache-Control`` allows (at
        most a day; ``no-store``/``no-cache`` are not stored). Failures are not cached.
        ``refresh`` (a re-verification) skips the cached copy for this call only and stores
        the new one; ``use_cache=False`` neither reads nor stores. ``timeout`` shortens the
        total time cap for this call (what is left of a verification's deadline).
        """
        key = (url, accept)
        cached = self._cache.get(key) if use_cache and not refresh else None
        if cached is not None:
            return cached
        limit = self.timeout if timeout is None else min(self.timeout, timeout)
        document = self._fetch(url, accept, limit)
        if use_cache:
            lifetime = self.cache_ttl
            if honour_cache_control:
                lifetime = min(cache_lifetime(document.headers, self.cache_ttl), 86_400.0)
            self._cache.put(key, document, lifetime)
        return document

    def trusted_form(self, url: str) -> str:
        """``url`` as http when it is https and its http form is a trusted origin (did:web
        always says https; a development server speaks http), else ``url`` unchanged."""
        try:
            parsed = httpx.URL(url)
            if parsed.scheme != "https":
                return url
            plain = parsed.copy_with(scheme="http")
            return str(plain) if origin_of(plain) in self.trusted_origins else url
        except (httpx.InvalidURL, RemoteUrlRefusedError):
            return url

    def clear_cache(self) -> None:
        self._cache.clear()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fetch(self, url: str, accept: str, limit: float) -> FetchedDocument:
        deadline = time.monotonic() + limit
        current: str | httpx.URL = url
        try:
            for _hop in range(self.max_redirects + 1):
                target = check_url(
                    current, trusted_origins=self.trusted_origins, resolve=self._resolve
                )
                outcome = self._get(target, accept, deadline)
                if isinstance(outcome, FetchedDocument):
                    return outcome
                current = outcome
        except (RemoteAddressRefusedError, RemoteUnreachableError, RemoteTimeoutError) as exc:
            raise RemoteUnreachableError(UNREACHABLE, url=url) from exc
        raise RemoteTooManyRedirectsError(f"more than {self.max_redirects} redirects", url=url)

    def _get(self, target: Target, accept: str, deadline: float) -> FetchedDocument | httpx.URL:
        """One hop: the document, or the URL a redirect points to."""
        last_error: httpx.ConnectError | None = None
        for request in self._requests(target, accept, deadline):
            try:
                with _mapped_errors(str(target.url)):
                    response = self._client.send(request, stream=True)
            except RemoteUnreachableError as exc:
                if not isinstance(exc.__cause__, httpx.ConnectError):
                    raise
                last_error = exc.__cause__  # try the host's next checked address
                continue
            try:
                return self._read(target, response, deadline)
            finally:
                response.close()
        raise RemoteUnreachableError("could not connect", url=str(target.url)) from last_error

    def _requests(self, target: Target, accept: str, deadline: float) -> Iterator[httpx.Request]:
        """One GET per checked address (or one by name for a trusted host)."""
        for address in target.addresses or (None,):
            remaining = _remaining(deadline, target)
            timeout = httpx.Timeout(remaining, connect=min(self.connect_timeout, remaining))
            extensions: dict[str, Any] = {}
            url = target.url
            if address is not None:
                url = url.copy_with(host=address)
                extensions["sni_hostname"] = target.host
            yield self._client.build_request(
                "GET",
                url,
                headers={"Accept": accept, "Host": target.url.netloc.decode("ascii")},
                timeout=timeout,
                extensions=extensions,
            )

    def _read(
        self, target: Target, response: httpx.Response, deadline: float
    ) -> FetchedDocument | httpx.URL:
        url = str(target.url)
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            try:
                return target.url.join(location).copy_with(fragment=None)
            except httpx.InvalidURL as exc:
                raise RemoteUrlRefusedError("the redirect location is not valid", url=url) from exc
        if not 200 <= response.status_code < 300:
            raise RemoteBadStatusError(
                f"the server answered {response.status_code}",
                url=url,
                upstream_status=response.status_code,
            )
        content = self._read_capped(target, response, deadline)
        content_type = response.headers.get("content-type")
        media_type = content_type.split(";", 1)[0].strip().lower() if content_type else None
        return FetchedDocument(
            url=url,
            status=response.status_code,
            media_type=media_type,
            content=content,
            headers=MappingProxyType(dict(response.headers)),
        )

    def _read_capped(self, target: Target, response: httpx.Response, deadline: float) -> bytes:
        """The body, refused as soon as it passes ``max_bytes`` (never read whole first)."""
        url = str(target.url)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise RemoteTooLargeError(f"the document exceeds {self.max_bytes} bytes", url=url)
        body = bytearray()
        with _mapped_errors(url):
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise RemoteTooLargeError(
                        f"the document exceeds {self.max_bytes} bytes", url=url
                    )
                _remaining(deadline, target)
        return bytes(body)


def _default_transport() -> httpx.HTTPTransport:
    return httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0), retries=0)


def _remaining(deadline: float, target: Target) -> float:
    """Seconds left of the total time cap; raises once it is spent."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RemoteTimeoutError("the remote server took too long", url=str(target.url))
    return remaining


@contextmanager
def _mapped_errors(url: str) -> Iterator[None]:
    """httpx's request errors as ours: timeouts, then everything else as unreachable."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise RemoteTimeoutError("the remote server took too long", url=url) from exc
    except httpx.RequestError as exc:
        raise RemoteUnreachableError("the remote server could not be reached", url=url) from exc
