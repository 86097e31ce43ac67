"""The outbound HTTP client against a real ``http.server`` on 127.0.0.1 (a free port, a thread).

No database fixtures: plain pytest. No traffic leaves 127.0.0.1; refused targets are refused
before any connection is made.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from badgeservice.remote import (
    UNREACHABLE,
    RemoteBadStatusError,
    RemoteError,
    RemoteFetcher,
    RemoteTooLargeError,
    RemoteUnreachableError,
    RemoteUrlRefusedError,
)

BIG = 2 * 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter[str]] = Counter()
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        type(self).hits[path] += 1
        route = getattr(self, "route_" + path.strip("/").replace("-", "_"), None)
        if route is None:
            self.reply(404, b"{}")
        else:
            route(query)

    def reply(self, status: int, body: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def route_doc(self, query: str) -> None:
        self.reply(200, b'{"id": "doc"}')

    def route_redirect(self, query: str) -> None:
        self.reply(302, b"", Location=query)

    def route_cached(self, query: str) -> None:
        self.reply(200, b"{}", Cache_Control=query.replace("%20", " "))

    def route_big(self, query: str) -> None:
        self.reply(200, b"x" * BIG)

    def route_big_unsized(self, query: str) -> None:
        self.send_response(200)
        self.send_header("Connection", "close")  # the body ends when the connection does
        self.end_headers()
        for _ in range(BIG // 65536):
            self.wfile.write(b"x" * 65536)

    def route_slow(self, query: str) -> None:
        time.sleep(float(query))
        self.reply(200, b"{}")

    def route_drip(self, query: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "20")
        self.end_headers()
        for _ in range(20):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(float(query))

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hits() -> Counter[str]:
    Handler.hits.clear()
    return Handler.hits


def fetcher(*trusted: str, **options: Any) -> RemoteFetcher:
    """A client trusting ``trusted`` origins (``http://host:port``)."""
    return RemoteFetcher(trusted_origins=trusted, **options)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_fetch_json_from_local_server_when_host_is_trusted(server: int, host: str) -> None:
    with fetcher(f"http://{host}:{server}") as client:
        assert client.fetch_json(f"http://{host}:{server}/doc") == {"id": "doc"}


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:{port}/doc", RemoteUrlRefusedError),
        ("https://127.0.0.1:{port}/doc", RemoteUnreachableError),
        ("https://localhost:{port}/doc", RemoteUnreachableError),
        ("https://[::ffff:127.0.0.1]:{port}/doc", RemoteUnreachableError),
    ],
)
def test_fetch_refuses_local_server_when_not_trusted(
    server: int, hits: Counter[str], url: str, error: type[Exception]
) -> None:
    with fetcher("https://example.org") as client, pytest.raises(error):
        client.fetch_bytes(url.format(port=server))
    assert hits == Counter()


@pytest.mark.parametrize(
    ("location", "error"),
    [
        ("https://127.0.0.1:{port}/doc", RemoteUnreachableError),
        ("https://10.0.0.1/doc", RemoteUnreachableError),
        ("https://169.254.169.254/latest/meta-data/", RemoteUnreachableError),
        ("http://127.0.0.1:{port}/doc", RemoteUrlRefusedError),
    ],
)
def test_fetch_refuses_redirect_from_trusted_host_to_untrusted_private_address(
    server: int, hits: Counter[str], location: str, error: type[Exception]
) -> None:
    url = f"http://localhost:{server}/redirect?{location.format(port=server)}"
    with fetcher(f"http://localhost:{server}") as client, pytest.raises(error):
        client.fetch_bytes(url)
    assert hits == Counter({"/redirect": 1})


def test_fetch_follows_redirect_between_trusted_hosts(server: int) -> None:
    url = f"http://localhost:{server}/redirect?http://127.0.0.1:{server}/doc"
    with fetcher(f"http://localhost:{server}", f"http://127.0.0.1:{server}") as client:
        document = client.fetch_bytes(url)
    assert document.url == f"http://127.0.0.1:{server}/doc"


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_fetch_refuses_body_over_size_cap(server: int, path: str) -> None:
    with (
        fetcher(f"http://127.0.0.1:{server}", max_bytes=1_048_576) as client,
        pytest.raises(RemoteTooLargeError),
    ):
        client.fetch_bytes(f"http://127.0.0.1:{server}{path}")


