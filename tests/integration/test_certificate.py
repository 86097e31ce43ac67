"""The printable certificate ``GET /credentials/{id}.pdf``: names in Latin, Japanese and Arabic
scripts come out of the PDF's text, A4 and US Letter pages, label languages, revoked marking.

Text is read back with pypdf. Its extraction keeps the glyphs' Unicode but not always their
logical order: for Arabic laid out right to left it gives the words in visual order (last word
first) when the main font is not the Arabic one, and a shaped glyph that stands for no single
character (a contextual form) comes out as a stray control or ASCII character inside the word.
So texts are compared after NFKC normalisation (presentation forms back to letters) with
control and space characters dropped, and a right-to-left phrase word by word, counting only
its Arabic letters.

What a PDF says does not depend on the database that stored the credential: the rendering
tests run once (``database_independent``); revocation, ETags and 404s run on both.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from badgeservice.render.certificate_labels import LABELS
from badgeservice.render.fonts import missing_fonts
from tests.conftest import require
from tests.factories import bearer, create_issuer, create_token, make_png

API = "/api/v1/issuers/wmde"
UNKNOWN_ID = "3f2b8c1e-5d4a-4b6f-9e7d-1a2b3c4d5e6f"  # a fixed id (test ids must not vary)

SCRIPTS: dict[str, dict[str, str]] = {
    "latin": {
        "lang": "en",
        "issuer": "Wikimedia Deutschland",
        "recipient": "Zoë Ångström-Núñez",
        "name": "Wikipedia editing basics",
        "description": "Completed the editing workshop.",
    },
    "japanese": {
        "lang": "ja",
        "issuer": "ウィキメディア日本",
        "recipient": "山田太郎",
        "name": "ウィキペディア編集入門",
        "description": "編集ワークショップを修了しました。",
    },
    "arabic": {
        "lang": "ar",
        "issuer": "ويكيميديا الشام",
        "recipient": "ليلى أحمد",
        "name": "أساسيات تحرير ويكيبيديا",
        "description": "أكمل ورشة التحرير.",
    },
}


@pytest.fixture(autouse=True)
def certificate_fonts() -> None:
    """The Noto fonts come with the dependencies; without them certificates cannot render."""
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")


class Certificates:
    """An issuer, one achievement in one script, and helpers to issue and download."""

    def __init__(self, client: TestClient, session: Session, script: str = "latin") -> None:
        self.client = client
        texts = SCRIPTS[script]
        self.texts = texts
        issuer = create_issuer(session, name=texts["issuer"])
        self.headers = bearer(create_token(session, issuer))
        lang = texts["lang"]
        definition = {
            "defaultLanguage": lang,
            "name": {lang: texts["name"]},
            "description": {lang: texts["description"]},
            "criteria": {"narrative": {lang: texts["description"]}},
        }
        response = client.post(f"{API}/achievements", json=definition, headers=self.headers)
        assert response.status_code == 201, response.text
        self.achievement = response.json()

    def issue(self, **body: Any) -> dict[str, Any]:
        payload = {"achievementId": self.achievement["id"], "recipient": {"email": "a@b.org"}}
        response = self.client.post(f"{API}/credentials", json=payload | body, headers=self.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def download(self, credential_id: str, **params: str) -> tuple[PdfReader, Any]:
        response = self.client.get(f"/credentials/{credential_id}.pdf", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        return PdfReader(io.BytesIO(response.content)), response


@pytest.fixture
def certificates(client: TestClient, session: Session) -> Certificates:
    return Certificates(client, session)


def plain(text: str) -> str:
    """NFKC, without control, format or space characters (see the module docstring)."""
    normalized = unicodedata.normalize("NFKC", text)
    return "".join(c for c in normalized if unicodedata.category(c)[0] not in "CZ")


def text_of(reader: PdfReader) -> str:
    return plain("".join(page.extract_text() for page in reader.pages))


def arabic_letters(text: str) -> str:
    return "".join(c for c in text if "\u0600" <= c <= "\u06ff")


def contains(text: str, phrase: str, *, rtl: bool) -> bool:
    """``phrase`` in the extracted ``text``; for right-to-left phrases every word, in any order,
    as Arabic letters only (see the module docstring)."""
    if not rtl:
        return plain(phrase) in text
    letters = arabic_letters(text)
    return all(arabic_letters(plain(word)) in letters for word in phrase.split())


@pytest.mark.database_independent
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_certificate_text_has_the_names(client: TestClient, session: Session, script: str) -> None:
    certificates = Certificates(client, session, script)
    texts = certificates.texts
    issued = certificates.issue(recipient={"email": "a@b.org", "name": texts["recipient"]})
    reader, _ = certificates.download(issued["id"], lang=texts["lang"])
    assert len(reader.pages) == 1
    text = text_of(reader)
    rtl = script == "arabic"
    for key in ("recipient", "name", "description", "issuer"):
        assert contains(text, texts[key], rtl=rtl), (key, text)
    assert contains(text, LABELS[texts["lang"]]["title"], rtl=rtl), text
    assert issued["id"] in text


@pytest.mark.database_independent
def test_certificate_links_to_the_public_page_and_verify(certificates: Certificates) -> None:
    issued = certificates.issue()
    reader, _ = certificates.download(issued["id"])
    links = [annotation.get_object()["/A"]["/URI"] for annotation in reader.pages[0]["/Annots"]]
    page_url = f"http://localhost:8000/credentials/{issued['id']}"
    assert page_url in links  # the QR code's and the printed URL's link
    # the credential URL is encoded as a query value (it was once pasted in raw)
    assert "http://localhost:8000/verify?url=" + quote(page_url, safe="") in links
    assert plain(page_url) in text_of(reader)


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("paper", "size"),
    [(None, (841.89, 595.28)), ("a4", (841.89, 595.28)), ("letter", (792.0, 612.0))],
)
def test_certificate_page_size(
    certificates: Certificates, paper: str | None, size: tuple[float, float]
) -> None:
    issued = certificates.issue()
    reader, response = certificates.download(issued["id"], **({"paper": paper} if paper else {}))
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.01)
    assert f"-{paper or 'a4'}.pdf" in response.headers["content-disposition"]


@pytest.mark.database_independent
def test_certificate_rejects_unknown_paper(certificates: Certificates) -> None:
    issued = certificates.issue()
    response = certificates.client.get(f"/credentials/{issued['id']}.pdf?paper=a3")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("query", "headers", "cookies", "title"),
    [
        ({"lang": "fr"}, {"Accept-Language": "de"}, {"lang": "es"}, "Certificat de réussite"),
        ({}, {"Accept-Language": "de"}, {"lang": "es"}, "Certificado de logro"),
        ({}, {"Accept-Language": "pt;q=1, de-CH;q=0.8, en;q=0.5"}, {}, "Leistungsnachweis"),
        ({"lang": "xx"}, {}, {}, "Certificate of achievement"),
    ],
)
def test_certificate_labels_follow_the_reader_language(
    certificates: Certificates,
    query: dict[str, str],
    headers: dict[str, str],
    cookies: dict[str, str],
    title: str,
) -> None:
    issued = certificates.issue()
    certificates.client.cookies.update(cookies)
    response = certificates.client.get(
        f"/credentials/{issued['id']}.pdf", params=query, headers=headers
    )
    certificates.client.cookies.clear()
    assert response.status_code == 200
    assert plain(title) in text_of(PdfReader(io.BytesIO(response.content)))


@pytest.mark.database_independent
def test_certificate_without_recipient_name_leaves_it_out(certificates: Certificates) -> None:
    issued = certificates.issue()
    reader, _ = certificates.download(issued["id"], lang="en")
    text = text_of(reader)
    assert plain(LABELS["en"]["certifies"]) not in text
    assert plain(SCRIPTS["latin"]["name"]) in text


def test_revoked_credential_certificate_says_revoked(certificates: Certificates) -> None:
    issued = certificates.issue(recipient={"email": "a@b.org", "name": "Ada"})
    _, before = certificates.download(issued["id"], lang="en")
    assert plain(LABELS["en"]["revoked"]) not in text_of(PdfReader(io.BytesIO(before.content)))
    revoke = certificates.client.post(
        f"{API}/credentials/{issued['id']}/revoke", json={}, headers=certificates.headers
    )
    assert revoke.status_code == 200, revoke.text
    reader, after = certificates.download(issued["id"], lang="en")
    text = text_of(reader)
    assert plain(LABELS["en"]["revoked"]) in text
    assert plain("This credential was revoked by its issuer on") in text
    assert plain("Ada") in text  # the certificate stays, marked
    assert after.headers["etag"] != before.headers["etag"]


@pytest.mark.database_independent
def test_certificate_shows_the_uploaded_badge_image(certificates: Certificates) -> None:
    path = f"{API}/achievements/{certificates.achievement['id']}/image"
    headers = certificates.headers | {"Content-Type": "image/png"}
    assert certificates.client.put(path, content=make_png(8, 8), headers=headers).is_success
    issued = certificates.issue()
    reader, _ = certificates.download(issued["id"])
    assert len(reader.pages[0].images) == 1


def test_certificate_answers_304_for_its_etag(certificates: Certificates) -> None:
    issued = certificates.issue()
    _, first = certificates.download(issued["id"])
    again = certificates.client.get(
        f"/credentials/{issued['id']}.pdf", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize("reference", [UNKNOWN_ID, "not-a-uuid"])
def test_certificate_of_unknown_credential_is_404(client: TestClient, reference: str) -> None:
    response = client.get(f"/credentials/{reference}.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"
