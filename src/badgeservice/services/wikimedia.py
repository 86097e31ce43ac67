"""Sign in with Wikimedia: OAuth 2.0 authorization code with PKCE (S256) against a MediaWiki's
OAuth extension (``{rest}/oauth2/authorize``, ``/oauth2/access_token``,
``/oauth2/resource/profile``). There is no OpenID ``id_token``: who signed in is the profile's
``sub``, the central user id, stable across renames.

The protocol pieces are authlib's (the authorize URL, the S256 challenge, the token request
body); the two requests go through ``remote.ProviderClient`` (time and size caps, no redirects,
our User-Agent as Wikimedia's policy asks). Errors::

    ServiceError
    ├── SignInRefusedError (400 sign_in_refused)      the provider refused or the code is spent
    └── SignInUnavailableError (502 sign_in_unavailable)  the provider is down, answered 5xx
                                                          or with a profile we cannot use

See: https://www.mediawiki.org/wiki/Extension:OAuth#OAuth_2
See: https://www.rfc-editor.org/rfc/rfc7636 (PKCE)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import authlib
import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from badgeservice import __version__
from badgeservice.domain.recipient import RecipientError, normalize_email, normalize_username
from badgeservice.errors import ServiceError
from badgeservice.remote import ProviderClient, RemoteBadStatusError, RemoteError
from badgeservice.settings import Settings

CALLBACK_PATH = "/auth/wikimedia/callback"
PRIVATE_SCOPE = "mwoauth-authonlyprivate"


class SignInRefusedError(ServiceError):
    status, code, title = 400, "sign_in_refused", "The sign-in was refused or has expired"


class SignInUnavailableError(ServiceError):
    status, code, title = 502, "sign_in_unavailable", "The sign-in provider could not be used"


@dataclass(frozen=True)
class WikimediaProfile:
    """Who signed in: ``sub`` (the central user id), the normalised ``username``, and the
    confirmed ``email`` when the scope gave one."""

    sub: str
    username: str
    email: str | None = None

    def __repr__(self) -> str:  # no username or address in logs and tracebacks
        return f"WikimediaProfile(sub={self.sub!r})"


def configured(settings: Settings) -> bool:
    return bool(settings.wikimedia_client_id)


def user_agent(settings: Settings) -> str:
    """``badgeservice/VERSION (contact) authlib/… httpx/…``: a client name, its version and a
    way to reach the operator, as Wikimedia's User-Agent policy asks.

    See: https://foundation.wikimedia.org/wiki/Policy:Wikimedia_Foundation_User-Agent_Policy
    """
    contact = settings.contact or settings.base_url
    libraries = f"authlib/{authlib.__version__} httpx/{httpx.__version__}"
    return f"badgeservice/{__version__} ({contact}) {libraries}"


def new_verifier() -> str:
    """A PKCE ``code_verifier``: 64 characters of the unreserved set (RFC 7636 §4.1)."""
    return str(generate_token(64))


def redirect_uri(settings: Settings) -> str:
    return settings.base_url + CALLBACK_PATH


def authorize_url(settings: Settings, state: str, verifier: str) -> str:
    """Where the browser signs in at the wiki; it comes back to ``redirect_uri``."""
    url: str = prepare_grant_uri(
        f"{settings.wikimedia_oauth_url}/oauth2/authorize",
        client_id=settings.wikimedia_client_id,
        response_type="code",
        redirect_uri=redirect_uri(settings),
        scope=settings.wikimedia_scope,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    return url


def fetch_profile(
    settings: Settings, client: ProviderClient, code: str, verifier: str
) -> WikimediaProfile:
    """Trades the code (with the verifier) for an access token and reads the profile."""
    token = _access_token(settings, client, code, verifier)
    try:
        status, profile = client.get_json(
            f"{settings.wikimedia_oauth_url}/oauth2/resource/profile", bearer=token
        )
    except RemoteError as exc:
        raise SignInUnavailableError("The profile could not be read.") from exc
    if status != 200:
        raise SignInUnavailableError(f"The profile endpoint answered {status}.")
    return profile_of(profile, private=settings.wikimedia_scope == PRIVATE_SCOPE)


def _access_token(settings: Settings, client: ProviderClient, code: str, verifier: str) -> str:
    body = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri(settings),
        client_id=settings.wikimedia_client_id,
        client_secret=settings.wikimedia_client_secret,
        code_verifier=verifier,
    )
    form = dict(httpx.QueryParams(body))
    try:
        status, answer = client.post_form(
            f"{settings.wikimedia_oauth_url}/oauth2/access_token", form
        )
    except RemoteBadStatusError as exc:
        raise SignInUnavailableError(f"The token endpoint answered {exc.upstream_status}.") from exc
    except RemoteError as exc:
        raise SignInUnavailableError("The token endpoint could not be reached.") from exc
    if status >= 500:
        raise SignInUnavailableError(f"The token endpoint answered {status}.")
    if status != 200 or "error" in answer:
        raise SignInRefusedError("The provider did not accept the sign-in code.")
    token = answer.get("access_token")
    if not isinstance(token, str) or not token or str(answer.get("token_type")).lower() != "bearer":
        raise SignInUnavailableError("The token endpoint gave no bearer token.")
    return token


def profile_of(profile: dict[str, Any], *, private: bool) -> WikimediaProfile:
    """The fields we use from a profile, checked: ``sub`` (a string or a number), a username
    MediaWiki could have given, and (only with the private scope) a confirmed email."""
    sub, username = profile.get("sub"), profile.get("username")
    if isinstance(sub, int) and not isinstance(sub, bool):
        sub = str(sub)
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 255:
        raise SignInUnavailableError("The profile has no account id (sub).")
    if not isinstance(username, str):
        raise SignInUnavailableError("The profile has no username.")
    try:
        name = normalize_username(username)
    except RecipientError as exc:
        raise SignInUnavailableError("The profile's username is not one MediaWiki gives.") from exc
    return WikimediaProfile(sub.strip(), name, _confirmed_email(profile) if private else None)


def _confirmed_email(profile: dict[str, Any]) -> str | None:
    email = profile.get("email")
    if profile.get("confirmed_email") is not True or not isinstance(email, str):
        return None
    try:
        return normalize_email(email)
    except RecipientError:
        return None
