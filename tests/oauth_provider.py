"""A local stand-in for a MediaWiki's OAuth 2.0 provider (the OAuth extension's REST routes),
run by uvicorn in a thread on a free localhost port. It speaks the documented shapes
(WIKIMEDIA.md): ``/w/rest.php/oauth2/authorize`` (client id, registered redirect URI, S256
challenge; "signs in" ``provider.user`` at once and redirects back with ``code`` and ``state``),
``/oauth2/access_token`` (form POST; the code works once and only with the verifier of its
challenge; bearer JSON) and ``/oauth2/resource/profile`` (bearer → the profile JSON).

Use it::

    provider.user = {"sub": "123", "username": "Ada Lovelace"}
    response = sign_in_with_wikimedia(client, provider)   # the TestClient, after the callback

Knobs for bad cases: ``deny`` (the wiki answers ``error=access_denied``), ``token_status`` /
``profile_status`` (answer that status with an HTML body, e.g. 500), ``profile_override`` (the
profile JSON as given, e.g. without ``sub``). ``requests`` records each request's path and
User-Agent.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.server import serving_in_thread

CLIENT_ID = "badgeservice-test-client"
REST_PATH = "/w/rest.php"
SCOPES = {"mwoauth-authonly", "mwoauth-authonlyprivate"}


@dataclass
class Grant:
    challenge: str
    redirect_uri: str
    scope: str
    user: dict[str, Any]


@dataclass
class OAuthProvider:
    """The provider's state; ``url`` is set once it listens."""

    redirect_uri: str
    client_id: str = CLIENT_ID
    client_secret: str | None = None
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "123", "username": "Ada"})
    deny: bool = False
    token_status: int | None = None
    profile_status: int | None = None
    profile_override: dict[str, Any] | None = None
    url: str = ""
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    @property
    def rest_url(self) -> str:
        return self.url + REST_PATH

    def reset(self) -> None:
        self.user = {"sub": "123", "username": "Ada"}
        self.client_secret = None
        self.deny, self.token_status, self.profile_status = False, None, None
        self.profile_override = None
        self.codes.clear()
        self.tokens.clear()
        self.requests.clear()

    def profile(self, grant: Grant) -> dict[str, Any]:
        """The profile as UserStatementProvider shapes it (realname and email only with the
        private scope, the email only when confirmed)."""
        user = grant.user
        profile = {
            "sub": str(user["sub"]),
            "username": user["username"],
            "editcount": user.get("editcount", 42),
            "confirmed_email": bool(user.get("email")),
            "blocked": False,
            "registered": "20200101000000",
            "groups": ["*", "user", "autoconfirmed"],
            "rights": ["read", "edit"],
            "grants": ["mwoauth-authonly"],
        }
        if grant.scope == "mwoauth-authonlyprivate":
            profile["realname"] = user.get("realname", "")
            if user.get("email"):
                profile["email"] = user["email"]
        return profile

    # --- the three endpoints ----------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        self._record(request)
        query = request.query_params
        problems = [
            query.get("response_type") != "code" and "response_type",
            query.get("client_id") != self.client_id and "client_id",
            query.get("redirect_uri") != self.redirect_uri and "redirect_uri",
            query.get("code_challenge_method") != "S256" and "code_challenge_method",
            len(query.get("code_challenge", "")) != 43 and "code_challenge",
            query.get("scope") not in SCOPES and "scope",
            not query.get("state") and "state",
        ]
        wrong = [p for p in problems if p]
        if wrong:
            return JSONResponse({"error": "invalid_request", "wrong": wrong}, status_code=400)
        state = query["state"]
        if self.deny:
            answer = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(24)
            grant = Grant(query["code_challenge"], query["redirect_uri"], query["scope"], self.user)
            self.codes[code] = grant
            answer = {"code": code, "state": state}
        return RedirectResponse(f"{self.redirect_uri}?{urlencode(answer)}", status_code=302)

    async def access_token(self, request: Request) -> Response:
        self._record(request)
        if self.token_status is not None:
            return HTMLResponse("<h1>Internal error</h1>", status_code=self.token_status)
        form = await request.form()
        grant = self.codes.pop(str(form.get("code", "")), None)  # a code works once
        refused = (
            request.method != "POST"
            or form.get("grant_type") != "authorization_code"
            or grant is None
            or form.get("client_id") != self.client_id
            or form.get("redirect_uri") != grant.redirect_uri
            or (self.client_secret is not None and form.get("client_secret") != self.client_secret)
            or s256(str(form.get("code_verifier", ""))) != grant.challenge
        )
        if refused or grant is None:
            body = {"error": "invalid_grant", "error_description": "refused", "message": "no"}
            return JSONResponse(body, status_code=400)
        token = secrets.token_urlsafe(32)
        self.tokens[token] = grant
        body = {
            "token_type": "Bearer",
            "expires_in": 3600,
            "access_token": token,
            "refresh_token": secrets.token_urlsafe(32),
        }
        return JSONResponse(body)

    def resource_profile(self, request: Request) -> Response:
        self._record(request)
        if self.profile_status is not None:
            return HTMLResponse("<h1>Internal error</h1>", status_code=self.profile_status)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = self.tokens.get(token) if scheme.lower() == "bearer" else None
        if grant is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if self.profile_override is not None:
            return JSONResponse(self.profile_override)
        return JSONResponse(self.profile(grant))

    def _record(self, request: Request) -> None:
        self.requests.append((request.url.path, request.headers.get("user-agent", "")))

    def app(self) -> Starlette:
        base = REST_PATH + "/oauth2"
        return Starlette(
            routes=[
                Route(f"{base}/authorize", self.authorize),
                Route(f"{base}/access_token", self.access_token, methods=["POST", "GET"]),
                Route(f"{base}/resource/profile", self.resource_profile),
            ]
        )


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier (RFC 7636 §4.2), computed independently here."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@contextmanager
def running_provider(redirect_uri: str, host: str = "127.0.0.1") -> Iterator[OAuthProvider]:
    """The provider listening on a free port of ``host`` until the block ends."""
    provider = OAuthProvider(redirect_uri=redirect_uri)
    with serving_in_thread(provider.app(), host) as url:
        provider.url = url
        yield provider


def path_of(url: str) -> str:
    """The path and query of a URL (for the TestClient, which serves every host)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_with_wikimedia(client: Any, provider: OAuthProvider, next_path: str = "") -> Any:
    """The whole flow through a TestClient: login → the provider's authorize (real HTTP) →
    the callback; returns the callback's response (303 and the session cookie when it worked)."""
    query = f"?next={next_path}" if next_path else ""
    login = client.get("/auth/wikimedia/login" + query, follow_redirects=False)
    assert login.status_code == 302, login.text
    authorized = httpx.get(login.headers["location"], follow_redirects=False)
    assert authorized.status_code == 302, authorized.text
    return client.get(path_of(authorized.headers["location"]), follow_redirects=False)
