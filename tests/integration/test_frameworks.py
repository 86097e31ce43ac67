"""Skill frameworks: importing the Capacity Exchange's capacities, ESCO's CSV download and a
CASE CFPackage (small files written here, in each format's published layout), re-importing in
place, searching by label in any language, and aligning an achievement to an item."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from badgeservice.cli import app
from badgeservice.db.models import FrameworkItem
from badgeservice.errors import ValidationFailedError
from badgeservice.services import frameworks
from tests.factories import (
    ACHIEVEMENT,
    ISSUER_API,
    TEST_SECRET_KEY,
    bearer,
    create_token,
    issue_over_api,
)

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ESCO_SKILL = "http://data.europa.eu/esco/skill/"
# The published column layout of ESCO's skills_{lang}.csv (v1.2).
ESCO_COLUMNS = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
]
BROADER_COLUMNS = ["conceptType", "conceptUri", "broaderType", "broaderUri"]

CAPX = [
    {
        "id": 1,
        "skill_wikidata_item": "Q1",
        "skill_type": None,
        "labels": {"en": "Community", "pt-br": "Comunidade"},
    },
    {
        "id": 7,
        "skill_wikidata_item": "Q7",
        "skill_type": [1],
        "labels": {"en": "Organising events", "de": "Veranstaltungen organisieren"},
        "descriptions": {"en": "Planning edit-a-thons and meetups"},
    },
    {"id": 9, "skill_wikidata_item": "Q9", "skill_type": 7, "skill_name": "Running an edit-a-thon"},
]


def esco_zip(
    languages: dict[str, list[tuple[str, str, str]]], broader: list[tuple[str, str]]
) -> bytes:
    """An ESCO download: ``{lang: [(uuid, preferred label, alt labels)]}`` and (child, parent)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for lang, rows in languages.items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(ESCO_COLUMNS)
            for code, label, alt in rows:
                writer.writerow(
                    [
                        "KnowledgeSkillCompetence",
                        ESCO_SKILL + code,
                        "skill/competence",
                        "cross-sector",
                        label,
                        alt,
                        "",
                        "released",
                        "2024-01-25T11:05:25.000Z",
                        "",
                        "",
                        "http://data.europa.eu/esco/concept-scheme/skills",
                        f"{label}: description",
                    ]
                )
            archive.writestr(
                f"ESCO dataset - v1.2.0 - classification - {lang} - csv/skills_{lang}.csv",
                text.getvalue(),
            )
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(BROADER_COLUMNS)
        for child, parent in broader:
            writer.writerow(
                [
                    "KnowledgeSkillCompetence",
                    ESCO_SKILL + child,
                    "KnowledgeSkillCompetence",
                    ESCO_SKILL + parent,
                ]
            )
        writer.writerow(
            [
                "KnowledgeSkillCompetence",
                ESCO_SKILL + "aaa",
                "SkillGroup",
                "http://data.europa.eu/esco/isced-f/00",
            ]
        )
        archive.writestr("broaderRelationsSkillPillar_en.csv", text.getvalue())
    return out.getvalue()


ESCO = esco_zip(
    {
        "en": [
            ("aaa", "use wikis", "edit wiki pages\nwiki editing"),
            ("bbb", "moderate online communities", ""),
        ],
        "fr": [("aaa", "utiliser des wikis", ""), ("bbb", "modérer des communautés en ligne", "")],
    },
    [("bbb", "aaa")],
)


def case_package(statement: str = "Explains what a citation is") -> dict[str, Any]:
    node = {
        "identifier": "doc-1",
        "uri": "https://case.example.org/uri/doc-1",
        "title": "Wiki literacy",
    }
    return {
        "CFDocument": {
            **node,
            "creator": "Example",
            "language": "en",
            "version": "1.0",
            "lastChangeDateTime": "2026-01-01T00:00:00+00:00",
        },
        "CFItems": [
            {
                "identifier": "i-1",
                "uri": "https://case.example.org/uri/i-1",
                "fullStatement": "Sources and citations",
                "humanCodingScheme": "WL.1",
                "CFItemType": "Strand",
            },
            {
                "identifier": "i-2",
                "uri": "https://case.example.org/uri/i-2",
                "fullStatement": statement,
                "humanCodingScheme": "WL.1.1",
                "CFItemType": "Standard",
            },
        ],
        "CFAssociations": [
            {
                "identifier": "a-1",
                "associationType": "isChildOf",
                "originNodeURI": {
                    "identifier": "i-2",
                    "uri": "https://case.example.org/uri/i-2",
                    "title": "WL.1.1",
                },
                "destinationNodeURI": {
                    "identifier": "i-1",
                    "uri": "https://case.example.org/uri/i-1",
                    "title": "WL.1",
                },
            },
        ],
    }


def items_of(session: Session, key: str) -> dict[str, FrameworkItem]:
    framework = frameworks.get_framework(session, key)
    rows = session.scalars(select(FrameworkItem).where(FrameworkItem.framework_id == framework.id))
    return {row.code: row for row in rows}


