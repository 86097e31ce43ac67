"""Achievement images over HTTP: SVG uploads cleaned, images drawn (SVG → PNG with resvg),
size limits at upload (422 naming the limit), and images stored before those rules rendered
safely (cleaned again, or the generated badge instead of decoding a huge PNG)."""

from __future__ import annotations

import hashlib
import io
import uuid
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from PIL import Image as PillowImage
from pypdf import PdfReader
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Image
from badgeservice.render.fonts import missing_fonts
from badgeservice.vc.baking import unbake
from tests.conftest import require
from tests.factories import SVG, big_png
from tests.integration.test_downloads import Issued

HOSTILE_SVG = (
    b'<?xml-stylesheet href="https://evil.example/x.css"?>'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'width="10" height="10" onload="alert(1)">'
    b"<script>alert(2)</script>"
    b'<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>'
    b"</foreignObject>"
    b'<circle cx="5" cy="5" r="4" fill="#369" onclick="alert(4)"/>'
    b'<a xlink:href="javascript:alert(3)"><rect width="1" height="1" fill="#fff"/></a>'
    b'<image href="https://evil.example/p.png" width="1" height="1"/>'
    b'<set attributeName="href" to="javascript:alert(5)"/></svg>'
)
DISC = (0x33, 0x66, 0x99, 255)  # the test SVG's disc colour


def assert_harmless(content: bytes) -> None:
    root = ElementTree.fromstring(content)
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert tags.isdisjoint({"script", "foreignObject", "iframe", "set"}), tags
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.split("}")[-1].startswith("on"), name
            assert "javascript:" not in value
            assert "evil.example" not in value
    assert b"alert(" not in content
    assert b"evil.example" not in content
    assert "circle" in tags


