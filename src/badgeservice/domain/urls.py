"""Our public URLs: one builder per resource we serve, and one parser that reads such a URL
back into the resource it names.

Every function takes ``base_url`` (``settings.base_url``, no trailing slash; a path prefix such
as ``https://example.org/badges`` works); ``SITE`` (the empty base) gives the site-relative path
a page of ours links to. The paths are the ones the routes in ``api/`` and ``web/`` declare
(``tests/unit/test_urls.py`` checks that every builder's path is served by a route).

``parse_own_url`` is the only place that decides whether a URL is one of ours: same origin
(scheme, host, port; did:web documents in any scheme, see ``parse_own_url``), under the base
path, and then exactly one of the paths below, with nothing percent-encoded, no empty, ``.``
or ``..`` segment: a URL that could name something else on the way to our routes is not ours.
The query and fragment do not change which resource a URL names, except ``/verify?url=``.

did:web identifiers follow the generic rule of ``vc`` (``did_web_from_url``, the port as
``%3A``); an issuer's DID is the folder of its ``did.json``.
See: https://w3c-ccg.github.io/did-method-web/#create-register
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import SplitResult, parse_qs, quote, urlencode, urlsplit

from badgeservice.domain.issuer import is_valid_slug
from badgeservice.vc import did_web_from_url

SITE = ""
"""The base of links inside our own pages: ``credential_url(SITE, id)`` is ``/credentials/id``."""

API_PREFIX = "/api/v1"

CredentialSuffix = Literal["", ".json", ".jwt", ".png", ".svg", ".pdf", "/share.png", "/qr.svg"]
"""The bare URL (page or document by ``Accept``), its signed documents, the baked images, the
certificate, the sharing image and the QR code."""
CREDENTIAL_SUFFIXES: tuple[CredentialSuffix, ...] = get_args(CredentialSuffix)

SkillsMapSuffix = Literal["", ".csv", ".json"]
"""The skills map's page and its two downloads."""
SKILLS_MAP_SUFFIXES: tuple[SkillsMapSuffix, ...] = get_args(SkillsMapSuffix)
MyPackSuffix = Literal["", ".json"]
_SKILLS_MAP = "skills-map"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


# Builders ---------------------------------------------------------------------------------


def issuer_url(base_url: str, slug: str) -> str:
    """The issuer's Profile (JSON-LD or page)."""
    return f"{base_url}/issuers/{slug}"


def did_document_url(base_url: str, slug: str) -> str:
    return f"{issuer_url(base_url, slug)}/did.json"


def issuer_did(base_url: str, slug: str) -> str:
    """``did:web:{host}:issuers:{slug}`` (``%3A`` before a port): the DID whose document is at
    ``did_document_url``."""
    return did_web_from_url(base_url, f"issuers/{slug}")


def status_list_url(base_url: str, slug: str, list_id: uuid.UUID) -> str:
    """The issuer's signed BitstringStatusListCredential."""
    return f"{issuer_url(base_url, slug)}/status/{list_id}"


def achievement_url(base_url: str, achievement_id: uuid.UUID) -> str:
    return f"{base_url}/achievements/{achievement_id}"


def image_url(base_url: str, image_id: uuid.UUID) -> str:
    """An uploaded image (an achievement's or an issuer's)."""
    return f"{base_url}/images/{image_id}"


def credential_url(
    base_url: str,
    credential_id: uuid.UUID,
    suffix: CredentialSuffix = "",
    *,
    lang: str | None = None,
) -> str:
    """The credential (its id), or one of its forms; ``lang``: the language asked for."""
    query = f"?{urlencode({'lang': lang})}" if lang else ""
    return f"{base_url}/credentials/{credential_id}{suffix}{query}"


def endorsement_url(base_url: str, endorsement_id: uuid.UUID) -> str:
    return f"{base_url}/endorsements/{endorsement_id}"


def verify_page_url(base_url: str, url: str | None = None) -> str:
    """The verification page, pre-filled with the credential at ``url`` (encoded)."""
    query = f"?{urlencode({'url': url}, quote_via=quote, safe='')}" if url else ""
    return f"{base_url}/verify{query}"


def batch_url(base_url: str, slug: str, batch_id: uuid.UUID) -> str:
    """A batch of the API (its progress and rows)."""
    return f"{base_url}{API_PREFIX}/issuers/{slug}/batches/{batch_id}"


def console_url(base_url: str, slug: str) -> str:
    """The issuer console of an issuer (its sign-in page first, for a visitor)."""
    return f"{base_url}/console/{quote(slug, safe='')}"


