"""LinkedIn "Add to profile" links: one URL that opens the member's certification form filled in.

The form is opened by ``https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME`` with
query parameters ``name``, ``organizationId`` (a LinkedIn company id) or ``organizationName``
(free text), ``issueYear``/``issueMonth`` and ``expirationYear``/``expirationMonth`` (months
1 to 12; both omitted when the credential does not expire), ``certUrl`` (where a reader checks the
certification) and ``certId`` (shown as "Credential ID"). LinkedIn's form shows ``certId`` to
people, so it is the credential's bare UUID, never an opaque ``urn:uuid:`` URN or a URL.

See: https://addtoprofile.linkedin.com/
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

ADD_TO_PROFILE_URL = "https://www.linkedin.com/profile/add"


@dataclass(frozen=True)
class Certification:
    """What the add-to-profile form is filled with."""

    name: str
    organization_name: str
    issued: datetime
    cert_url: str
    cert_id: str
    expires: datetime | None = None
    organization_id: int | None = None


def certificate_id(credential_id: str) -> str:
    """The bare UUID of a credential id given as a UUID, a ``urn:uuid:`` URN or a URL whose
    last path segment is the UUID (``…/credentials/{uuid}``); the input unchanged otherwise."""
    candidate = credential_id.strip()
    if candidate.lower().startswith("urn:uuid:"):
        candidate = candidate[len("urn:uuid:") :]
    else:
        candidate = candidate.split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        return credential_id


def add_to_profile_url(certification: Certification) -> str:
    """The ``https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&…`` link.

    Dates are taken in UTC (``validFrom``/``validUntil`` of the credential).

    See: https://addtoprofile.linkedin.com/
    """
    c = certification
    issued = _utc(c.issued)
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", c.name)]
    if c.organization_id is not None:
        params.append(("organizationId", str(c.organization_id)))
    else:
        params.append(("organizationName", c.organization_name))
    params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if c.expires is not None:
        expires = _utc(c.expires)
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [("certUrl", c.cert_url), ("certId", certificate_id(c.cert_id))]
    return f"{ADD_TO_PROFILE_URL}?{urlencode(params, quote_via=quote)}"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
