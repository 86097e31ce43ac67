"""``domain/urls``: every builder reads back through ``parse_own_url``, nothing else does, and
every builder's path is served by the route meant to serve it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from badgeservice.app import create_app
from badgeservice.domain import urls
from badgeservice.domain.issuer import SLUG_PATTERN
from badgeservice.errors import NotFoundError
from badgeservice.http.middleware import refuse_bad_input
from badgeservice.settings import Settings
from badgeservice.vc import did_web_to_url
from tests.factories import TEST_SECRET_KEY

BASES = [
    "http://localhost:8000",
    "https://badges.example.org",
    "https://example.org/badges",  # a path prefix
    "http://badges.test:8080/a/b",
]
ID = uuid.UUID("0b9e7f5e-3c1a-4d2b-9a8f-1e2d3c4b5a69")

slugs = st.from_regex(SLUG_PATTERN, fullmatch=True)
bases = st.sampled_from(BASES)
Case = tuple[str, urls.OwnUrl]


def built(base: str, slug: str, found: uuid.UUID, suffix: urls.CredentialSuffix) -> list[Case]:
    """Every builder with its expected reading."""
    return [
        (urls.issuer_url(base, slug), urls.IssuerUrl(slug)),
        (urls.did_document_url(base, slug), urls.DidDocumentUrl(slug)),
        (urls.status_list_url(base, slug, found), urls.StatusListUrl(slug, found)),
        (urls.achievement_url(base, found), urls.AchievementUrl(found)),
        (urls.image_url(base, found), urls.ImageUrl(found)),
        (urls.credential_url(base, found, suffix), urls.CredentialUrl(found, suffix)),
        (urls.credential_url(base, found, suffix, lang="de-CH"), urls.CredentialUrl(found, suffix)),
        (urls.endorsement_url(base, found), urls.EndorsementUrl(found)),
        (urls.verify_page_url(base), urls.VerifyPageUrl()),
        (urls.batch_url(base, slug, found), urls.BatchUrl(slug, found)),
        (urls.console_url(base, slug), urls.ConsoleUrl(slug)),
        (urls.catalogue_page_url(base), urls.CataloguePageUrl()),
        (urls.catalogue_page_url(base, q=f"{slug} &#?", page=3), urls.CataloguePageUrl()),
        (urls.pack_page_url(base, slug, slug), urls.PackPageUrl(slug, slug)),
        (urls.my_packs_url(base), urls.MyPacksUrl()),
        (urls.learner_clr_url(base, slug), urls.LearnerClrUrl(slug)),
        (urls.learner_clr_url(base, slug, slug), urls.LearnerClrUrl(slug, slug)),
        (urls.my_pack_url(base, slug, slug), urls.MyPackUrl(slug, slug)),
        (urls.my_pack_url(base, slug, slug, ".json"), urls.MyPackUrl(slug, slug, ".json")),
        *[
            (urls.skills_map_page_url(base, s, suffix), urls.SkillsMapPageUrl(s, suffix))
            for s in (None, slug)
            for suffix in urls.SKILLS_MAP_SUFFIXES
        ],
    ]


@settings(max_examples=100, deadline=None)
@given(bases, slugs, st.uuids(), st.sampled_from(urls.CREDENTIAL_SUFFIXES))
def test_every_builder_reads_back(
    base: str, slug: str, found: uuid.UUID, suffix: urls.CredentialSuffix
) -> None:
    for url, expected in built(base, slug, found, suffix):
        assert urls.parse_own_url(base, url) == expected, url
        assert url.startswith(base + "/")


@settings(max_examples=100, deadline=None)
@given(bases, st.text(min_size=1))
def test_verify_page_url_encodes_any_credential_url(base: str, target: str) -> None:
    url = urls.verify_page_url(base, target)
    query = url.removeprefix(f"{base}/verify?url=")
    assert all(c not in query for c in "&#?/:= ")
    assert urls.parse_own_url(base, url) == urls.VerifyPageUrl(target)


@settings(max_examples=100, deadline=None)
@given(bases, slugs)
def test_issuer_did_resolves_to_its_did_document_url(base: str, slug: str) -> None:
    """did:web ↔ our URLs: the DID names the document we serve (did:web says https for any
    host but localhost, hence ``any_scheme``)."""
    document = did_web_to_url(urls.issuer_did(base, slug), allow_http_localhost=True)
    assert urls.parse_own_url(base, document, any_scheme=True) == urls.DidDocumentUrl(slug)


@pytest.mark.parametrize(
    ("base", "did"),
    [
        ("http://localhost:8000", "did:web:localhost%3A8000:issuers:wmde"),
        ("https://example.org/badges", "did:web:example.org:badges:issuers:wmde"),
    ],
)
def test_issuer_did_percent_encodes_the_port_and_keeps_the_prefix(base: str, did: str) -> None:
    assert urls.issuer_did(base, "wmde") == did


BASE = "https://example.org/badges"
CREDENTIAL = f"{BASE}/credentials/{ID}"


@pytest.mark.parametrize(
    "url",
    [
        # other origins
        f"https://example.com/badges/credentials/{ID}",
        f"http://example.org/badges/credentials/{ID}",
        f"https://example.org:8443/badges/credentials/{ID}",
        f"https://example.org@evil.example/badges/credentials/{ID}",
        f"https://evil@example.org/badges/credentials/{ID}",
        f"https://example.org:99999/badges/credentials/{ID}",
        f"ftp://example.org/badges/credentials/{ID}",
        f"//example.org/badges/credentials/{ID}",
        f"/badges/credentials/{ID}",
        "did:web:example.org:badges:issuers:wmde",
        # paths that merely start alike
        f"https://example.org/badgesx/credentials/{ID}",
        f"https://example.org/credentials/{ID}",
        f"{CREDENTIAL}x",
        f"{CREDENTIAL}.jsonx",
        f"{CREDENTIAL}.json.jwt",
        f"{CREDENTIAL}/",
        f"{CREDENTIAL}/share.png/x",
        f"{CREDENTIAL}/other.png",
        f"{BASE}/credentials/{str(ID)[:-1]}",
        f"{BASE}/credentials/{ID.hex}",
        f"{BASE}/credentials/{{{ID}}}",
        f"{BASE}/credentials/urn:uuid:{ID}",
        f"{BASE}/images/{ID}/x",
        f"{BASE}/issuers/wmde/did.jsonx",
        f"{BASE}/issuers/wmde/status",
        f"{BASE}/issuers/wmde/packs",
        f"{BASE}/issuers/wmde/packs/Basics",
        f"{BASE}/issuers/WMDE",
        f"{BASE}/issuers/-wmde",
        f"{BASE}/verify/x",
        f"{BASE}/catalogue/x",
        f"{BASE}/skills-map.xml",
        f"{BASE}/skills-map/x",
        f"{BASE}/skills-mapx",
        f"{BASE}/issuers/wmde/skills-map.csv.json",
        f"{BASE}/issuers/wmde/skills-map/",
        f"{BASE}/api/v1/issuers/wmde/batches",
        f"{BASE}/api/v2/issuers/wmde/batches/{ID}",
        f"{BASE}/",
        BASE,
        # dot segments
        f"{BASE}/../badges/credentials/{ID}",
        f"{BASE}/issuers/../credentials/{ID}",
        f"{BASE}/./credentials/{ID}",
        f"{BASE}//credentials/{ID}",
        # anything encoded
        f"{BASE}/issuers/wmde%2Fdid.json",
        f"{BASE}/credentials%2F{ID}",
        f"{BASE}/%2E%2E/credentials/{ID}",
        f"{BASE}/issuers/wm%64e",
        f"{BASE}\\credentials\\{ID}",
        f"{BASE}/credentials\\{ID}",
    ],
)
def test_parser_refuses_what_is_not_exactly_ours(url: str) -> None:
    assert urls.parse_own_url(BASE, url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"HTTPS://Example.ORG:443/badges/credentials/{ID}", urls.CredentialUrl(ID)),
        (f"{CREDENTIAL}?lang=de#top", urls.CredentialUrl(ID)),
        (f"{BASE}/credentials/{str(ID).upper()}.jwt", urls.CredentialUrl(ID, ".jwt")),
    ],
)
def test_parser_reads_the_same_url_written_otherwise(url: str, expected: urls.OwnUrl) -> None:
    assert urls.parse_own_url(BASE, url) == expected


def test_any_scheme_still_wants_our_host_and_port() -> None:
    base = "http://badges.test:8080"
    did_json = "/issuers/wmde/did.json"
    assert urls.parse_own_url(base, f"https://badges.test:8080{did_json}") is None
    read = urls.parse_own_url(base, f"https://badges.test:8080{did_json}", any_scheme=True)
    assert read == urls.DidDocumentUrl("wmde")
    assert urls.parse_own_url(base, f"https://badges.test{did_json}", any_scheme=True) is None
    default_port = urls.parse_own_url("http://badges.test", f"https://badges.test{did_json}")
    assert default_port is None
    assert urls.parse_own_url(
        "http://badges.test", f"https://badges.test{did_json}", any_scheme=True
    ) == urls.DidDocumentUrl("wmde")


def test_site_relative_links_and_the_origin() -> None:
    assert urls.credential_url(urls.SITE, ID, ".pdf", lang="de") == f"/credentials/{ID}.pdf?lang=de"
    assert urls.issuer_url(urls.SITE, "wmde") == "/issuers/wmde"
    assert urls.origin("https://example.org:8443/badges") == "https://example.org:8443"


# Every builder's path is served by the route meant for it --------------------------------

SERVED_BY: list[tuple[Callable[[str], str], str]] = [
    (lambda b: urls.issuer_url(b, "wmde"), "issuer_profile"),
    (lambda b: urls.did_document_url(b, "wmde"), "did_document"),
    (lambda b: urls.status_list_url(b, "wmde", ID), "status_list"),
    (lambda b: urls.achievement_url(b, ID), "achievement_document"),
    (lambda b: urls.image_url(b, ID), "image"),
    (lambda b: urls.credential_url(b, ID), "credential_document"),
    (lambda b: urls.credential_url(b, ID, ".json"), "credential_document"),
    (lambda b: urls.credential_url(b, ID, ".jwt"), "credential_document"),
    (lambda b: urls.credential_url(b, ID, ".png"), "baked_png"),
    (lambda b: urls.credential_url(b, ID, ".svg"), "baked_svg"),
    (lambda b: urls.credential_url(b, ID, ".pdf", lang="ar"), "certificate_pdf"),
    (lambda b: urls.credential_url(b, ID, "/share.png"), "share_png"),
    (lambda b: urls.credential_url(b, ID, "/qr.svg"), "qr_code"),
    (lambda b: urls.endorsement_url(b, ID), "endorsement_document"),
    (lambda b: urls.verify_page_url(b, "https://example.org/c?x=1"), "verify_form"),
    (lambda b: urls.batch_url(b, "wmde", ID), "get_batch"),
    (lambda b: urls.console_url(b, "wmde"), "dashboard"),
    (lambda b: urls.catalogue_page_url(b, q="édition", page=2), "catalogue_page"),
    (lambda b: urls.pack_page_url(b, "wmde", "basics"), "pack_page"),
    (lambda b: urls.skills_map_page_url(b), "deployment_map_page"),
    (lambda b: urls.my_packs_url(b), "my_packs_page"),
    (lambda b: urls.learner_clr_url(b, "wmde"), "download_clr"),
    (lambda b: urls.learner_clr_url(b, "wmde", "basics"), "download_pack_clr"),
    (lambda b: urls.my_pack_url(b, "wmde", "basics"), "my_pack_page"),
    (lambda b: urls.my_pack_url(b, "wmde", "basics", ".json"), "my_pack_json"),
    (lambda b: urls.skills_map_page_url(b, suffix=".csv"), "deployment_map_download"),
    (lambda b: urls.skills_map_page_url(b, suffix=".json"), "deployment_map_download"),
    (lambda b: urls.skills_map_page_url(b, "wmde"), "issuer_map_page"),
    (lambda b: urls.skills_map_page_url(b, "wmde", ".csv"), "issuer_map_download"),
    (lambda b: urls.skills_map_page_url(b, "wmde", ".json"), "issuer_map_download"),
]


@pytest.fixture(scope="module")
def reached(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str | None]:
    """``GET path`` → the name of the endpoint the app routes it to (``None``: no route).

    The app-wide first dependency is replaced by a probe that records the matched endpoint and
    stops the request there, so no endpoint runs and no database is needed."""
    folder: Path = tmp_path_factory.mktemp("urls")
    configured = Settings(
        environment="test",
        database_url=f"sqlite:///{folder / 'unused.db'}",
        keys_dir=folder / "keys",
        secret_key=TEST_SECRET_KEY,
        embedded_worker=False,
    )
    app = create_app(configured, configure_logs=False)
    names: list[str] = []

    def probe(request: Request) -> None:
        names.append(request.scope["endpoint"].__name__)
        raise NotFoundError("probed")

    app.dependency_overrides[refuse_bad_input] = probe
    client = TestClient(app)

    def endpoint(path: str) -> str | None:
        names.clear()
        client.get(path)
        return names[0] if names else None

    return endpoint


@pytest.mark.parametrize(("build", "endpoint"), SERVED_BY, ids=[e for _, e in SERVED_BY])
def test_every_builder_path_is_served_by_its_route(
    reached: Callable[[str], str | None], build: Callable[[str], str], endpoint: str
) -> None:
    assert reached(build(urls.SITE)) == endpoint


def test_the_probe_sees_unrouted_paths(reached: Callable[[str], str | None]) -> None:
    assert reached("/nowhere") is None


def test_every_kind_of_own_url_has_a_served_builder() -> None:
    kinds = {type(urls.parse_own_url("http://h", build("http://h"))) for build, _ in SERVED_BY}
    assert kinds == set(get_args(urls.OwnUrl))
