from __future__ import annotations

import pytest

from badgeservice.errors import ValidationFailedError
from badgeservice.services.batches import csv_row_input, parse_csv, read_csv


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


@pytest.mark.parametrize("text", ["", "\n", "colour,size\nred,L\n", "colour;size\nred;L\n"])
def test_csv_without_known_header_is_refused(text: str) -> None:
    with pytest.raises(ValidationFailedError):
        parse_csv(text)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_csv_is_read_with_any_excel_separator(separator: str, line_end: str, bom: str) -> None:
    lines = [["Name", "E-Mail-Adresse", "Email"], ["Zoë Müller", "ignored", "zoe@example.org"]]
    text = bom + line_end.join(separator.join(line) for line in lines) + line_end
    upload = read_csv(text)
    assert upload.rows == [{"name": "Zoë Müller", "email": "zoe@example.org"}]
    assert [w["code"] for w in upload.warnings] == ["csv_columns_ignored"]
    assert "e-mail-adresse" in upload.warnings[0]["message"]


def test_separator_inside_quotes_does_not_decide() -> None:
    upload = read_csv('name,email\n"Lovelace; Ada",ada@example.org\n')
    assert upload.rows == [{"name": "Lovelace; Ada", "email": "ada@example.org"}]
    assert upload.warnings == []


def test_quoted_line_break_in_a_crlf_file_stays_in_its_field() -> None:
    upload = read_csv('email;narrative\r\nada@example.org;"Line one\r\nline two"\r\n')
    assert upload.rows == [{"email": "ada@example.org", "narrative": "Line one\r\nline two"}]


def test_lines_of_bare_separators_are_not_rows() -> None:
    upload = read_csv("email;name\r\nada@example.org;Ada\r\n;\r\n;\r\n")
    assert upload.rows == [{"email": "ada@example.org", "name": "Ada"}]