def test_capx_export_imports_with_its_hierarchy_and_languages(session: Session) -> None:
    framework = frameworks.import_framework(
        session, "capx", json.dumps(CAPX).encode(), now=NOW, actor="t"
    )
    items = items_of(session, "capx")
    assert (framework.key, framework.item_count, framework.name) == (
        "capx",
        3,
        "Wikimedia Capacity Exchange",
    )
    assert items["Q7"].parent_code == "Q1"
    assert items["Q9"].parent_code == "Q7"
    assert [items[q].depth for q in ("Q1", "Q7", "Q9")] == [0, 1, 2]
    assert items["Q7"].url == "http://www.wikidata.org/entity/Q7"
    assert items["Q7"].labels == {"en": "Organising events", "de": "Veranstaltungen organisieren"}
    assert items["Q1"].labels["pt-BR"] == "Comunidade"


def test_a_sparql_result_imports_as_capx(session: Session) -> None:
    entity = "http://www.wikidata.org/entity/"
    result = {
        "head": {"vars": ["item", "itemLabel", "broader"]},
        "results": {
            "bindings": [
                {
                    "item": {"type": "uri", "value": entity + "Q10"},
                    "itemLabel": {"xml:lang": "en", "value": "Teaching"},
                },
                {
                    "item": {"type": "uri", "value": entity + "Q10"},
                    "itemLabel": {"xml:lang": "ja", "value": "教えること"},
                },
                {
                    "item": {"type": "uri", "value": entity + "Q11"},
                    "itemLabel": {"xml:lang": "en", "value": "Mentoring"},
                    "broader": {"type": "uri", "value": entity + "Q10"},
                },
            ]
        },
    }
    frameworks.import_framework(session, "capx", json.dumps(result).encode(), now=NOW, actor="t")
    items = items_of(session, "capx")
    assert items["Q10"].labels == {"en": "Teaching", "ja": "教えること"}
    assert items["Q11"].parent_code == "Q10"


def test_esco_csv_download_merges_languages_and_reads_the_hierarchy(session: Session) -> None:
    framework = frameworks.import_framework(
        session, "esco", ESCO, now=NOW, actor="t", version="v1.2"
    )
    items = items_of(session, "esco")
    assert framework.name == "ESCO v1.2"
    assert items["aaa"].labels == {"en": "use wikis", "fr": "utiliser des wikis"}
    assert items["aaa"].url == ESCO_SKILL + "aaa"
    assert items["aaa"].parent_code is None  # its broader item is a skill group, not in the file
    assert items["bbb"].parent_code == "aaa"
    assert items["aaa"].item_type == "skill/competence"
    found, _ = frameworks.search_items(session, "wiki editing")
    assert [item.code for _, item in found] == ["aaa"]  # an alternative label


def test_case_package_imports_items_and_is_child_of(session: Session) -> None:
    data = json.dumps(case_package()).encode()
    framework = frameworks.import_framework(session, "case", data, now=NOW, actor="t")
    items = items_of(session, "case-doc-1")
    assert (framework.name, framework.version) == ("Wiki literacy", "1.0")
    assert items["i-2"].parent_code == "i-1"
    assert items["i-2"].human_code == "WL.1.1"
    alignment = frameworks.alignment_of(framework, items["i-2"], "en")
    assert alignment == {
        "targetName": "Explains what a citation is",
        "targetUrl": "https://case.example.org/uri/i-2",
        "targetCode": "i-2",
        "targetFramework": "Wiki literacy",
        "targetType": "CFItem",
    }


def test_reimport_updates_in_place_and_retires_what_is_gone(session: Session) -> None:
    frameworks.import_framework(session, "capx", json.dumps(CAPX).encode(), now=NOW, actor="t")
    before = {code: item.id for code, item in items_of(session, "capx").items()}
    changed = [dict(CAPX[0], labels={"en": "Community work"}), CAPX[1]]
    frameworks.import_framework(session, "capx", json.dumps(changed).encode(), now=NOW, actor="t")
    after = items_of(session, "capx")
    assert {code: item.id for code, item in after.items()} == before
    assert after["Q1"].labels == {"en": "Community work"}
    assert after["Q9"].retired_at is not None
    assert [item.code for _, item in frameworks.search_items(session, "edit-a-thon")[0]] == []
    frameworks.import_framework(session, "capx", json.dumps(CAPX).encode(), now=NOW, actor="t")
    assert items_of(session, "capx")["Q9"].retired_at is None


@pytest.mark.parametrize(
    ("kind", "data", "words"),
    [
        ("capx", b"not json", "not JSON"),
        ("capx", b'{"a": 1}', "list of capacities"),
        ("capx", json.dumps([{"id": 1}]).encode(), "no Wikidata item"),
        ("capx", b"[]", "no items"),
        ("esco", b"PK not a zip", "zip"),
        ("esco", esco_zip({}, []), "skills_{lang}.csv"),
        ("case", b"[]", "CFPackage"),
        (
            "case",
            json.dumps({"CFDocument": {"title": "T"}, "CFItems": [{"identifier": "x"}]}).encode(),
            "CFItem",
        ),
        ("onet", b"{}", "framework kind"),
    ],
)
def test_bad_files_are_refused_with_a_reason(
    session: Session, kind: str, data: bytes, words: str
) -> None:
    with pytest.raises(ValidationFailedError, match=words.replace("{", r"\{").replace("}", r"\}")):
        frameworks.import_framework(session, kind, data, now=NOW, actor="t")


