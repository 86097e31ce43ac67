"""LinkedIn add-to-profile links: the certification form's fields, filled from a credential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from badgeservice.domain.linkedin import Certification, add_to_profile_url, certificate_id

CREDENTIAL_UUID = "8f3a1c2e-4b5d-4e6f-9a0b-1c2d3e4f5a6b"
PAGE = f"https://badges.example.org/credentials/{CREDENTIAL_UUID}"


def fields(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    parsed = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values())
    return {key: values[0] for key, values in parsed.items()}


def certification(**overrides: object) -> Certification:
    values: dict[str, object] = {
        "name": "Wikipedia editing basics",
        "organization_name": "Wikimedia Deutschland",
        "issued": datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
        "cert_url": PAGE,
        "cert_id": CREDENTIAL_UUID,
    } | overrides
    return Certification(**values)  # type: ignore[arg-type]


def test_add_to_profile_url_fills_the_certification_form_when_the_credential_expires() -> None:
    expires = datetime(2028, 11, 30, tzinfo=UTC)
    assert fields(add_to_profile_url(certification(expires=expires))) == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Wikipedia editing basics",
        "organizationName": "Wikimedia Deutschland",
        "issueYear": "2026",
        "issueMonth": "3",
        "expirationYear": "2028",
        "expirationMonth": "11",
        "certUrl": PAGE,
        "certId": CREDENTIAL_UUID,
    }


def test_add_to_profile_url_has_no_expiration_when_the_credential_does_not_expire() -> None:
    filled = fields(add_to_profile_url(certification()))
    assert "expirationYear" not in filled
    assert "expirationMonth" not in filled
    assert (filled["issueYear"], filled["issueMonth"]) == ("2026", "3")


def test_add_to_profile_url_names_the_organization_by_id_when_known() -> None:
    filled = fields(add_to_profile_url(certification(organization_id=1337)))
    assert filled["organizationId"] == "1337"
    assert "organizationName" not in filled


@pytest.mark.parametrize(
    ("moment", "year_month"),
    [
        (datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=9))), ("2025", "12")),
        (datetime(2026, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))), ("2027", "1")),
        (datetime(2026, 6, 15), ("2026", "6")),
    ],
)
def test_add_to_profile_url_takes_dates_in_utc(
    moment: datetime, year_month: tuple[str, str]
) -> None:
    filled = fields(add_to_profile_url(certification(issued=moment, expires=moment)))
    assert (filled["issueYear"], filled["issueMonth"]) == year_month
    assert (filled["expirationYear"], filled["expirationMonth"]) == year_month


@pytest.mark.parametrize(
    "given",
    [
        CREDENTIAL_UUID,
        f"urn:uuid:{CREDENTIAL_UUID}",
        f"URN:UUID:{CREDENTIAL_UUID.upper()}",
        PAGE,
        f"{PAGE}/",
        f"{PAGE}?lang=de",
    ],
)
def test_certificate_id_is_the_bare_uuid(given: str) -> None:
    assert certificate_id(given) == CREDENTIAL_UUID
    assert fields(add_to_profile_url(certification(cert_id=given)))["certId"] == CREDENTIAL_UUID


def test_certificate_id_keeps_an_id_that_is_not_a_uuid() -> None:
    assert certificate_id("WMDE-2026-0042") == "WMDE-2026-0042"


@pytest.mark.parametrize(
    "name", ["Grundlagen & Bearbeitung", "ウィキペディア編集の基本", "أساسيات التحرير", "50% + a=b"]
)
def test_add_to_profile_url_encodes_any_name(name: str) -> None:
    url = add_to_profile_url(certification(name=name, organization_name=name))
    assert " " not in url
    filled = fields(url)
    assert filled["name"] == name
    assert filled["organizationName"] == name
