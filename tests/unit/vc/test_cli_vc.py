"""``badgeservice vc``: canonicalize, sign/verify round trip, exit codes, bake/unbake."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from badgeservice.cli_vc import vc_app
from badgeservice.vc import generate_key
from badgeservice.vc.dids import did_key_from_key
from tests.unit.vc.documents import ob_credential

KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
NOW = "2025-06-01T00:00:00Z"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect/></svg>'


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (
    b"\x89PNG\r\n\x1a\n"
    + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(b"\0\0"))
    + chunk(b"IEND", b"")
)


def credential() -> dict[str, Any]:
    return ob_credential(DID)


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(vc_app, [str(arg) for arg in args])


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def signed_file(tmp_path: Path) -> Path:
    key_file = write(
        tmp_path / "key.json",
        {
            "publicKeyMultibase": KEY.public_multibase(),
            "secretKeyMultibase": KEY.secret_multibase(),
        },
    )
    result = run("sign", write(tmp_path / "unsigned.json", credential()), "--key", key_file)
    assert result.exit_code == 0, result.output
    return write(tmp_path / "signed.json", json.loads(result.stdout))


def test_canonicalize_prints_the_w3c_canonical_document(shared_data: Path) -> None:
    folder = shared_data / "vectors" / "eddsa-rdfc-2022"
    result = run("canonicalize", folder / "unsigned.json", "--contexts", shared_data / "contexts")
    assert result.exit_code == 0, result.output
    assert result.stdout == (folder / "canonDocDataInt.txt").read_text()


def test_sign_then_verify_round_trips_with_a_did_key(signed_file: Path) -> None:
    signed = json.loads(signed_file.read_text())
    assert signed["proof"]["verificationMethod"] == f"{DID}#{KEY.public_multibase()}"
    result = run("verify", signed_file, "--now", NOW)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["verified"] is True


def test_verify_prints_when_the_checks_ran(signed_file: Path) -> None:
    result = run("verify", signed_file, "--now", NOW)
    assert json.loads(result.stdout)["checkedAt"] == NOW


def test_verify_exits_1_when_the_credential_was_tampered(signed_file: Path, tmp_path: Path) -> None:
    changed = json.loads(signed_file.read_text())
    changed["credentialSubject"]["achievement"]["name"] = "Advanced"
    result = run("verify", write(tmp_path / "bad.json", changed), "--now", NOW)
    report = json.loads(result.stdout)
    assert (result.exit_code, report["verified"]) == (1, False)
    assert {c["id"]: c["outcome"] for c in report["checks"]}["proof"] == "failed"


@pytest.mark.parametrize(
    ("content", "extra"),
    [
        (None, []),
        (b"{not json", []),
        (b"[1, 2]", []),
        (b"[" * 10_000 + b"]" * 10_000, []),
        (b"{}", ["--no-such-option"]),
        (b"{}", ["--contexts", "/nonexistent/folder"]),
    ],
    ids=["missing", "not-json", "not-object", "deep-nesting", "bad-option", "bad-contexts"],
)
def test_canonicalize_exits_2_on_usage_and_input_errors(
    tmp_path: Path, content: bytes | None, extra: list[str]
) -> None:
    path = tmp_path / "input.json"
    if content is not None:
        path.write_bytes(content)
    result = run("canonicalize", path, *extra)
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(
    ("create", "extra"),
    [(False, []), (True, ["--no-such-option"]), (True, ["--now", "yesterday"])],
    ids=["missing", "bad-option", "bad-now"],
)
def test_verify_exits_2_on_usage_errors(tmp_path: Path, create: bool, extra: list[str]) -> None:
    path = tmp_path / "input.json"
    if create:
        path.write_text("{}")
    assert run("verify", path, *extra).exit_code == 2


@pytest.mark.parametrize(
    "content", [b"{not json", b"[1, 2]", b"[" * 10_000 + b"]" * 10_000, b"\x00\xff garbage"]
)
def test_verify_reports_unreadable_content_as_not_verified(tmp_path: Path, content: bytes) -> None:
    # verify also reads VC-JWTs and baked images, so unknown bytes are a report, not a usage error
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    result = run("verify", path)
    report = json.loads(result.stdout)
    assert (result.exit_code, report["verified"]) == (1, False)
    assert report["checks"][0] == {**report["checks"][0], "id": "structure", "outcome": "failed"}


def test_sign_with_a_missing_key_file_exits_2(tmp_path: Path) -> None:
    result = run(
        "sign", write(tmp_path / "c.json", credential()), "--key", tmp_path / "absent.json"
    )
    assert result.exit_code == 2


@pytest.mark.parametrize(("image", "suffix"), [(PNG, "png"), (SVG, "svg")])
def test_bake_then_unbake_gives_the_same_credential_and_it_verifies(
    signed_file: Path, tmp_path: Path, image: bytes, suffix: str
) -> None:
    source = tmp_path / f"badge.{suffix}"
    source.write_bytes(image)
    baked = tmp_path / f"baked.{suffix}"
    result = run("bake", "--image", source, "--credential", signed_file, "-o", baked)
    assert result.exit_code == 0, result.output
    unbaked = run("unbake", baked)
    assert unbaked.exit_code == 0, unbaked.output
    assert json.loads(unbaked.stdout) == json.loads(signed_file.read_text())
    verified = run("verify", baked, "--now", NOW)
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert (report["verified"], report["format"]) == (True, suffix)


def test_unbake_of_an_image_without_a_credential_exits_1(tmp_path: Path) -> None:
    plain = tmp_path / "plain.png"
    plain.write_bytes(PNG)
    assert run("unbake", plain).exit_code == 1


@pytest.mark.parametrize(
    "url", ["http://example.org/c.json", "https://127.0.0.1/c.json", "https://[::1]/c.json"]
)
def test_verify_url_refuses_unsafe_targets(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGESERVICE_REMOTE_TRUSTED_ORIGINS", "[]")
    result = run("verify", "--url", url)
    assert result.exit_code == 2
    assert "remote_" in result.output


def test_verify_needs_exactly_one_source() -> None:
    assert run("verify").exit_code == 2


@pytest.mark.parametrize(
    ("given", "exit_code", "outcome"),
    [("did:example:learner", 0, "passed"), ("did:example:other", 1, "failed")],
)
def test_verify_with_a_recipient_adds_the_recipient_check(
    signed_file: Path, given: str, exit_code: int, outcome: str
) -> None:
    result = run("verify", signed_file, "--now", NOW, "--recipient", given)
    assert result.exit_code == exit_code, result.output
    check = json.loads(result.stdout)["checks"][-1]
    assert (check["id"], check["outcome"]) == ("recipient", outcome)
    assert given not in result.stdout


def test_verify_refuses_an_unusable_recipient(signed_file: Path) -> None:
    result = run("verify", signed_file, "--recipient", "not-an-address")
    assert result.exit_code == 2
    assert "not an email address, a DID or a URL" in result.output