def test_search_by_label_in_any_language(session: Session) -> None:
    frameworks.import_framework(session, "capx", json.dumps(CAPX).encode(), now=NOW, actor="t")
    frameworks.import_framework(session, "esco", ESCO, now=NOW, actor="t")
    assert [i.code for _, i in frameworks.search_items(session, "VERANSTALTUNGEN")[0]] == ["Q7"]
    assert [i.code for _, i in frameworks.search_items(session, "communautés")[0]] == ["bbb"]
    assert [i.code for _, i in frameworks.search_items(session, "100%")[0]] == []
    capx = frameworks.get_framework(session, "capx")
    roots, total = frameworks.search_items(session, framework=capx, parent="Q1")
    assert ([i.code for _, i in roots], total) == (["Q7"], 1)


def test_the_api_imports_for_admins_and_searches_for_anyone(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    admin_headers = bearer(create_token(session))
    body = json.dumps(CAPX).encode()
    typed = {"Content-Type": "application/json"}
    refused = client.post("/api/v1/frameworks/capx/import", content=body, headers=headers | typed)
    assert refused.status_code == 403, refused.text
    made = client.post(
        "/api/v1/frameworks/capx/import", content=body, headers=admin_headers | typed
    )
    assert made.status_code == 201, made.text
    assert made.json()["itemCount"] == 3
    again = client.post(
        "/api/v1/frameworks/capx/import", content=body, headers=admin_headers | typed
    )
    assert again.status_code == 200
    bad = client.post("/api/v1/frameworks/capx/import", content=b"{", headers=admin_headers | typed)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "not JSON" in bad.json()["detail"]
    unknown = client.post("/api/v1/frameworks/onet/import", content=body, headers=admin_headers)
    assert unknown.status_code == 422
    zipped = client.post(
        "/api/v1/frameworks/esco/import?version=v1.2",
        content=ESCO,
        headers=admin_headers | {"Content-Type": "application/zip"},
    )
    assert zipped.status_code == 201, zipped.text
    assert [f["key"] for f in client.get("/api/v1/frameworks").json()] == ["capx", "esco"]
    found = client.get("/api/v1/framework-items", params={"q": "veranstaltungen", "lang": "de"})
    assert found.status_code == 200
    (item,) = found.json()["items"]
    assert item["alignment"] == {
        "targetName": "Veranstaltungen organisieren",
        "targetUrl": "http://www.wikidata.org/entity/Q7",
        "targetCode": "Q7",
        "targetFramework": "Wikimedia Capacity Exchange",
        "targetType": "ext:WikidataItem",
        "targetDescription": "Planning edit-a-thons and meetups",
    }
    children = client.get("/api/v1/frameworks/capx/items", params={"parent": "Q7"}).json()
    assert [i["code"] for i in children["items"]] == ["Q9"]
    assert client.get("/api/v1/frameworks/nope").status_code == 404

    # The alignment goes into an achievement as it is, and into a credential that verifies.
    achievement = ACHIEVEMENT | {"alignments": [item["alignment"]]}
    created = client.post(f"{ISSUER_API}/achievements", json=achievement, headers=headers)
    assert created.status_code == 201, created.text
    issued = issue_over_api(client, headers, created.json()["id"])
    signed = issued["credential"]
    (alignment,) = signed["credentialSubject"]["achievement"]["alignment"]
    assert alignment["targetType"] == "ext:WikidataItem"
    assert alignment["targetUrl"] == "http://www.wikidata.org/entity/Q7"
    report = client.post("/api/v1/verify", json=signed).json()
    assert report["verified"] is True, report
    assert next(c for c in report["checks"] if c["id"] == "schema")["outcome"] == "passed"


def test_the_cli_imports_an_esco_folder_and_lists_frameworks(
    session: Session, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BADGESERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("BADGESERVICE_SECRET_KEY", TEST_SECRET_KEY)
    folder = tmp_path / "esco"
    with zipfile.ZipFile(io.BytesIO(ESCO)) as archive:
        archive.extractall(folder)
    runner = CliRunner()
    done = runner.invoke(app, ["frameworks", "import", "esco", str(folder), "--version", "v1.2"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == "esco: 2 items (ESCO v1.2)"
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(case_package()))
    assert runner.invoke(app, ["frameworks", "import", "case", str(case_file)]).exit_code == 0
    listed = runner.invoke(app, ["frameworks", "list"])
    assert listed.output.splitlines() == [
        "case-doc-1\tcase\t2\tWiki literacy",
        "esco\tesco\t2\tESCO v1.2",
    ]
    case_file.write_text("{")
    failed = runner.invoke(app, ["frameworks", "import", "case", str(case_file)])
    assert failed.exit_code == 1
    assert "not JSON" in failed.output
    missing = runner.invoke(app, ["frameworks", "import", "capx", str(tmp_path / "none.json")])
    assert missing.exit_code == 2