def catalogue_page_url(base_url: str, *, q: str = "", page: int = 1) -> str:
    """The public page of the shared catalogue; ``q`` its search words, ``page`` from 1."""
    query = {k: v for k, v in (("q", q), ("page", page if page > 1 else "")) if v}
    return f"{base_url}/catalogue" + (f"?{urlencode(query)}" if query else "")


def pack_page_url(base_url: str, slug: str, pack_slug: str) -> str:
    """The public page of an issuer's learning pack."""
    return f"{base_url}/issuers/{quote(slug, safe='')}/packs/{quote(pack_slug, safe='')}"


def my_packs_url(base_url: str) -> str:
    """The signed-in learner's packs (the backpack's)."""
    return f"{base_url}/me/packs"


def my_pack_url(base_url: str, slug: str, pack_slug: str, suffix: MyPackSuffix = "") -> str:
    """The signed-in learner's progress through one pack: the page, or its ``.json``."""
    return f"{my_packs_url(base_url)}/{quote(slug, safe='')}/{quote(pack_slug, safe='')}{suffix}"


def learner_clr_url(base_url: str, slug: str, pack_slug: str | None = None) -> str:
    """The signed-in learner's CLR 2.0 download: of their credentials from one issuer, or of
    their path through one of its packs (``pack_slug``)."""
    issuer = quote(slug, safe="")
    if pack_slug is None:
        return f"{base_url}/me/clr/{issuer}.json"
    return f"{base_url}/me/clr/{issuer}/{quote(pack_slug, safe='')}.json"


def skills_map_page_url(
    base_url: str, slug: str | None = None, suffix: SkillsMapSuffix = ""
) -> str:
    """The public skills map of the deployment, or of one issuer (``slug``): the page, or its
    ``.csv``/``.json`` download."""
    folder = f"{base_url}/issuers/{quote(slug, safe='')}" if slug is not None else base_url
    return f"{folder}/{_SKILLS_MAP}{suffix}"


