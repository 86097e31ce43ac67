"""Which URLs and addresses we may fetch from: the SSRF guard, applied to every hop.

A host is resolved once; every address it resolves to must be public, and the connection then
goes to one of those checked addresses (``Target.addresses``), so a second DNS answer
(rebinding) is never used. Trust is by exact origin (scheme, host, port; RFC 6454): a trusted
origin (a development server's own ``base_url``) skips the address check and may be http; the
same host on any other port or scheme is checked like any host.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import httpx

from badgeservice.remote.errors import (
    RemoteAddressRefusedError,
    RemoteUnreachableError,
    RemoteUrlRefusedError,
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Origin = tuple[str, str, int]
"""``(scheme, host, port)``: the host lower-case ASCII without a final dot, the port explicit."""
Resolver = Callable[[str, int], Sequence[str]]
"""``resolve(host, port) -> addresses``: the DNS seam (``resolve_host`` by default)."""

# Spelled out rather than trusting ``is_global`` alone: its tables differ between Python
# releases (3.11 calls 192.0.0.192 and multicast global). See: https://www.iana.org/assignments/
# iana-ipv4-special-registry and iana-ipv6-special-registry.
FORBIDDEN_NETWORKS: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # CGNAT, RFC 6598 (also Alibaba's metadata 100.100.100.200)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local (AWS/GCP/Azure metadata 169.254.169.254)
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments (Oracle metadata 192.0.0.192)
        "192.0.2.0/24",  # TEST-NET-1
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
        "::/128",  # unspecified
        "::1/128",  # loopback
        "::/96",  # IPv4-compatible (deprecated)
        "64:ff9b:1::/48",  # local-use NAT64, RFC 8215
        "100::/64",  # discard-only
        "2001::/23",  # IETF protocol assignments (Teredo, ORCHID, ...)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # unique local, RFC 4193 (AWS metadata fd00:ec2::254)
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
CLOUD_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    # AWS/GCP/Azure, AWS ECS, AWS IPv6, Alibaba (Oracle's 192.0.0.192 is in 192.0.0.0/24)
    for address in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


@dataclass(frozen=True)
class Target:
    """A checked hop: the URL, its host in ASCII, and the addresses we may connect to.

    ``addresses`` is empty for a trusted host: it is connected to by name.
    """

    url: httpx.URL
    host: str
    addresses: tuple[str, ...]


def unwrap_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address merely encodes (mapped ``::ffff:0:0/96``, NAT64
    ``64:ff9b::/96``), else the address itself.

    See: https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2 and rfc6052#section-2.1
    """
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public_address(address: str | IPAddress) -> bool:
    """Whether we may connect to ``address``: public unicast, after unwrapping embedded IPv4
    (a 6to4 address must also carry a public IPv4 address)."""
    if isinstance(address, str):
        try:
            address = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
        except ValueError:
            return False
    address = unwrap_ipv4(address)
    sixtofour = address.sixtofour if isinstance(address, ipaddress.IPv6Address) else None
    if sixtofour is not None and not is_public_address(sixtofour):
        return False
    if address in CLOUD_METADATA_ADDRESSES:
        return False
    if any(address in network for network in FORBIDDEN_NETWORKS):
        return False
    flags = (address.is_private, address.is_multicast, address.is_reserved, address.is_loopback)
    return address.is_global and not any(flags) and not address.is_link_local


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (literal IPs resolve to themselves), in order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RemoteUnreachableError(f"could not resolve host {host!r}") from exc
    addresses = [str(info[4][0]).split("%", 1)[0] for info in infos]
    return list(dict.fromkeys(addresses))


def origin_of(url: str | httpx.URL) -> Origin:
    """The origin of an absolute http(s) URL (``RemoteUrlRefusedError`` for anything else).

    See: https://www.rfc-editor.org/rfc/rfc6454#section-4
    """
    parsed = _parse_url(url)
    host = parsed.raw_host.decode("ascii").lower().removesuffix(".")
    return parsed.scheme, host, parsed.port or DEFAULT_PORTS[parsed.scheme]


def parse_origins(values: Collection[str]) -> frozenset[Origin]:
    """Configured origins (``http://localhost:8000``): a ``ValueError`` for anything else, a
    bare host included (it would not say which port is meant)."""
    origins = set()
    for value in values:
        try:
            origin = origin_of(value)
        except RemoteUrlRefusedError as exc:
            raise ValueError(f"{value!r} is not an origin like http://localhost:8000") from exc
        if httpx.URL(value).path not in {"", "/"}:
            raise ValueError(f"{value!r} is not an origin like http://localhost:8000")
        origins.add(origin)
    return frozenset(origins)


def check_url(
    url: str | httpx.URL, *, trusted_origins: Collection[Origin], resolve: Resolver = resolve_host
) -> Target:
    """Check one hop: scheme, userinfo, host and port, then every address the host resolves to
    (not for a trusted origin, which may also be plain http).

    Raises ``RemoteUrlRefusedError`` or ``RemoteAddressRefusedError``; returns the pinned target.
    """
    parsed = _parse_url(url)
    host = parsed.raw_host.decode("ascii").lower()
    trusted = origin_of(parsed) in trusted_origins
    if parsed.scheme != "https" and not trusted:
        raise RemoteUrlRefusedError("only https URLs may be fetched", url=str(url))
    if trusted:
        return Target(url=parsed, host=host, addresses=())
    port = parsed.port or 443
    addresses = tuple(resolve(host, port))
    if not addresses or not all(is_public_address(address) for address in addresses):
        raise RemoteAddressRefusedError(
            f"the host {host!r} resolves to a non-public address", url=str(url)
        )
    return Target(url=parsed, host=host, addresses=addresses)


def _parse_url(url: str | httpx.URL) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise RemoteUrlRefusedError("the URL is not valid", url=str(url)) from exc
    if parsed.scheme not in {"http", "https"} or not parsed.raw_host:
        raise RemoteUrlRefusedError("only absolute http(s) URLs may be fetched", url=str(url))
    if parsed.userinfo:
        raise RemoteUrlRefusedError("URLs with credentials may not be fetched", url=str(url))
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise RemoteUrlRefusedError("the URL's port is out of range", url=str(url))
    return parsed