def test_fetch_reads_body_under_size_cap(server: int) -> None:
    with fetcher(f"http://127.0.0.1:{server}", max_bytes=BIG) as client:
        assert len(client.fetch_bytes(f"http://127.0.0.1:{server}/big-unsized").content) == BIG


@pytest.mark.parametrize("path", ["/slow?1.5", "/drip?0.05"])
def test_fetch_times_out_when_server_is_slow(server: int, path: str) -> None:
    with (
        fetcher(f"http://127.0.0.1:{server}", timeout=0.5) as client,
        pytest.raises(RemoteUnreachableError),
    ):
        client.fetch_bytes(f"http://127.0.0.1:{server}{path}")


def test_fetch_raises_bad_status_for_missing_document(server: int) -> None:
    with (
        fetcher(f"http://127.0.0.1:{server}") as client,
        pytest.raises(RemoteBadStatusError) as caught,
    ):
        client.fetch_bytes(f"http://127.0.0.1:{server}/missing")
    assert caught.value.upstream_status == 404


@pytest.mark.parametrize(
    ("cache_control", "honour", "requests"),
    [("max-age=60", True, 1), ("no-store", True, 3), ("no-store", False, 1), ("", True, 1)],
)
def test_fetch_caches_per_cache_control(
    server: int, hits: Counter[str], cache_control: str, honour: bool, requests: int
) -> None:
    url = f"http://127.0.0.1:{server}/cached?{cache_control}"
    with fetcher(f"http://127.0.0.1:{server}") as client:
        for _ in range(3):
            client.fetch_json(url, honour_cache_control=honour)
    assert hits["/cached"] == requests


@pytest.fixture(scope="module")
def other_server() -> Iterator[int]:
    """A second real server on another port of the same host (a local service)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answer(client: RemoteFetcher, url: str) -> tuple[type, str, int, str]:
    with pytest.raises(RemoteError) as caught:
        client.fetch_bytes(url)
    return type(caught.value), caught.value.code, caught.value.status, caught.value.detail


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_other_ports_of_the_trusted_host_answer_like_a_closed_port(
    server: int, other_server: int, hits: Counter[str], scheme: str
) -> None:
    with fetcher(f"http://127.0.0.1:{server}", timeout=0.5) as client:
        open_answer = answer(client, f"{scheme}://127.0.0.1:{other_server}/doc")
        closed_answer = answer(client, f"{scheme}://127.0.0.1:{closed_port()}/doc")
    assert open_answer == closed_answer
    assert hits == Counter()  # the other service was never contacted


def test_refused_connection_timeout_and_refused_address_read_the_same(
    server: int, hits: Counter[str]
) -> None:
    refused = closed_port()
    with fetcher(f"http://127.0.0.1:{server}", f"http://127.0.0.1:{refused}", timeout=0.5) as c:
        answers = {
            answer(c, f"http://127.0.0.1:{refused}/doc"),  # connection refused
            answer(c, f"http://127.0.0.1:{server}/slow?1.5"),  # timeout
            answer(c, f"https://127.0.0.1:{server}/doc"),  # refused address (not trusted)
            answer(c, "https://no-such-host.invalid/doc"),  # no DNS answer
        }
    assert answers == {(RemoteUnreachableError, "remote_unreachable", 502, UNREACHABLE)}


def test_redirect_from_the_trusted_origin_to_another_local_port_is_refused(
    server: int, other_server: int, hits: Counter[str]
) -> None:
    url = f"http://127.0.0.1:{server}/redirect?http://127.0.0.1:{other_server}/doc"
    with fetcher(f"http://127.0.0.1:{server}") as client, pytest.raises(RemoteUrlRefusedError):
        client.fetch_bytes(url)
    assert hits == Counter({"/redirect": 1})