def origin(base_url: str) -> str:
    """``scheme://host[:port]`` of the base URL (a CSP source, a trusted origin)."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


# The parser -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuerUrl:
    slug: str


@dataclass(frozen=True)
class DidDocumentUrl:
    slug: str


@dataclass(frozen=True)
class StatusListUrl:
    slug: str
    list_id: uuid.UUID


@dataclass(frozen=True)
class AchievementUrl:
    achievement_id: uuid.UUID


@dataclass(frozen=True)
class ImageUrl:
    image_id: uuid.UUID


@dataclass(frozen=True)
class CredentialUrl:
    credential_id: uuid.UUID
    suffix: CredentialSuffix = ""


@dataclass(frozen=True)
class EndorsementUrl:
    endorsement_id: uuid.UUID


@dataclass(frozen=True)
class VerifyPageUrl:
    url: str | None = None


@dataclass(frozen=True)
class BatchUrl:
    slug: str
    batch_id: uuid.UUID


@dataclass(frozen=True)
class ConsoleUrl:
    slug: str


@dataclass(frozen=True)
class CataloguePageUrl:
    pass


@dataclass(frozen=True)
class PackPageUrl:
    slug: str
    pack_slug: str


@dataclass(frozen=True)
class MyPacksUrl:
    pass


@dataclass(frozen=True)
class MyPackUrl:
    slug: str
    pack_slug: str
    suffix: MyPackSuffix = ""


@dataclass(frozen=True)
class LearnerClrUrl:
    slug: str
    pack_slug: str | None = None


@dataclass(frozen=True)
class SkillsMapPageUrl:
    slug: str | None = None  # None: the deployment's map
    suffix: SkillsMapSuffix = ""


OwnUrl = (
    IssuerUrl
    | DidDocumentUrl
    | StatusListUrl
    | AchievementUrl
    | ImageUrl
    | CredentialUrl
    | EndorsementUrl
    | VerifyPageUrl
    | BatchUrl
    | ConsoleUrl
    | CataloguePageUrl
    | PackPageUrl
    | SkillsMapPageUrl
    | MyPacksUrl
    | MyPackUrl
    | LearnerClrUrl
)


def parse_own_url(base_url: str, url: str, *, any_scheme: bool = False) -> OwnUrl | None:
    """The resource of ours ``url`` names, or None when it is not one of ours.

    ``any_scheme``: a did:web names no scheme (its document URL says https, and http for
    localhost in development), so the URL of a DID document is ours in either scheme when
    host and port are ours.
    """
    try:
        base, target = urlsplit(base_url), urlsplit(url)
        if not _same_origin(base, target, any_scheme=any_scheme):
            return None
    except ValueError:  # an invalid port or host
        return None
    prefix = base.path.rstrip("/") + "/"
    if not target.path.startswith(prefix):
        return None
    segments = target.path.removeprefix(prefix).split("/")
    if any(s in ("", ".", "..") or "%" in s or "\\" in s for s in segments):
        return None
    return _resource(segments, target.query)


def _same_origin(base: SplitResult, target: SplitResult, *, any_scheme: bool) -> bool:
    ours, theirs = _origin(base), _origin(target)
    if ours is None or theirs is None:
        return False
    return ours[1:] == theirs[1:] if any_scheme else ours == theirs


def _origin(parts: SplitResult) -> tuple[str, str, int | None] | None:
    """``(scheme, host, port unless the scheme's default)``; None for anything but a plain
    http(s) URL (user info too: ``https://ours@elsewhere`` is elsewhere to some readers)."""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    port = parts.port
    return scheme, parts.hostname, None if port == _DEFAULT_PORTS[scheme] else port


def _resource(segments: list[str], query: str) -> OwnUrl | None:
    match segments:
        case ["issuers", slug, *rest] if is_valid_slug(slug):
            return _issuer_resource(slug, rest)
        case ["achievements", found] if (found_id := _uuid(found)) is not None:
            return AchievementUrl(found_id)
        case ["images", found] if (found_id := _uuid(found)) is not None:
            return ImageUrl(found_id)
        case ["endorsements", found] if (found_id := _uuid(found)) is not None:
            return EndorsementUrl(found_id)
        case ["credentials", *rest]:
            return _credential(rest)
        case ["verify"]:
            values = parse_qs(query).get("url")
            return VerifyPageUrl(values[0] if values else None)
        case ["console", slug] if is_valid_slug(slug):
            return ConsoleUrl(slug)
        case ["catalogue"]:
            return CataloguePageUrl()
        case [name] if (suffix := _skills_map_suffix(name)) is not None:
            return SkillsMapPageUrl(None, suffix)
        case ["me", "clr", *rest]:
            return _learner_clr(rest)
        case ["me", "packs"]:
            return MyPacksUrl()
        case ["me", "packs", slug, name] if is_valid_slug(slug):
            return _my_pack(slug, name)
        case ["api", "v1", "issuers", slug, "batches", found] if is_valid_slug(slug):
            found_id = _uuid(found)
            return None if found_id is None else BatchUrl(slug, found_id)
    return None


def _issuer_resource(slug: str, rest: list[str]) -> OwnUrl | None:
    match rest:
        case []:
            return IssuerUrl(slug)
        case ["did.json"]:
            return DidDocumentUrl(slug)
        case ["status", found] if (found_id := _uuid(found)) is not None:
            return StatusListUrl(slug, found_id)
        case ["packs", pack_slug] if is_valid_slug(pack_slug):
            return PackPageUrl(slug, pack_slug)
        case [name] if (suffix := _skills_map_suffix(name)) is not None:
            return SkillsMapPageUrl(slug, suffix)
    return None


def _learner_clr(rest: list[str]) -> LearnerClrUrl | None:
    *issuer, last = rest or [""]
    stem = last.removesuffix(".json") if last.endswith(".json") else None
    if stem is None or not is_valid_slug(stem) or len(issuer) > 1:
        return None
    if not issuer:
        return LearnerClrUrl(stem)
    return LearnerClrUrl(issuer[0], stem) if is_valid_slug(issuer[0]) else None


def _my_pack(slug: str, name: str) -> MyPackUrl | None:
    suffix: MyPackSuffix = ".json" if name.endswith(".json") else ""
    pack_slug = name.removesuffix(suffix) if suffix else name
    return MyPackUrl(slug, pack_slug, suffix) if is_valid_slug(pack_slug) else None


def _skills_map_suffix(name: str) -> SkillsMapSuffix | None:
    """``skills-map`` → ``""``, ``skills-map.csv`` → ``.csv``; anything else ``None``."""
    rest = name.removeprefix(_SKILLS_MAP) if name.startswith(_SKILLS_MAP) else None
    return next((s for s in SKILLS_MAP_SUFFIXES if s == rest), None)


def _credential(rest: list[str]) -> CredentialUrl | None:
    if len(rest) == 2:
        stem, suffix = rest[0], f"/{rest[1]}"
    elif len(rest) == 1:
        stem, dot, extension = rest[0].partition(".")
        suffix = f"{dot}{extension}"
    else:
        return None
    found_id = _uuid(stem)
    known = next((s for s in CREDENTIAL_SUFFIXES if s == suffix), None)
    return None if found_id is None or known is None else CredentialUrl(found_id, known)


def _uuid(text: str) -> uuid.UUID | None:
    return uuid.UUID(text) if _UUID.fullmatch(text) else None
