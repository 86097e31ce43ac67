"""``remote.ProviderClient`` at the network edge (httpx MockTransport) and how the Wikimedia
sign-in reads its answers."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable

import httpx
import pytest

from badgeservice.remote import (
    ProviderClient,
    RemoteBadStatusError,
    RemoteNotJsonError,
    RemoteTooLargeError,
    RemoteUnreachableError,
)
from badgeservice.services import wikimedia
from badgeservice.settings import Settings

URL = "https://wiki.example.org/w/rest.php/oauth2/access_token"
Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler, **kwargs: float) -> ProviderClient:
    return ProviderClient(
        user_agent="badgeservice/test", transport=httpx.MockTransport(handler), **kwargs
    )  # type: ignore[arg-type]


def test_a_form_is_posted_with_our_user_agent_and_json_comes_back() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    assert client(handler).post_form(URL, {"a": "1"}) == (200, {"ok": True})
    assert seen[0].method == "POST"
    assert seen[0].headers["user-agent"] == "badgeservice/test"
    assert seen[0].content == b"a=1"


def test_an_error_status_with_json_is_read_and_without_json_raises() -> None:
    oauth_error = client(lambda r: httpx.Response(400, json={"error": "invalid_grant"}))
    assert oauth_error.post_form(URL, {}) == (400, {"error": "invalid_grant"})
    with pytest.raises(RemoteBadStatusError):
        client(lambda r: httpx.Response(500, text="<h1>down</h1>")).post_form(URL, {})
    with pytest.raises(RemoteNotJsonError):
        client(lambda r: httpx.Response(200, text="[1, 2]")).post_form(URL, {})


def test_a_get_without_credentials_reads_any_json_value() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text='[{"participant_id": 1}]')

    answer = client(handler).get(URL, params={"include_private": "false"})
    assert answer == (200, [{"participant_id": 1}])
    assert seen[0].url.params["include_private"] == "false"
    assert "authorization" not in seen[0].headers
    assert seen[0].headers["user-agent"] == "badgeservice/test"


def test_a_get_of_something_not_json_raises() -> None:
    with pytest.raises(RemoteNotJsonError):
        client(lambda r: httpx.Response(200, text="<html>")).get(URL)
    with pytest.raises(RemoteBadStatusError) as raised:
        client(lambda r: httpx.Response(404, text="<html>")).get(URL)
    assert raised.value.upstream_status == 404


def test_redirects_are_not_followed() -> None:
    moved = client(lambda r: httpx.Response(302, headers={"Location": "https://elsewhere/"}))
    with pytest.raises(RemoteBadStatusError):
        moved.get_json(URL, bearer="t")


def test_a_large_answer_is_cut_off() -> None:
    big = json.dumps({"x": "a" * 70_000})
    with pytest.raises(RemoteTooLargeError):
        client(lambda r: httpx.Response(200, text=big)).get_json(URL, bearer="t")


def test_every_failure_to_connect_is_one_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    for handler in (refuse, slow):
        with pytest.raises(RemoteUnreachableError) as raised:
            client(handler).post_form(URL, {})
        assert raised.value.detail == "the sign-in provider could not be reached"


SETTINGS = Settings(
    wikimedia_client_id="abc", wikimedia_oauth_url="https://wiki.example.org/w/rest.php"
)


@pytest.mark.parametrize(
    ("token", "error"),
    [
        (httpx.Response(400, json={"error": "invalid_grant"}), wikimedia.SignInRefusedError),
        (httpx.Response(401, json={"error": "invalid_client"}), wikimedia.SignInRefusedError),
        (httpx.Response(503, text="maintenance"), wikimedia.SignInUnavailableError),
        (
            httpx.Response(200, json={"token_type": "MAC", "access_token": "x"}),
            wikimedia.SignInUnavailableError,
        ),
        (httpx.Response(200, json={"token_type": "Bearer"}), wikimedia.SignInUnavailableError),
    ],
)
def test_token_answers_we_cannot_use(token: httpx.Response, error: type[Exception]) -> None:
    with pytest.raises(error):
        wikimedia.fetch_profile(SETTINGS, client(lambda r: token), "code", "v" * 64)


def test_the_token_request_carries_the_verifier_and_the_profile_the_bearer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("access_token"):
            return httpx.Response(200, json={"token_type": "Bearer", "access_token": "tok"})
        return httpx.Response(200, json={"sub": "7", "username": "Ada"})

    profile = wikimedia.fetch_profile(SETTINGS, client(handler), "the-code", "v" * 64)
    assert (profile.sub, profile.username) == ("7", "Ada")
    form = dict(httpx.QueryParams(seen[0].content.decode()))
    assert form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://localhost:8000/auth/wikimedia/callback",
        "client_id": "abc",
        "code_verifier": "v" * 64,
    }
    assert seen[1].headers["authorization"] == "Bearer tok"


def test_a_kept_alive_connection_closed_unanswered_is_tried_once_more_on_a_new_one() -> None:
    """A real socket server answers the first request and keeps the connection, then closes it
    on the second without answering (its idle timeout crossing our request); the client sends
    that request again on a new connection and gets the answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    seen: list[bytes] = []
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
        b"Connection: keep-alive\r\n\r\n" + b'{"ok":true}'
    )

    def serve() -> None:
        first, _ = listener.accept()
        seen.append(read_request(first))
        first.sendall(answer)
        seen.append(read_request(first))
        first.close()  # the second request on it is never answered
        second, _ = listener.accept()
        seen.append(read_request(second))
        second.sendall(answer)
        second.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    provider = ProviderClient(user_agent="badgeservice/test", timeout=5)
    url = f"http://127.0.0.1:{port}/token"
    try:
        assert provider.post_form(url, {"code": "1"}) == (200, {"ok": True})
        assert provider.post_form(url, {"code": "2"}) == (200, {"ok": True})
    finally:
        provider.close()
        thread.join(timeout=5)
        listener.close()
    assert [request.endswith(b"code=2") for request in seen] == [False, True, True]


def read_request(connection: socket.socket) -> bytes:
    """One HTTP/1.1 request with a ``Content-Length`` body, read whole."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body
