"""The service's one outbound HTTP client, guarded against server-side request forgery.

Used for did:web documents, https verification methods, status list credentials and
verify-by-URL (DESIGN.md §7). Every fetch is a GET; every hop (the URL and each redirect, at
most ``max_redirects``) is checked before it is sent:

- https only; plain http only for origins configured as trusted (in development the exact
  origin of ``base_url``: scheme, host and port);
- the host is resolved once and every address must be public (no loopback, RFC 1918/4193,
  link-local, CGNAT, multicast, unspecified, reserved or cloud-metadata address, IPv4 embedded
  in IPv6 unwrapped first); the connection then goes to a checked address, so DNS rebinding
  cannot swap it. A trusted origin skips this check;
- a total time cap, a size cap enforced while streaming, a small per-process TTL cache;
- one error and one message for every server that cannot be reached, whatever the reason.

``ProviderClient`` is the other client: POST and GET to a server the operator configured (the
Wikimedia OAuth provider), with the caps and the one unreachable error but no address guard.

Errors (all with a stable ``code``) are drawn in ``badgeservice.remote.errors``.
"""

from badgeservice.remote._addresses import (
    CLOUD_METADATA_ADDRESSES,
    FORBIDDEN_NETWORKS,
    Origin,
    Resolver,
    Target,
    check_url,
    is_public_address,
    origin_of,
    resolve_host,
)
from badgeservice.remote._cache import TtlCache, cache_lifetime
from badgeservice.remote._fetcher import (
    JSON_ACCEPT,
    UNREACHABLE,
    FetchedDocument,
    RemoteFetcher,
)
from badgeservice.remote._provider import ProviderClient
from badgeservice.remote.errors import (
    RemoteAddressRefusedError,
    RemoteBadStatusError,
    RemoteError,
    RemoteNotJsonError,
    RemoteTimeoutError,
    RemoteTooLargeError,
    RemoteTooManyRedirectsError,
    RemoteUnreachableError,
    RemoteUrlRefusedError,
)

__all__ = [
    "CLOUD_METADATA_ADDRESSES",
    "FORBIDDEN_NETWORKS",
    "JSON_ACCEPT",
    "UNREACHABLE",
    "FetchedDocument",
    "Origin",
    "ProviderClient",
    "RemoteAddressRefusedError",
    "RemoteBadStatusError",
    "RemoteError",
    "RemoteFetcher",
    "RemoteNotJsonError",
    "RemoteTimeoutError",
    "RemoteTooLargeError",
    "RemoteTooManyRedirectsError",
    "RemoteUnreachableError",
    "RemoteUrlRefusedError",
    "Resolver",
    "Target",
    "TtlCache",
    "cache_lifetime",
    "check_url",
    "is_public_address",
    "origin_of",
    "resolve_host",
]
