"""Downloads of a credential: baked PNG/SVG that unbake to the stored credential and verify,
the 1200x630 share image, the QR code, caching, 404s, and revoked credentials."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from typing import Any
from xml.etree import ElementTree

import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.vc.baking import unbake
from tests.factories import ACHIEVEMENT, SVG, bearer, create_issuer, create_token, make_png

API = "/api/v1/issuers/wmde"
BASE_URL = "http://localhost:8000"
SVG_TAG = "{http://www.w3.org/2000/svg}svg"
UPLOADED_PNG = make_png(8, 8)
IMAGES = ["png", "svg", "url", "none"]
MEDIA = {"png": "image/png", "svg": "image/svg+xml"}


class Issued:
    """An issuer, an achievement with one kind of image, and credentials of it."""

    def __init__(self, client: TestClient, session: Session, image: str) -> None:
        self.client, self.session = client, session
        self.headers = bearer(create_token(session, create_issuer(session)))
        definition = ACHIEVEMENT | (
            {"image": {"url": "https://example.org/badge.png"}} if image == "url" else {}
        )
        created = client.post(f"{API}/achievements", json=definition, headers=self.headers)
        self.achievement_id = created.json()["id"]
        if image in ("png", "svg"):
            self.upload(UPLOADED_PNG if image == "png" else SVG, MEDIA[image])

    def upload(self, content: bytes, media_type: str) -> None:
        response = self.client.put(
            f"{API}/achievements/{self.achievement_id}/image",
            content=content,
            headers=self.headers | {"Content-Type": media_type},
        )
        assert response.status_code == 200, response.text

    def issue(self, **body: Any) -> str:
        payload = {"achievementId": self.achievement_id, "recipient": {"email": "a@b.org"}}
        response = self.client.post(f"{API}/credentials", json=payload | body, headers=self.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def stored(self, credential_id: str) -> dict[str, Any] | str:
        """The credential as stored: the JWT of a jwt credential, else the signed JSON-LD."""
        self.session.expire_all()
        record = self.session.get(Credential, uuid.UUID(credential_id))
        assert record is not None
        return record.jwt or json.loads(record.document)

    def verify(self, **kwargs: Any) -> dict[str, Any]:
        response = self.client.post("/api/v1/verify", **kwargs)
        assert response.status_code == 200, response.text
        return dict(response.json())


def check_image(content: bytes, suffix: str) -> None:
    """A PNG Pillow decodes, or an SVG that parses with an ``<svg>`` root."""
    if suffix == "png":
        with Image.open(io.BytesIO(content)) as image:
            assert image.format == "PNG"
            image.load()
    else:
        assert ElementTree.fromstring(content).tag == SVG_TAG


def shows(content: bytes, suffix: str) -> str:
    """Which picture a baked download shows: the uploaded one, or the generated badge."""
    if suffix == "png":
        with Image.open(io.BytesIO(content)) as image, Image.open(io.BytesIO(UPLOADED_PNG)) as up:
            if image.tobytes() == up.convert(image.mode).tobytes():
                return "png"
            rgba = image.convert("RGBA")
            middle, corner = (
                rgba.getpixel((rgba.width // 2, rgba.height // 2)),
                rgba.getpixel((0, 0)),
            )
            drawn = middle == (0x33, 0x66, 0x99, 255) and corner[3] == 0  # SVG's disc, drawn
            return "svg" if drawn else "generated"
    text = content.decode()
    if "data:image/png;base64," in text:
        return "png"
    return "svg" if '<circle cx="5"' in text else "generated"


def expected_picture(image: str, suffix: str) -> str:
    if image == "png":
        return "png"  # the SVG form embeds the PNG
    return "svg" if image == "svg" else "generated"  # the PNG form draws the SVG


@pytest.mark.parametrize("suffix", ["png", "svg"])
@pytest.mark.parametrize("fmt", ["ldp", "jwt"])
@pytest.mark.parametrize("image", IMAGES)
def test_baked_download_unbakes_to_the_stored_credential_and_verifies(
    client: TestClient, session: Session, image: str, fmt: str, suffix: str
) -> None:
    issued = Issued(client, session, image)
    credential_id = issued.issue(format=fmt)
    response = client.get(f"/credentials/{credential_id}.{suffix}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA[suffix]
    check_image(response.content, suffix)
    assert shows(response.content, suffix) == expected_picture(image, suffix)
    unbaked = unbake(response.content)
    assert unbaked == issued.stored(credential_id)
    if fmt == "jwt":
        report = issued.verify(content=unbaked, headers={"Content-Type": "text/plain"})
    else:
        report = issued.verify(json=unbaked)
    assert report["verified"] is True, report
    baked = issued.verify(content=response.content, headers={"Content-Type": MEDIA[suffix]})
    assert (baked["verified"], baked["format"]) == (True, suffix), baked


@pytest.mark.parametrize("image", IMAGES)
def test_share_image_is_a_1200_by_630_png(client: TestClient, session: Session, image: str) -> None:
    credential_id = Issued(client, session, image).issue()
    response = client.get(f"/credentials/{credential_id}/share.png")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert (image.format, image.size) == ("PNG", (1200, 630))
    again = client.get(f"/credentials/{credential_id}/share.png")
    assert again.content == response.content


@pytest.mark.parametrize("fmt", ["ldp", "jwt"])
def test_qr_code_encodes_the_public_page(client: TestClient, session: Session, fmt: str) -> None:
    issued = Issued(client, session, "none")
    credential_id = issued.issue(format=fmt)
    response = client.get(f"/credentials/{credential_id}/qr.svg")
    assert response.status_code == 200, response.text
    assert ElementTree.fromstring(response.content).tag == SVG_TAG
    url = f"{BASE_URL}/credentials/{credential_id}"
    expected = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        expected, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, title=url
    )
    assert response.content == expected.getvalue()


@pytest.mark.parametrize(
    "path",
    [
        f"/credentials/{uuid.UUID(int=1)}.png",
        f"/credentials/{uuid.UUID(int=1)}.svg",
        f"/credentials/{uuid.UUID(int=1)}/share.png",
        f"/credentials/{uuid.UUID(int=1)}/qr.svg",
        "/credentials/not-a-uuid.png",
        "/credentials/not-a-uuid/qr.svg",
    ],
)
def test_unknown_credential_is_a_404_problem(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("suffix", "immutable"),
    [(".png", True), (".svg", True), ("/share.png", False), ("/qr.svg", False)],
)
def test_downloads_have_strong_etags_and_long_caching(
    client: TestClient, session: Session, suffix: str, immutable: bool
) -> None:
    credential_id = Issued(client, session, "png").issue()
    response = client.get(f"/credentials/{credential_id}{suffix}")
    etag = response.headers["etag"]
    assert etag == '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
    cache_control = response.headers["cache-control"]
    assert cache_control.startswith("public, max-age=")
    assert int(cache_control.split("=")[1].split(",")[0]) >= 7 * 24 * 3600
    assert ("immutable" in cache_control) is immutable
    again = client.get(f"/credentials/{credential_id}{suffix}", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("path", ["{id}.svg", "{id}/qr.svg"])
def test_svg_downloads_are_sandboxed(client: TestClient, session: Session, path: str) -> None:
    credential_id = Issued(client, session, "svg").issue()
    response = client.get("/credentials/" + path.format(id=credential_id))
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_revoked_credential_still_downloads(
    client: TestClient, session: Session, suffix: str
) -> None:
    issued = Issued(client, session, "png")
    credential_id = issued.issue()
    revoked = client.post(f"{API}/credentials/{credential_id}/revoke", headers=issued.headers)
    assert revoked.status_code == 200, revoked.text
    response = client.get(f"/credentials/{credential_id}.{suffix}")
    assert response.status_code == 200
    assert unbake(response.content) == issued.stored(credential_id)
    report = issued.verify(content=response.content, headers={"Content-Type": MEDIA[suffix]})
    assert report["verified"] is False
    assert {c["id"]: c["outcome"] for c in report["checks"]}["status"] == "failed"


def test_baked_image_is_the_one_the_credential_was_issued_with(
    client: TestClient, session: Session
) -> None:
    issued = Issued(client, session, "png")
    credential_id = issued.issue()
    issued.upload(make_png(3, 5), "image/png")
    response = client.get(f"/credentials/{credential_id}.png")
    assert shows(response.content, "png") == "png"
    later = client.get(f"/credentials/{issued.issue()}.png")
    with Image.open(io.BytesIO(later.content)) as image:
        assert image.size == (3, 5)


def test_svg_binding_our_prefix_elsewhere_is_cleaned_and_carries_the_credential(
    client: TestClient, session: Session
) -> None:
    """Cleaning writes the SVG anew, so an unused clashing ``openbadges`` prefix is gone."""
    issued = Issued(client, session, "none")
    clash = SVG.replace(b"<svg ", b'<svg xmlns:openbadges="https://example.org/other" ')
    issued.upload(clash, "image/svg+xml")
    credential_id = issued.issue()
    response = client.get(f"/credentials/{credential_id}.svg")
    assert response.status_code == 200
    assert shows(response.content, "svg") == "svg"
    assert "https://example.org/other" not in response.text
    assert unbake(response.content) == issued.stored(credential_id)
