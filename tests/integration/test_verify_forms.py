"""Every verification-method and proof form of issue 9's verifier list (bare DIDs,
``<issuer>#<publicKeyMultibase>`` with the strict setting, VC-JWT key forms, legacy eddsa-2022,
baked SVGs with a DOCTYPE, proof chains) through ``POST /api/v1/verify`` AND
``badgeservice vc verify``: both give the same verdict, the same checks and the same warnings.

Documents of other issuers are served by a local listener: the app trusts its host (as a
development setting would), the CLI reads it with ``--did-web-base``.
"""

from __future__ import annotations

import base64
import json
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt as jose_jwt
from joserfc.jwk import OKPKey
from typer.testing import CliRunner

from badgeservice.app import create_app
from badgeservice.cli_vc import vc_app
from badgeservice.settings import Settings
from badgeservice.vc import KeyPair, baking, canonicalize, generate_key, sign_credential
from badgeservice.vc.dids import build_did_document, did_key_from_key
from tests.keys import jose_rsa_key, rsa_4096
from tests.unit.vc.documents import ob_credential

KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{KEY.public_multibase()}"
RSA_4096 = rsa_4096()
RSA_KEY = KeyPair("RSA", RSA_4096.public_key(), RSA_4096)
LATER = int(datetime(2099, 1, 1, tzinfo=UTC).timestamp())
SVG11 = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
    b' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
)


