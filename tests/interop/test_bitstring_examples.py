"""The W3C Bitstring Status List examples (shared data/vectors/bitstring-status-list).

One generated test per example file. Files named ``.json.txt`` are spec fragments; those
that are JSON once ``//`` comments are dropped are checked, the others (with ``...``
ellipses) are skipped with that reason.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc.statuslist import DEFAULT_SIZE, StatusList, read_status_entry
from tests.conftest import SHARED_DIR

EXAMPLES = Path("vectors") / "bitstring-status-list"
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def example_names() -> list[str]:
    folder = SHARED_DIR / "data" / EXAMPLES
    if not folder.is_dir():
        return ["examples-missing"]
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".json", ".json.txt")))


def load_example(shared_data: Path, name: str) -> dict[str, Any]:
    text = (shared_data / EXAMPLES / name).read_text()
    text = re.sub(r"^\s*//.*$", "", text, flags=re.MULTILINE)
    try:
        document: dict[str, Any] = json.loads(text)
    except ValueError:
        pytest.skip(f"{name} is a spec fragment, not JSON")
    return document


def entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    status = document.get("credentialStatus", [])
    return status if isinstance(status, list) else [status]


@pytest.mark.parametrize("name", example_names())
def test_bitstring_example_reads(shared_data: Path, name: str) -> None:
    document = load_example(shared_data, name)
    subject = document["credentialSubject"]
    if "encodedList" in subject:
        status = StatusList.decode(subject["encodedList"], min_size=DEFAULT_SIZE)
        assert status.size == DEFAULT_SIZE
        assert status.set_indexes() == []
        assert StatusList(DEFAULT_SIZE, data=status.to_bytes()).encode() == subject["encodedList"]
        assert subject["type"] == "BitstringStatusList"
        return
    read = [read_status_entry(entry) for entry in entries(document)]
    assert read
    assert all(isinstance(entry["statusListIndex"], str) for entry in entries(document))
    for (url, index, purpose, _size), entry in zip(read, entries(document), strict=True):
        assert entry["id"] == f"{url}#{index}"
        assert purpose in ("revocation", "suspension")


def test_spec_example_entries_are_unset_in_the_spec_example_list() -> None:
    status = StatusList.decode(SPEC_EXAMPLE_LIST)
    assert status.get(94567) == 0
    assert status.get(23452) == 0
    assert status.get(12345) == 0
