"""The W3C RDFC-1.0 test suite and the canonical documents of the Data Integrity vectors.

One generated test per manifest entry. The manifest is listed at collection time (ids only);
every file is read in the test through the ``shared_data`` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc import _jsonld_rdfc
from badgeservice.vc.canon import canonicalize, canonicalize_nquads
from badgeservice.vc.errors import CanonicalizationError
from tests.conftest import SHARED_DIR
from tests.unit.vc.test_canon import vector_loader

SUITE = Path("vectors") / "rdf-canon"


def manifest_ids() -> list[str]:
    manifest = SHARED_DIR / "data" / SUITE / "manifest.jsonld"
    if not manifest.is_file():
        return ["manifest-missing"]
    return [entry["id"].lstrip("#") for entry in json.loads(manifest.read_text())["entries"]]


def manifest_entry(shared_data: Path, test_id: str) -> dict[str, Any]:
    entries = json.loads((shared_data / SUITE / "manifest.jsonld").read_text())["entries"]
    found: dict[str, Any] = next(e for e in entries if e["id"] == "#" + test_id)
    return found


def read(shared_data: Path, relative: str) -> str:
    return (shared_data / SUITE / relative).read_text(encoding="utf-8")


@pytest.mark.parametrize("test_id", manifest_ids())
def test_rdfc10_suite_case(shared_data: Path, test_id: str) -> None:
    entry = manifest_entry(shared_data, test_id)
    source = read(shared_data, entry["action"])
    algorithm = entry.get("hashAlgorithm", "sha256")
    kind = entry["type"].removeprefix("rdfc:")

    if kind == "RDFC10NegativeEvalTest":
        with pytest.raises(CanonicalizationError):
            canonicalize_nquads(source, hash_algorithm=algorithm)
    elif kind == "RDFC10MapTest":
        quads = _jsonld_rdfc.parse_nquads(source)
        labels = _jsonld_rdfc.canonical_labels(quads, hash_algorithm=algorithm)
        issued = {key[2:]: value[2:] for key, value in labels.items()}
        assert issued == json.loads(read(shared_data, entry["result"]))
    else:
        assert kind == "RDFC10EvalTest"
        expected = read(shared_data, entry["result"])
        assert canonicalize_nquads(source, hash_algorithm=algorithm) == expected


@pytest.mark.parametrize(
    ("document", "canonical"),
    [
        ("eddsa-rdfc-2022/unsigned.json", "eddsa-rdfc-2022/canonDocDataInt.txt"),
        (
            "eddsa-rdfc-2022/employ/employmentAuth.json",
            "eddsa-rdfc-2022/employ/canonDocDataInt.txt",
        ),
        ("ecdsa-rdfc-2019-p256/unsigned.json", "ecdsa-rdfc-2019-p256/canonDocECDSAP256.txt"),
        (
            "1edtech-eddsa-rdfc-2022/unsigned-credential.json",
            "1edtech-eddsa-rdfc-2022/document-canon.nq",
        ),
    ],
)
@pytest.mark.parametrize("safe", [False, True])
def test_canonicalize_matches_data_integrity_vector(
    shared_data: Path, document: str, canonical: str, safe: bool
) -> None:
    vectors = shared_data / "vectors"
    parsed = json.loads((vectors / document).read_text(encoding="utf-8"))

    result = canonicalize(parsed, loader=vector_loader(shared_data), safe=safe)

    assert result == (vectors / canonical).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("config", "canonical"),
    [
        ("eddsa-rdfc-2022/proofConfigDataInt.json", "eddsa-rdfc-2022/proofCanonDataInt.txt"),
        (
            "ecdsa-rdfc-2019-p256/proofConfigECDSAP256.json",
            "ecdsa-rdfc-2019-p256/proofCanonECDSAP256.txt",
        ),
    ],
)
def test_canonicalize_matches_proof_config_vector(
    shared_data: Path, config: str, canonical: str
) -> None:
    vectors = shared_data / "vectors"
    parsed = json.loads((vectors / config).read_text(encoding="utf-8"))

    result = canonicalize(parsed, loader=vector_loader(shared_data))

    assert result == (vectors / canonical).read_text(encoding="utf-8")