class Documents(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Any]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Documents.hits.append(self.path)
        document = Documents.routes.get(self.path)
        body = json.dumps(document).encode() if document is not None else b"{}"
        self.send_response(200 if document is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """``localhost:<port>`` of a listener serving :attr:`Documents.routes`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"localhost:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(autouse=True)
def _routes() -> None:
    Documents.routes, Documents.hits = {}, []


def _app(settings: Settings, host: str, **update: Any) -> Iterator[TestClient]:
    trusted = {"remote_trusted_origins": [f"http://{host}"]}
    changed = settings.model_copy(update={**trusted, **update})
    application = create_app(changed, configure_logs=False)
    with TestClient(application, raise_server_exceptions=False) as client:
        yield client
    application.state.engine.dispose()


@pytest.fixture
def api(settings: Settings, session: Any, host: str) -> Iterator[TestClient]:
    yield from _app(settings, host)


@pytest.fixture
def strict_api(settings: Settings, session: Any, host: str) -> Iterator[TestClient]:
    yield from _app(settings, host, verify_strict=True)


def post(client: TestClient, source: dict[str, Any] | str | bytes) -> Any:
    if isinstance(source, dict):
        return client.post("/api/v1/verify", json=source)
    if isinstance(source, str):
        return client.post("/api/v1/verify", content=source, headers={"Content-Type": "text/plain"})
    return client.post("/api/v1/verify", content=source, headers={"Content-Type": "image/svg+xml"})


def cli(tmp_path: Path, host: str, source: Any, *options: str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "input"
    if isinstance(source, dict):
        path.write_text(json.dumps(source))
    else:
        path.write_bytes(source.encode() if isinstance(source, str) else source)
    result = CliRunner().invoke(
        vc_app, ["verify", str(path), "--did-web-base", f"http://{host}", *options]
    )
    assert result.exit_code in {0, 1}, result.output
    return result.exit_code, json.loads(result.stdout)


def steps(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["id"], c["outcome"], c["code"]) for c in report["checks"]]


def both(
    client: TestClient, tmp_path: Path, host: str, source: Any, *options: str
) -> dict[str, Any]:
    """The API report (the CLI's, which also lists the proofs, under ``cli``), after checking
    that the CLI agrees with it on everything that counts."""
    response = post(client, source)
    assert response.status_code == 200, response.text
    report = response.json()
    exit_code, local = cli(tmp_path, host, source, *options)
    assert (local["verified"], steps(local)) == (report["verified"], steps(report))
    assert [(w["check"], w["code"]) for w in local["warnings"]] == [
        (w["check"], w["code"]) for w in report["warnings"]
    ]
    assert exit_code == (0 if report["verified"] else 1)
    return {**report, "cli": local}


def outcome(report: dict[str, Any], check_id: str) -> tuple[str, str]:
    [check] = [c for c in report["checks"] if c["id"] == check_id]
    return check["outcome"], check["code"]


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["achievement"]["name"] = "Doctorate"
    return changed


# -- 1. bare DID -----------------------------------------------------------------------------


def test_bare_did_key_and_did_web_verification_methods(
    api: TestClient, tmp_path: Path, host: str
) -> None:
    bare_key = sign_credential(ob_credential(DID), KEY, DID)
    assert both(api, tmp_path, host, bare_key)["verified"]
    did = f"did:web:{host.replace(':', '%3A')}:issuers:alpha"
    Documents.routes["/issuers/alpha/did.json"] = build_did_document(did, [("#key-1", KEY)])
    bare_web = sign_credential(ob_credential(did), KEY, did)
    report = both(api, tmp_path, host, bare_web)
    assert report["verified"], report
    assert report["cli"]["proofs"][0]["controller"] == did
    failed = both(api, tmp_path, host, tampered(bare_web))
    assert outcome(failed, "proof") == ("failed", "proof_signature_invalid")
    two_keys = did.replace(":alpha", ":two-keys")  # a new URL: the app caches documents
    Documents.routes["/issuers/two-keys/did.json"] = build_did_document(
        two_keys, [("#key-1", KEY), ("#key-2", generate_key("Ed25519"))]
    )
    ambiguous = both(api, tmp_path, host, sign_credential(ob_credential(two_keys), KEY, two_keys))
    assert outcome(ambiguous, "proof") == ("error", "verification_method_ambiguous")


# -- 2. <https issuer>#<publicKeyMultibase>, strict ------------------------------------------


def fragment_credential(host: str, slug: str = "beta") -> tuple[str, dict[str, Any]]:
    issuer = f"https://{host}/issuers/{slug}"
    vm = f"{issuer}#{KEY.public_multibase()}"
    return issuer, sign_credential(ob_credential(issuer), KEY, vm, proof_set=True)


def test_fragment_key_with_an_unreachable_issuer_document_passes_with_a_warning(
    api: TestClient, tmp_path: Path, host: str
) -> None:
    issuer, signed = fragment_credential(host)
    report = both(api, tmp_path, host, signed)
    assert report["verified"], report
    assert outcome(report, "issuer_key") == ("passed", "issuer_key_unconfirmed")
    [warning] = report["warnings"]
    assert warning["code"] == "issuer_key_unconfirmed"
    assert "the issuer's own document could not confirm this key" in warning["message"]
    assert issuer in warning["message"]
    assert "/issuers/beta" in Documents.hits


def test_strict_setting_and_flag_refuse_an_unconfirmed_fragment_key(
    strict_api: TestClient, tmp_path: Path, host: str
) -> None:
    _, signed = fragment_credential(host)
    report = both(strict_api, tmp_path, host, signed, "--strict")
    assert report["verified"] is False
    assert outcome(report, "issuer_key") == ("failed", "issuer_key_unconfirmed")
    assert report["warnings"] == []


def test_strict_flag_is_read_from_the_setting_variable(
    tmp_path: Path, host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, signed = fragment_credential(host)
    monkeypatch.setenv("BADGESERVICE_VERIFY_STRICT", "true")
    exit_code, report = cli(tmp_path, host, signed)
    assert (exit_code, outcome(report, "issuer_key")) == (1, ("failed", "issuer_key_unconfirmed"))


@pytest.mark.parametrize("strict", [False, True])
def test_fragment_key_listed_by_the_issuer_document_is_bound(
    api: TestClient, strict_api: TestClient, tmp_path: Path, host: str, strict: bool
) -> None:
    issuer, signed = fragment_credential(host, "listing")
    vm = signed["proof"][0]["verificationMethod"]
    Documents.routes["/issuers/listing"] = {
        "id": issuer,
        "verificationMethod": [
            {
                "id": vm,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": KEY.public_multibase(),
            }
        ],
        "assertionMethod": [vm],
    }
    client, options = (strict_api, ("--strict",)) if strict else (api, ())
    report = both(client, tmp_path, host, signed, *options)
    assert report["verified"], report
    assert (outcome(report, "issuer_key"), report["warnings"]) == (
        ("passed", "issuer_key_bound"),
        [],
    )
    issuer, signed = fragment_credential(host, "not-listing")
    Documents.routes["/issuers/not-listing"] = {"id": issuer, "verificationMethod": []}
    unlisted = both(client, tmp_path, host, signed, *options)
    assert outcome(unlisted, "issuer_key") == ("error", "issuer_key_not_listed")
    assert both(client, tmp_path, host, tampered(signed), *options)["verified"] is False


# -- 3. VC-JWT key forms ----------------------------------------------------------------------


def jwt(header: dict[str, Any], claims: dict[str, Any], key: KeyPair = RSA_KEY) -> str:
    alg = "RS256" if key.algorithm == "RSA" else "EdDSA"
    private = key.private_jwk()
    jose_key = jose_rsa_key(private) if alg == "RS256" else OKPKey.import_key(private)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return jose_jwt.encode(
            {"alg": alg, "typ": "JWT", **header}, claims, jose_key, algorithms=[alg]
        )


def ob3_claims(issuer: str) -> dict[str, Any]:
    credential = ob_credential(issuer)
    return {**credential, "iss": issuer, "jti": credential["id"], "nbf": 1735689600}


def forged(token: str) -> str:
    """The token with its credential's name changed and the old signature kept."""
    head, body, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["name"] = "Forged"
    changed = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{changed}.{signature}"


def test_rs256_jwt_with_an_embedded_4096_bit_jwk(
    api: TestClient, strict_api: TestClient, tmp_path: Path, host: str
) -> None:
    token = jwt({"jwk": RSA_KEY.public_jwk()}, ob3_claims(f"https://{host}/issuers/gamma"))
    report = both(api, tmp_path, host, token)
    assert report["verified"], report
    assert outcome(report, "proof") == ("passed", "proof_verified")
    assert outcome(report, "issuer_key") == ("passed", "issuer_key_unconfirmed")
    strict = both(strict_api, tmp_path, host, token, "--strict")
    assert outcome(strict, "issuer_key") == ("failed", "issuer_key_unconfirmed")
    bad = both(api, tmp_path, host, forged(token))
    assert outcome(bad, "proof") == ("failed", "jwt_signature_invalid")
    leaked = jwt({"jwk": RSA_KEY.private_jwk()}, ob3_claims(f"https://{host}/issuers/gamma"))
    assert outcome(both(api, tmp_path, host, leaked), "proof") == (
        "failed",
        "jwt_private_key_refused",
    )


@pytest.mark.parametrize(
    ("path", "issuer_key"),
    [
        ("/issuers/gamma/keys/1", ("passed", "issuer_key_bound")),
        ("/keys/elsewhere", ("passed", "issuer_key_unconfirmed")),
    ],
)
def test_jwt_kid_url_returning_a_bare_jwk(
    api: TestClient, tmp_path: Path, host: str, path: str, issuer_key: tuple[str, str]
) -> None:
    Documents.routes[path] = RSA_KEY.public_jwk()
    Documents.routes[path + "-other"] = generate_key("RSA").public_jwk()
    issuer = f"https://{host}/issuers/gamma"
    token = jwt({"kid": f"https://{host}{path}"}, ob3_claims(issuer))
    report = both(api, tmp_path, host, token)
    assert report["verified"], report
    assert outcome(report, "issuer_key") == issuer_key
    other = jwt({"kid": f"https://{host}{path}-other"}, ob3_claims(issuer))
    assert outcome(both(api, tmp_path, host, other), "proof") == (
        "failed",
        "jwt_signature_invalid",
    )


def test_vc11_jwt_with_the_credential_in_a_vc_claim(
    api: TestClient, tmp_path: Path, host: str
) -> None:
    credential = ob_credential(DID)
    vc = {
        "@context": ["https://www.w3.org/2018/credentials/v1", credential["@context"][1]],
        "type": credential["type"],
        "name": credential["name"],
        "credentialSubject": {
            k: v for k, v in credential["credentialSubject"].items() if k != "id"
        },
    }
    claims = {"iss": DID, "jti": credential["id"], "sub": "did:example:learner"}
    claims |= {"nbf": 1735689600, "exp": LATER, "vc": vc}
    token = jwt({"kid": VM}, claims, KEY)
    report = both(api, tmp_path, host, token)
    assert report["verified"], report
    assert outcome(report, "structure") == ("passed", "structure_valid")
    assert outcome(report, "valid_from") == ("passed", "valid_from_passed")
    assert outcome(report, "valid_until") == ("passed", "valid_until_passed")
    assert report["credential"]["validFrom"] == "2025-01-01T00:00:00Z"
    contradicting = jwt(
        {"kid": VM}, claims | {"vc": vc | {"issuanceDate": "2020-01-01T00:00:00Z"}}, KEY
    )
    assert outcome(both(api, tmp_path, host, contradicting), "proof") == (
        "failed",
        "jwt_claim_mismatch",
    )


# -- 4. legacy eddsa-2022 ----------------------------------------------------------------------


def eddsa_2022(document: dict[str, Any]) -> dict[str, Any]:
    """The eddsa-2022 draft's steps by hand: RDFC-1.0, SHA-256(config) || SHA-256(document)."""
    import hashlib

    import base58

    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    config = canonicalize({**options, "@context": document["@context"]}).encode()
    data = (
        hashlib.sha256(config).digest() + hashlib.sha256(canonicalize(document).encode()).digest()
    )
    return {
        **document,
        "proof": {**options, "proofValue": "z" + base58.b58encode(KEY.sign(data)).decode()},
    }


def test_legacy_eddsa_2022_proof(api: TestClient, tmp_path: Path, host: str) -> None:
    signed = eddsa_2022(ob_credential(DID))
    report = both(api, tmp_path, host, signed)
    assert report["verified"], report
    assert report["cli"]["proofs"][0]["cryptosuite"] == "eddsa-2022"
    assert outcome(both(api, tmp_path, host, tampered(signed)), "proof") == (
        "failed",
        "proof_signature_invalid",
    )


# -- 5. baked SVG with a DOCTYPE -------------------------------------------------------------------


def test_baked_svg_with_a_standard_doctype(api: TestClient, tmp_path: Path, host: str) -> None:
    signed = sign_credential(ob_credential(DID), KEY, VM)
    report = both(api, tmp_path, host, baking.bake_svg(SVG11, signed))
    assert (report["verified"], report["format"]) == (True, "svg")
    broken = both(api, tmp_path, host, baking.bake_svg(SVG11, tampered(signed)))
    assert outcome(broken, "proof") == ("failed", "proof_signature_invalid")


def test_baked_svg_with_an_internal_subset_is_refused(
    api: TestClient, tmp_path: Path, host: str
) -> None:
    signed = sign_credential(ob_credential(DID), KEY, VM)
    baked = baking.bake_svg(SVG11, signed)
    hostile = baked.replace(b'svg11.dtd">', b'svg11.dtd" [<!ENTITY x "y">]>')
    response = post(api, hostile)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "DTD" in response.json()["detail"]
    exit_code, report = cli(tmp_path, host, hostile)
    assert (exit_code, outcome(report, "structure")) == (1, ("failed", "structure_unreadable"))


# -- 6. proof chains ---------------------------------------------------------------------------


def test_proof_chain(api: TestClient, tmp_path: Path, host: str) -> None:
    first = sign_credential(ob_credential(DID), KEY, VM, proof_id="urn:uuid:proof-1")
    chained = sign_credential(first, KEY, VM, previous_proof="urn:uuid:proof-1")
    report = both(api, tmp_path, host, chained)
    assert report["verified"], report
    assert [p["outcome"] for p in report["cli"]["proofs"]] == ["passed", "passed"]
    chained["proof"][0]["created"] = "2020-01-01T00:00:00Z"
    broken = both(api, tmp_path, host, chained)
    assert [p["code"] for p in broken["cli"]["proofs"]] == ["proof_signature_invalid"] * 2
    del chained["proof"][0]
    missing = both(api, tmp_path, host, chained)
    assert outcome(missing, "proof") == ("failed", "proof_previous_missing")
