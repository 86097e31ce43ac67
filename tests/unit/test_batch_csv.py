from __future__ import annotations

import pytest

from badgeservice.errors import ValidationFailedError
from badgeservice.services.batches import csv_row_input, parse_csv


def test_csv_rows_become_recipient_inputs() -> None:
    text = (
        "\ufeffName,Email,Evidence_URL,Narrative\n"
        "Ada Lovelace, ada@example.org ,https://example.org/e/1,Made 12 edits\n"
        "Grace Hopper,grace@example.org,,\n"
    )
    rows = [csv_row_input(row) for row in parse_csv(text)]
    assert rows == [
        {
            "recipient": {"email": "ada@example.org", "name": "Ada Lovelace"},
            "narrative": "Made 12 edits",
            "evidence": [{"id": "https://example.org/e/1"}],
        },
        {"recipient": {"email": "grace@example.org", "name": "Grace Hopper"}},
    ]


def test_csv_with_did_column() -> None:
    rows = parse_csv("did,name\ndid:key:z6Mkabc,Learner\n")
    assert csv_row_input(rows[0]) == {"recipient": {"did": "did:key:z6Mkabc", "name": "Learner"}}


def test_short_rows_keep_what_they_have() -> None:
    rows = parse_csv("email,name\nonly@example.org\n")
    assert rows == [{"email": "only@example.org"}]


@pytest.mark.parametrize("text", ["", "colour,email\nred,a@b.org\n"])
def test_csv_without_known_header_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailedError):
        parse_csv(text)