def store_old_image(issued: Issued, session: Session, content: bytes, media_type: str) -> None:
    """An image stored before uploads were checked as they are now (written to the database)."""
    achievement = session.get(Achievement, uuid.UUID(issued.achievement_id))
    assert achievement is not None
    image = Image(
        issuer_id=achievement.issuer_id,
        media_type=media_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    session.add(image)
    session.flush()
    achievement.image_id, achievement.image_url = image.id, None
    session.commit()


def upload(issued: Issued, content: bytes, media_type: str) -> object:
    return issued.client.put(
        f"/api/v1/issuers/wmde/achievements/{issued.achievement_id}/image",
        content=content,
        headers=issued.headers | {"Content-Type": media_type},
    )


def middle_pixel(png: bytes, box: tuple[int, int, int, int] | None = None) -> tuple[int, ...]:
    with PillowImage.open(io.BytesIO(png)) as image:
        picture = image.convert("RGBA").crop(box) if box else image.convert("RGBA")
        return tuple(picture.getpixel((picture.width // 2, picture.height // 2)))  # type: ignore[arg-type]


def test_svg_upload_is_stored_and_baked_without_scripts_or_links(
    client: TestClient, session: Session
) -> None:
    issued = Issued(client, session, "none")
    issued.upload(HOSTILE_SVG, "image/svg+xml")
    image_url = client.get(
        f"/api/v1/issuers/wmde/achievements/{issued.achievement_id}", headers=issued.headers
    ).json()["image"]["url"]
    assert_harmless(client.get(image_url.removeprefix("http://localhost:8000")).content)
    credential_id = issued.issue()
    baked = client.get(f"/credentials/{credential_id}.svg")
    assert baked.status_code == 200
    assert_harmless(baked.content)
    assert unbake(baked.content) == issued.stored(credential_id)


def test_svg_stored_before_cleaning_is_cleaned_when_baked(
    client: TestClient, session: Session
) -> None:
    issued = Issued(client, session, "none")
    store_old_image(issued, session, HOSTILE_SVG, "image/svg+xml")
    credential_id = issued.issue()
    baked = client.get(f"/credentials/{credential_id}.svg")
    assert baked.status_code == 200
    assert_harmless(baked.content)
    assert unbake(baked.content) == issued.stored(credential_id)


@pytest.mark.parametrize("stored", ["uploaded", "old"])
def test_png_forms_of_an_svg_achievement_draw_the_svg(
    client: TestClient, session: Session, stored: str
) -> None:
    issued = Issued(client, session, "none")
    if stored == "uploaded":
        issued.upload(SVG, "image/svg+xml")
    else:
        store_old_image(issued, session, HOSTILE_SVG, "image/svg+xml")
    credential_id = issued.issue()
    baked = client.get(f"/credentials/{credential_id}.png")
    assert baked.status_code == 200
    with PillowImage.open(io.BytesIO(baked.content)) as image:
        assert image.size == (512, 512)
    assert middle_pixel(baked.content) == DISC
    assert unbake(baked.content) == issued.stored(credential_id)
    share = client.get(f"/credentials/{credential_id}/share.png")
    assert share.status_code == 200
    assert middle_pixel(share.content, (70, 95, 510, 535)) == DISC  # the badge's square


@pytest.mark.parametrize(("width", "height"), [(4097, 1), (1, 4097), (13000, 13000)])
def test_png_over_the_size_limit_is_refused_naming_it(
    client: TestClient, session: Session, width: int, height: int
) -> None:
    issued = Issued(client, session, "none")
    response = upload(issued, big_png(width, height), "image/png")
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    assert "the limit is 4096x4096" in response.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "content",
    [
        b'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><defs><circle id="l0" r="1"/>'
        + b"".join(
            f'<g id="l{i}">'.encode() + f'<use href="#l{i - 1}"/>'.encode() * 10 + b"</g>"
            for i in range(1, 9)
        )
        + b'</defs><use href="#l8"/></svg>',
    ],
    ids=["entities", "external-entity", "malformed", "use-bomb"],
)
def test_svg_that_cannot_be_parsed_safely_gets_a_422(
    client: TestClient, session: Session, content: bytes
) -> None:
    issued = Issued(client, session, "none")
    response = upload(issued, content, "image/svg+xml")
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "validation_failed", body
    assert body["errors"][0]["pointer"] == "/body", body


def test_huge_png_stored_before_the_limit_is_never_decoded(
    client: TestClient, session: Session
) -> None:
    """A 13,000 x 13,000 PNG (from before the limit): every picture shows the generated
    badge, and the certificate leaves the image out."""
    issued = Issued(client, session, "none")
    huge = big_png(13000, 13000)
    store_old_image(issued, session, huge, "image/png")
    credential_id = issued.issue()
    for suffix in ("png", "svg"):
        baked = client.get(f"/credentials/{credential_id}.{suffix}")
        assert baked.status_code == 200
        assert huge not in baked.content
        assert unbake(baked.content) == issued.stored(credential_id)
    with PillowImage.open(io.BytesIO(client.get(f"/credentials/{credential_id}.png").content)) as i:
        assert i.size == (512, 512)
    share = client.get(f"/credentials/{credential_id}/share.png")
    assert share.status_code == 200
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    pdf = client.get(f"/credentials/{credential_id}.pdf")
    assert pdf.status_code == 200
    assert len(PdfReader(io.BytesIO(pdf.content)).pages[0].images) == 0


def test_certificate_of_an_old_svg_shows_it_cleaned(client: TestClient, session: Session) -> None:
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    issued = Issued(client, session, "none")
    store_old_image(issued, session, HOSTILE_SVG, "image/svg+xml")
    pdf = client.get(f"/credentials/{issued.issue()}.pdf")
    assert pdf.status_code == 200
    images = PdfReader(io.BytesIO(pdf.content)).pages[0].images
    assert len(images) == 1  # the badge, drawn as PNG
    picture = images[0].image
    assert picture is not None
    middle = picture.convert("RGB").getpixel((picture.width // 2, picture.height // 2))
    assert middle == DISC[:3]
