"""The public pages: credential, issuer, achievement and /verify, in six languages.

Language choice (``?lang=`` → cookie → ``Accept-Language`` → English), ``<html lang dir>``,
sharing tags, the LinkedIn link, the live state of a credential, page weight, and the
catalogues themselves (every message translated, placeholders kept).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.web import i18n
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"
BASE = "http://localhost:8000"
LOCALES = Path(i18n.__file__).parent / "locales"
PAGE_BUDGET = 60 * 1024
VERIFIED = {
    "en": "This credential is verified.",
    "ja": "このクレデンシャルは検証されました。",
    "es": "Esta credencial está verificada.",
    "fr": "Cette attestation est vérifiée.",
    "de": "Dieser Nachweis ist verifiziert.",
    "ar": "تم التحقق من هذه الشهادة.",
}


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.html: dict[str, str | None] = {}
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str | None]] = []
        self.anchors: list[dict[str, str | None]] = []
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html = found
        elif tag == "meta" and (found.get("property") or found.get("name")):
            self.meta[str(found.get("property") or found.get("name"))] = found.get("content") or ""
        elif tag == "link":
            self.links.append(found)
        elif tag == "a":
            self.anchors.append(found)
        elif tag in {"input", "textarea"} and found.get("id"):
            self.inputs[str(found["id"])] = found

    def href(self, pattern: str) -> str:
        matches = [
            a["href"] for a in self.anchors if a.get("href") and re.search(pattern, a["href"])
        ]
        assert len(matches) >= 1, pattern
        return str(matches[0])


class Issuer:
    """An issuer with the shared test achievement; issues through the API."""

    def __init__(self, client: TestClient, session: Session) -> None:
        self.client = client
        self.headers = bearer(create_token(session, create_issuer(session)))
        response = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=self.headers)
        assert response.status_code == 201, response.text
        self.achievement = response.json()

    def issue(self, **body: Any) -> dict[str, Any]:
        payload = {
            "achievementId": self.achievement["id"],
            "recipient": {"email": "ada@example.org", "name": "Ada Lovelace"},
        } | body
        response = self.client.post(f"{API}/credentials", json=payload, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def act(self, credential_id: str, action: str) -> None:
        path = f"{API}/credentials/{credential_id}/{action}"
        self.client.post(path, headers=self.headers).raise_for_status()


@pytest.fixture
def issuer(client: TestClient, session: Session) -> Issuer:
    return Issuer(client, session)


def page(client: TestClient, path: str, **headers: str) -> Page:
    response = client.get(path, headers={"Accept": "text/html", **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


# --- language negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "cookie", "accept_language", "expected"),
    [
        ("", None, None, "en"),
        ("?lang=ja", "de", "fr", "ja"),
        ("", "de", "fr", "de"),
        ("", None, "fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("", None, "en;q=0.2, es;q=0.8", "es"),
        ("?lang=xx", None, "ar", "ar"),
        ("?lang=pt-BR", "ja", "de", "ja"),
        ("", "klingon", "pt-BR, de-CH;q=0.7", "de"),
        ("", None, "pt, zh;q=0.9, *;q=0.1", "en"),
        ("", None, "ja;q=0, es", "es"),
        ("", None, "fr;q=abc, de", "de"),
        ("?lang=ES", None, None, "es"),
    ],
)
def test_language_is_chosen_by_query_then_cookie_then_accept_language(
    client: TestClient, query: str, cookie: str | None, accept_language: str | None, expected: str
) -> None:
    headers = {"Cookie": f"lang={cookie}"} if cookie else {}
    if accept_language:
        headers["Accept-Language"] = accept_language
    response = client.get(f"/verify{query}", headers=headers)
    assert response.status_code == 200
    assert Page(response.text).html["lang"] == expected
    assert response.headers["content-language"] == expected
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response.headers["vary"].split(",")}


@pytest.mark.parametrize(
    ("language", "direction"),
    [("en", "ltr"), ("ja", "ltr"), ("es", "ltr"), ("fr", "ltr"), ("de", "ltr"), ("ar", "rtl")],
)
def test_html_carries_lang_and_dir(client: TestClient, language: str, direction: str) -> None:
    document = page(client, f"/verify?lang={language}")
    assert document.html == {"lang": language, "dir": direction}


def test_lang_query_sets_a_cookie_that_later_pages_use(client: TestClient) -> None:
    first = client.get("/verify?lang=ar")
    assert "lang=ar" in first.headers["set-cookie"]
    assert "private" in first.headers.get("cache-control", "private")
    assert Page(client.get("/verify").text).html["lang"] == "ar"  # the client kept the cookie
    assert "set-cookie" not in client.get("/verify?lang=ar").headers


def test_language_switcher_links_every_language_keeping_the_query(client: TestClient) -> None:
    document = page(client, "/verify?url=https%3A%2F%2Fexample.org%2Fc.json&lang=fr")
    switcher = {a["hreflang"]: a for a in document.anchors if a.get("hreflang")}
    assert set(switcher) == set(i18n.LANGUAGES)
    assert switcher["fr"].get("aria-current") == "true"
    query = parse_qs(urlsplit(str(switcher["ja"]["href"])).query)
    assert query == {"url": ["https://example.org/c.json"], "lang": ["ja"]}


# --- the credential page ---------------------------------------------------------------------


def test_credential_page_shows_the_credential(issuer: Issuer) -> None:
    issued = issuer.issue(
        narrative="Made 12 edits during the workshop.",
        evidence=[{"id": "https://de.wikipedia.org/wiki/Spezial:Diff/1", "name": "An edit"}],
        validUntil="2031-05-31T00:00:00Z",
    )
    path = f"/credentials/{issued['id']}"
    text = issuer.client.get(path, headers={"Accept-Language": "en"}).text
    for expected in [
        ACHIEVEMENT["name"]["en"],
        ACHIEVEMENT["description"]["en"],
        ACHIEVEMENT["criteria"]["narrative"]["en"],
        "Ada Lovelace",
        "Wikimedia Deutschland",
        'href="/issuers/wmde"',
        "edit wikis",
        "ESCO S1.2",
        "An edit",
        "Made 12 edits during the workshop.",
        "May 31, 2031",
        "Valid.",
        f'href="{path}.pdf?lang=en"',
        f'href="{path}.png"',
        f'href="{path}.svg"',
        f'href="{path}.json"',
        f'src="{path}/qr.svg"',
    ]:
        assert expected in text, expected
    assert "ada@example.org" not in text
    document = Page(text)
    assert document.inputs["link"]["value"] == issued["url"]
    assert "readonly" in document.inputs["link"]
    verify = document.href(r"^/verify\?url=")
    assert parse_qs(urlsplit(verify).query) == {"url": [issued["url"] + ".json"]}


def test_verify_link_prefills_the_form(issuer: Issuer) -> None:
    issued = issuer.issue()
    verify = page(issuer.client, f"/credentials/{issued['id']}").href(r"^/verify\?url=")
    form = page(issuer.client, verify)
    assert form.inputs["url"]["value"] == issued["url"] + ".json"


def test_verify_url_parameter_is_escaped(client: TestClient) -> None:
    response = client.get('/verify?url=https://x.org/"><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in response.text
    assert Page(response.text).inputs["url"]["value"] == 'https://x.org/"><script>alert(1)</script>'


def test_credential_page_has_sharing_tags(issuer: Issuer) -> None:
    issued = issuer.issue()
    document = page(issuer.client, f"/credentials/{issued['id']}")
    url = issued["url"]
    assert url.startswith(BASE)
    assert document.meta["og:title"] == ACHIEVEMENT["name"]["en"]
    assert document.meta["og:description"] == ACHIEVEMENT["description"]["en"]
    assert document.meta["og:url"] == url
    assert document.meta["og:image"] == f"{url}/share.png"
    assert (document.meta["og:image:width"], document.meta["og:image:height"]) == ("1200", "630")
    assert document.meta["twitter:card"] == "summary_large_image"
    assert document.meta["twitter:image"] == f"{url}/share.png"
    assert document.meta["twitter:title"] == ACHIEVEMENT["name"]["en"]
    alternates = [link for link in document.links if link.get("rel") == "alternate"]
    assert alternates == [
        {"rel": "alternate", "type": "application/ld+json", "href": f"{url}.json"}
    ]


@pytest.mark.parametrize("valid_until", [None, "2030-08-01T00:00:00Z"])
def test_credential_page_links_to_linkedin(issuer: Issuer, valid_until: str | None) -> None:
    extra = {"validUntil": valid_until} if valid_until else {}
    issued = issuer.issue(validFrom="2026-02-10T12:00:00Z", **extra)
    link = page(issuer.client, f"/credentials/{issued['id']}").href("linkedin")
    parts = urlsplit(link)
    fields = {key: values[0] for key, values in parse_qs(parts.query).items()}
    expiry = {"expirationYear": "2030", "expirationMonth": "8"} if valid_until else {}
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/profile/add")
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": ACHIEVEMENT["name"]["en"],
        "organizationName": "Wikimedia Deutschland",
        "issueYear": "2026",
        "issueMonth": "2",
        "certUrl": issued["url"],
        "certId": issued["id"],
        **expiry,
    }
    assert "urn:uuid" not in link


def past(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(
    ("state", "body", "action", "sentence"),
    [
        ("active", {}, None, "The issuer has not revoked or suspended this credential."),
        ("revoked", {}, "revoke", "The issuer has revoked this credential."),
        ("suspended", {"suspendable": True}, "suspend", "The issuer has suspended this"),
        ("expired", {"validFrom": past(400), "validUntil": past(30)}, None, "expired on"),
        ("not_yet_valid", {"validFrom": past(-30)}, None, "This credential becomes valid on"),
    ],
)
def test_credential_page_shows_the_live_state(
    issuer: Issuer, state: str, body: dict[str, Any], action: str | None, sentence: str
) -> None:
    issued = issuer.issue(**body)
    path = f"/credentials/{issued['id']}"
    before = issuer.client.get(path)
    if action:
        issuer.act(issued["id"], action)
    response = issuer.client.get(path, headers={"If-None-Match": before.headers["etag"]})
    assert response.status_code == (304 if action is None else 200)
    text = issuer.client.get(path).text
    assert f'class="state state-{state}"' in text
    assert sentence in text
    assert ACHIEVEMENT["name"]["en"] in text  # the page never disappears
    assert ("linkedin.com" in text) is (state != "revoked")
    assert "immutable" not in response.headers.get("cache-control", "")


@pytest.mark.parametrize(
    ("language", "revoked", "expires"),
    [
        ("ja", "このクレデンシャルは発行者によって取り消されました。", "2031年5月31日"),
        ("ar", "ألغت الجهة المُصدِرة هذه الشهادة.", "مايو"),
        ("de", "Der Aussteller hat diesen Nachweis widerrufen.", "31. Mai 2031"),
    ],
)
def test_credential_page_is_translated(
    issuer: Issuer, language: str, revoked: str, expires: str
) -> None:
    issued = issuer.issue(validUntil="2031-05-31T00:00:00Z")
    issuer.act(issued["id"], "revoke")
    text = issuer.client.get(f"/credentials/{issued['id']}?lang={language}").text
    assert revoked in text
    assert expires in text
    assert f'<html lang="{language}"' in text
    assert f'<h1 lang="en" dir="auto">{ACHIEVEMENT["name"]["en"]}</h1>' in text


def test_credential_page_adds_the_issuers_translation_labelled_as_such(issuer: Issuer) -> None:
    issued = issuer.issue()  # signed in English
    german = issuer.client.get(f"/credentials/{issued['id']}?lang=de").text
    assert ACHIEVEMENT["name"]["en"] in german  # the signed text stays
    assert "Übersetzung des Ausstellers" in german
    assert ACHIEVEMENT["name"]["de"] in german
    assert "nicht Teil des signierten Nachweises" in german
    assert german.count(ACHIEVEMENT["criteria"]["narrative"]["en"]) == 1  # no German: not repeated
    japanese = issuer.client.get(f"/credentials/{issued['id']}?lang=ja").text
    assert "発行者による翻訳" not in japanese  # the achievement has no Japanese text
    signed_german = issuer.issue(language="de")
    page_de = issuer.client.get(f"/credentials/{signed_german['id']}?lang=de").text
    assert ACHIEVEMENT["name"]["de"] in page_de
    assert "Übersetzung des Ausstellers" not in page_de


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_credential_page_weighs_under_the_budget(issuer: Issuer, language: str) -> None:
    issued = issuer.issue(
        narrative="Made 12 edits during the workshop. " * 20,
        evidence=[
            {"id": f"https://de.wikipedia.org/wiki/Diff/{i}", "name": "An edit"} for i in range(10)
        ],
        validUntil="2031-05-31T00:00:00Z",
        suspendable=True,
    )
    response = issuer.client.get(f"/credentials/{issued['id']}?lang={language}")
    assert len(response.content) < PAGE_BUDGET
    assert "<script" not in response.text


def test_credential_page_links_the_jwt_when_issued_as_jwt(issuer: Issuer) -> None:
    issued = issuer.issue(format="jwt")
    text = issuer.client.get(f"/credentials/{issued['id']}").text
    assert f'href="/credentials/{issued["id"]}.jwt"' in text
    assert ACHIEVEMENT["name"]["en"] in text


def test_unknown_credential_is_a_404(client: TestClient) -> None:
    assert client.get("/credentials/00000000-0000-4000-8000-000000000000").status_code == 404


# --- issuer and achievement pages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Achievements"), ("ja", "実績"), ("ar", "الإنجازات"), ("fr", "Réalisations")],
)
def test_issuer_page_lists_achievements_never_earners(
    issuer: Issuer, language: str, heading: str
) -> None:
    issuer.issue()
    text = issuer.client.get(f"/issuers/wmde?lang={language}").text
    assert f"<h2>{heading}</h2>" in text
    assert f'href="/achievements/{issuer.achievement["id"]}"' in text
    assert "Ada Lovelace" not in text
    assert "/credentials/" not in text


@pytest.mark.parametrize(
    ("language", "name", "criteria"),
    [
        ("de", ACHIEVEMENT["name"]["de"], "Kriterien"),
        ("es", ACHIEVEMENT["name"]["en"], "Criterios"),
        ("ar", ACHIEVEMENT["name"]["en"], "المعايير"),
    ],
)
def test_achievement_page_is_in_the_readers_language(
    issuer: Issuer, language: str, name: str, criteria: str
) -> None:
    issuer.issue()
    path = f"/achievements/{issuer.achievement['id']}"
    text = issuer.client.get(path, headers={"Accept-Language": language}).text
    assert name in text
    assert f"<h2>{criteria}</h2>" in text
    assert "Ada Lovelace" not in text
    assert Page(text).html["lang"] == language


# --- /verify ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", sorted(VERIFIED))
def test_verify_checklist_is_translated(issuer: Issuer, language: str) -> None:
    issued = issuer.issue()
    response = issuer.client.post(
        "/verify",
        data={"credential": json.dumps(issued["credential"])},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 200
    assert VERIFIED[language] in response.text
    assert i18n.gettext(
        language, "Nobody has changed the credential since the issuer signed it."
    ) in (response.text.replace("&#39;", "'"))


def test_verify_form_keeps_an_explicit_language(client: TestClient) -> None:
    text = client.get("/verify?lang=ja").text
    assert '<form method="post" action="/verify?lang=ja"' in text


# --- the catalogues --------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_catalogue_template_has_every_message_of_the_pages() -> None:
    """``messages.pot`` is up to date (re-extract with the command in ``babel.cfg``)."""
    templates = "**/templates/**.html"
    found = extract_from_dir(
        str(LOCALES.parent),
        method_map=[(templates, "jinja2"), ("**.py", "python")],
        options_map={templates: {"extensions": "jinja2.ext.i18n"}},
        keywords={**DEFAULT_KEYWORDS, "N_": None},
    )
    with (LOCALES / "messages.pot").open("rb") as pot:
        template = {str(m.id) for m in read_po(pot) if m.id}
    assert {str(message) for _, _, message, _, _ in found} == template


MACRO_IMPORT = re.compile(r"{%-?\s*(?:from\s+\S+\s+import|import)\b(.*?)-?%}", re.S)


def test_every_macro_import_carries_the_pages_language() -> None:
    """A macro imported without ``with context`` translates into English whatever the page's
    language (its ``_()`` does not see the page's ``lang``)."""
    templates = (LOCALES.parent / "templates").rglob("*.html")
    found = [
        (path.name, match.group(0))
        for path in templates
        for match in MACRO_IMPORT.finditer(path.read_text())
        if "with context" not in match.group(1)
    ]
    assert found == []


@pytest.mark.parametrize("language", [code for code in i18n.LANGUAGES if code != "en"])
def test_catalogue_translates_every_message_keeping_placeholders(language: str) -> None:
    with (LOCALES / "messages.pot").open("rb") as pot:
        template = read_po(pot)
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    wanted = {str(m.id) for m in template if m.id}
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted - set(translated) == set()
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))  # a plural: every form, as the plural
        for form in forms:
            assert sorted(PLACEHOLDER.findall(form)) == expected, message.id


def test_credential_page_issued_on_is_the_issue_time_not_valid_from(issuer: Issuer) -> None:
    issued = issuer.issue(validFrom="2030-03-01T00:00:00Z")
    text = issuer.client.get(f"/credentials/{issued['id']}", headers={"Accept-Language": "en"}).text
    issued_on = re.search(r"<dt>Issued on</dt><dd><time datetime=\"([^\"]+)\">([^<]+)</time>", text)
    assert issued_on is not None
    assert not issued_on.group(1).startswith("2030")
    assert issued_on.group(2) == i18n.format_date(datetime.now(UTC), "en")
    assert '<dt>Valid from</dt><dd><time datetime="2030-03-01T00:00:00Z">March 1, 2030' in text
