"""The outbound HTTP client: the SSRF guard with real resolution (literal IPs, ``localhost``),
HTTP behaviour through ``httpx.MockTransport`` (the one network seam), and DNS answers that
cannot be had offline through the ``resolve`` seam. The cache: ``test_remote_cache.py``."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import badgeservice.remote as remote
from badgeservice.errors import ServiceError
from badgeservice.remote import (
    RemoteAddressRefusedError,
    RemoteBadStatusError,
    RemoteError,
    RemoteFetcher,
    RemoteNotJsonError,
    RemoteTooLargeError,
    RemoteTooManyRedirectsError,
    RemoteUnreachableError,
    RemoteUrlRefusedError,
    check_url,
    is_public_address,
)
from badgeservice.settings import Settings

PUBLIC = "https://8.8.8.8"  # a public literal: resolved for real, never contacted (mock transport)
Handler = Callable[[httpx.Request], httpx.Response]


def make_fetcher(handler: Handler, **options: Any) -> RemoteFetcher:
    return RemoteFetcher(transport=httpx.MockTransport(handler), **options)


def recording(response: Handler) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response(request)

    return handler, seen


def json_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"id": str(request.url)})


NON_PUBLIC_BY_KIND = {
    "loopback": ("127.0.0.1", "127.1.2.3", "::1"),
    "private": ("10.0.0.1", "172.16.5.4", "192.168.1.1", "fc00::1", "fd12:3456::1"),
    "link-local": ("169.254.1.1", "fe80::1", "fe80::1%eth0", "fec0::1"),
    "cgnat": ("100.64.0.1",),
    "multicast": ("224.0.0.1", "ff02::1"),
    "unspecified": ("0.0.0.0", "::"),
    "reserved": ("240.0.0.1", "255.255.255.255", "192.0.2.1", "2001:db8::1", "not-an-address"),
    "metadata": ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"),
    "oracle-metadata": ("192.0.0.192",),
    "embedded": ("::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1"),
    "nat64-6to4": ("64:ff9b::a9fe:a9fe", "2002:7f00:1::1"),
}
NON_PUBLIC = [address for kind in NON_PUBLIC_BY_KIND.values() for address in kind]


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_is_public_address_refuses_non_public_addresses(address: str) -> None:
    assert is_public_address(address) is False


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_is_public_address_accepts_public_unicast(address: str) -> None:
    assert is_public_address(address) is True


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/doc",
        "ftp://8.8.8.8/doc",
        "file:///etc/passwd",
        "https:///doc",
        "/relative/doc",
        "https://user:secret@8.8.8.8/doc",
        "https://8.8.8.8:99999/doc",
        "gopher://localhost/",
    ],
)
def test_check_url_refuses_url_when_not_https_or_malformed(url: str) -> None:
    with pytest.raises(RemoteUrlRefusedError) as caught:
        check_url(url, trusted_origins=frozenset())
    assert caught.value.code == "remote_url_refused"


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/",
        "https://localhost/",
        "https://[::1]/",
        "https://2130706433/",  # 127.0.0.1 spelled as one number
        "https://0x7f.1/",  # and in hex
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:127.0.0.1]/",
        "https://10.1.2.3:8443/",
        "https://100.64.1.1/",
    ],
)
def test_check_url_refuses_address_after_resolution(url: str) -> None:
    with pytest.raises(RemoteAddressRefusedError) as caught:
        check_url(url, trusted_origins=frozenset({("https", "example.org", 443)}))
    assert caught.value.code == "remote_address_refused"
    assert caught.value.detail.count("127.0.0.1") == url.count("127.0.0.1")  # no resolved IP


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("http://localhost:8000/x", ("http", "localhost", 8000)),
        ("http://127.0.0.1/x", ("http", "127.0.0.1", 80)),
        ("http://localhost.:8000/x", ("http", "localhost", 8000)),
    ],
)
def test_check_url_lets_trusted_origin_use_http_and_any_address(
    url: str, trusted: remote.Origin
) -> None:
    target = check_url(url, trusted_origins=frozenset({trusted}))
    assert target.addresses == ()
    assert str(target.url) == url


def test_check_url_refuses_host_when_any_resolved_address_is_private() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.0.0.7"]

    with pytest.raises(RemoteAddressRefusedError):
        check_url("https://mixed.example/", trusted_origins=frozenset(), resolve=resolve)


def test_fetch_pins_connection_to_checked_address_keeping_host_name() -> None:
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["8.8.8.8"]

    handler, seen = recording(json_ok)
    with make_fetcher(handler, resolve=resolve) as fetcher:
        document = fetcher.fetch_bytes("https://issuer.example:8443/did.json")
    (request,) = seen
    assert lookups == ["issuer.example"]
    assert request.method == "GET"
    assert request.url.host == "8.8.8.8"
    assert request.headers["host"] == "issuer.example:8443"
    assert request.extensions["sni_hostname"] == "issuer.example"
    assert document.url == "https://issuer.example:8443/did.json"


def test_fetch_tries_next_checked_address_when_connect_fails() -> None:
    def response(request: httpx.Request) -> httpx.Response:
        if request.url.host == "8.8.8.8":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, content=b"ok")

    handler, seen = recording(response)
    fetcher = make_fetcher(handler, resolve=lambda host, port: ["8.8.8.8", "1.1.1.1"])
    assert fetcher.fetch_bytes("https://two.example/").content == b"ok"
    assert [request.url.host for request in seen] == ["8.8.8.8", "1.1.1.1"]


def test_fetch_json_returns_object_and_document_fields() -> None:
    def response(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/did+json; charset=utf-8", "ETag": '"1"'}
        return httpx.Response(200, content=b'{"id": "did:web:x"}', headers=headers)

    fetcher = make_fetcher(response)
    assert fetcher.fetch_json(f"{PUBLIC}/did.json") == {"id": "did:web:x"}
    document = fetcher.fetch_bytes(f"{PUBLIC}/did.json", accept="application/did+json")
    assert (document.status, document.media_type) == (200, "application/did+json")
    assert document.headers["etag"] == '"1"'


@pytest.mark.parametrize("body", [b"<html></html>", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_fetch_json_raises_not_json_when_body_is_not_an_object(body: bytes) -> None:
    fetcher = make_fetcher(lambda request: httpx.Response(200, content=body))
    with pytest.raises(RemoteNotJsonError) as caught:
        fetcher.fetch_json(f"{PUBLIC}/doc")
    assert caught.value.code == "remote_not_json"


def redirect_to(location: str) -> Handler:
    def response(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"Location": location})
        return httpx.Response(200, content=b"final")

    return response


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("https://127.0.0.1/admin", RemoteUnreachableError),
        ("https://169.254.169.254/latest/meta-data/", RemoteUnreachableError),
        ("https://[::ffff:10.0.0.1]/", RemoteUnreachableError),
        ("https://localhost/", RemoteUnreachableError),
        ("http://8.8.4.4/plain", RemoteUrlRefusedError),
        ("file:///etc/passwd", RemoteUrlRefusedError),
    ],
)
def test_fetch_refuses_redirect_when_target_is_not_allowed(
    location: str, error: type[RemoteError]
) -> None:
    handler, seen = recording(redirect_to(location))
    with pytest.raises(error):
        make_fetcher(handler).fetch_bytes(f"{PUBLIC}/start")
    assert len(seen) == 1


def test_fetch_follows_relative_redirect_to_checked_target() -> None:
    handler, seen = recording(redirect_to("/final#fragment"))
    document = make_fetcher(handler).fetch_bytes(f"{PUBLIC}/start")
    assert (document.url, document.content) == (f"{PUBLIC}/final", b"final")
    assert [request.url.path for request in seen] == ["/start", "/final"]


@pytest.mark.parametrize(("hops", "succeeds"), [(3, True), (4, False)])
def test_fetch_follows_at_most_max_redirects(hops: int, succeeds: bool) -> None:
    def response(request: httpx.Request) -> httpx.Response:
        step = int(request.url.path.strip("/"))
        if step < hops:
            return httpx.Response(307, headers={"Location": f"/{step + 1}"})
        return httpx.Response(200, content=b"done")

    fetcher = make_fetcher(response, max_redirects=3)
    if succeeds:
        assert fetcher.fetch_bytes(f"{PUBLIC}/0").url == f"{PUBLIC}/{hops}"
    else:
        with pytest.raises(RemoteTooManyRedirectsError) as caught:
            fetcher.fetch_bytes(f"{PUBLIC}/0")
        assert caught.value.code == "remote_too_many_redirects"


@pytest.mark.parametrize("status", [304, 404, 410, 500, 503])
def test_fetch_raises_bad_status_when_not_2xx(status: int) -> None:
    fetcher = make_fetcher(lambda request: httpx.Response(status))
    with pytest.raises(RemoteBadStatusError) as caught:
        fetcher.fetch_bytes(f"{PUBLIC}/doc")
    assert caught.value.upstream_status == status
    assert caught.value.extensions == {"url": f"{PUBLIC}/doc", "upstreamStatus": status}


def test_fetch_refuses_declared_length_over_cap_before_reading() -> None:
    def response(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "2000"}, content=b"x" * 2000)

    with pytest.raises(RemoteTooLargeError):
        make_fetcher(response, max_bytes=1000).fetch_bytes(f"{PUBLIC}/big")


def test_fetch_stops_streaming_as_soon_as_cap_is_passed() -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for index in range(100):
            produced.append(index)
            yield b"x" * 100

    fetcher = make_fetcher(lambda request: httpx.Response(200, content=chunks()), max_bytes=450)
    with pytest.raises(RemoteTooLargeError) as caught:
        fetcher.fetch_bytes(f"{PUBLIC}/stream")
    assert caught.value.code == "remote_too_large"
    assert len(produced) == 5


@pytest.mark.parametrize(
    ("raised", "error"),
    [
        (httpx.ReadTimeout, RemoteUnreachableError),
        (httpx.ConnectTimeout, RemoteUnreachableError),
        (httpx.ConnectError, RemoteUnreachableError),
        (httpx.RemoteProtocolError, RemoteUnreachableError),
        (httpx.ReadError, RemoteUnreachableError),
    ],
)
def test_fetch_maps_transport_errors(raised: type[httpx.RequestError], error: type) -> None:
    def response(request: httpx.Request) -> httpx.Response:
        raise raised("boom", request=request)

    with pytest.raises(error) as caught:
        make_fetcher(response).fetch_bytes(f"{PUBLIC}/doc")
    assert isinstance(caught.value, RemoteError)
    assert caught.value.detail == remote.UNREACHABLE


def test_fetch_refuses_host_when_it_resolves_to_no_address() -> None:
    handler, seen = recording(json_ok)
    fetcher = make_fetcher(handler, resolve=lambda host, port: [])
    with pytest.raises(RemoteUnreachableError) as caught:
        fetcher.fetch_bytes("https://empty.example/doc")
    assert isinstance(caught.value.__cause__, RemoteAddressRefusedError)
    assert seen == []


def unreachable_answer(fetcher: RemoteFetcher, url: str) -> tuple[type, str, int, str, str]:
    """What a caller sees of a failed fetch: class, code, status, detail, extensions."""
    with pytest.raises(RemoteError) as caught:
        fetcher.fetch_bytes(url)
    error = caught.value
    return type(error), error.code, error.status, error.detail, json.dumps(error.extensions)


def test_refused_address_dns_failure_refused_connection_and_timeout_answer_alike() -> None:
    def failing(kind: type[httpx.RequestError]) -> Handler:
        def response(request: httpx.Request) -> httpx.Response:
            raise kind("boom", request=request)

        return response

    def no_dns(host: str, port: int) -> list[str]:
        raise RemoteUnreachableError(f"could not resolve host {host!r}")

    url = "https://target.example/doc"
    public = lambda host, port: ["8.8.8.8"]  # noqa: E731
    answers = {
        unreachable_answer(make_fetcher(json_ok, resolve=lambda h, p: ["127.0.0.1"]), url),
        unreachable_answer(make_fetcher(json_ok, resolve=no_dns), url),
        unreachable_answer(make_fetcher(failing(httpx.ConnectError), resolve=public), url),
        unreachable_answer(make_fetcher(failing(httpx.ConnectTimeout), resolve=public), url),
        unreachable_answer(make_fetcher(failing(httpx.ReadTimeout), resolve=public), url),
    }
    assert answers == {
        (
            RemoteUnreachableError,
            "remote_unreachable",
            502,
            remote.UNREACHABLE,
            f'{{"url": "{url}"}}',
        )
    }


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("http://localhost:8001/x", False),  # another port of the same host
        ("http://localhost/x", False),
        ("https://localhost:8000/x", False),  # another scheme: checked like any host
        ("http://127.0.0.1:8000/x", False),  # the same machine by another name
        ("http://localhost:8000/x", True),
        ("http://localhost.:8000/x", True),
    ],
)
def test_check_url_trusts_exactly_the_configured_origin(url: str, trusted: bool) -> None:
    origins = frozenset({("http", "localhost", 8000)})
    if trusted:
        assert check_url(url, trusted_origins=origins).addresses == ()
    else:
        with pytest.raises((RemoteUrlRefusedError, RemoteAddressRefusedError)):
            check_url(url, trusted_origins=origins)


def test_redirect_from_the_trusted_origin_to_another_local_port_is_refused() -> None:
    handler, seen = recording(redirect_to("http://localhost:22/"))
    fetcher = make_fetcher(handler, trusted_origins=["http://localhost:8000"])
    with pytest.raises(RemoteUrlRefusedError):
        fetcher.fetch_bytes("http://localhost:8000/start")
    assert [str(request.url) for request in seen] == ["http://localhost:8000/start"]


@pytest.mark.parametrize("value", ["localhost", "http://localhost:8000/path", "ftp://x", ""])
def test_trusted_origins_must_be_origins(value: str) -> None:
    with pytest.raises(ValueError, match="not an origin"):
        RemoteFetcher(trusted_origins=[value])


def test_trusted_form_rewrites_did_web_https_only_for_the_trusted_origin() -> None:
    fetcher = RemoteFetcher(trusted_origins=["http://localhost:8000"])
    assert fetcher.trusted_form("https://localhost:8000/d.json") == "http://localhost:8000/d.json"
    assert fetcher.trusted_form("https://localhost:9000/d.json") == "https://localhost:9000/d.json"


def settings(environment: str, base_url: str) -> Settings:
    secret = base64.urlsafe_b64encode(bytes(32)).decode()
    return Settings(environment=environment, base_url=base_url, secret_key=secret)


@pytest.mark.parametrize(
    ("environment", "base_url", "trusted"),
    [
        ("development", "http://localhost:8000", frozenset({("http", "localhost", 8000)})),
        ("test", "http://badges.test:8080", frozenset({("http", "badges.test", 8080)})),
        ("production", "https://badges.example.org", frozenset()),
    ],
)
def test_from_settings_trusts_own_origin_only_outside_production(
    environment: str, base_url: str, trusted: frozenset[remote.Origin]
) -> None:
    fetcher = RemoteFetcher.from_settings(settings(environment, base_url))
    assert fetcher.trusted_origins == trusted
    assert (fetcher.max_bytes, fetcher.max_redirects) == (1_048_576, 3)


ERRORS = [getattr(remote, name) for name in remote.__all__ if re.fullmatch(r"Remote\w+Error", name)]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.__name__)
def test_errors_have_code_named_after_class(error: type[RemoteError]) -> None:
    words = re.findall(r"[A-Z][a-z]*", error.__name__.removesuffix("Error"))
    assert error.code == "_".join(word.lower() for word in words)
    assert issubclass(error, RemoteError)
    assert issubclass(RemoteError, ServiceError)
    assert RemoteError.code == "remote_error"


def test_public_surface_is_exported() -> None:
    assert sorted(remote.__all__) == sorted(set(remote.__all__))
    assert all(hasattr(remote, name) for name in remote.__all__)


def test_fetched_document_headers_are_read_only() -> None:
    document = make_fetcher(json_ok).fetch_bytes(f"{PUBLIC}/doc")
    with pytest.raises(TypeError):
        document.headers["x"] = "y"  # type: ignore[index]
    assert json.loads(document.content) == {"id": f"{PUBLIC}/doc"}
