"""Our model of the 1EdTech AchievementCredential JSON Schema gives the same verdict as the
published schema (python-jsonschema, Draft 2019-09) on real and mutated credentials, and
reports the path of each violation."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft201909Validator

from badgeservice.domain.ob_schema import (
    check_achievement_credential,
    check_endorsement_credential,
)
from badgeservice.domain.ob_schema._classes import MODELS
from badgeservice.domain.recipient import Recipient
from badgeservice.vc import sign_credential
from tests.unit.ob_documents import (
    CONTEXTS,
    DID,
    JWS,
    KEY,
    RECIPIENTS,
    VM,
    built_credential,
    endorsement,
    rich_credential,
    rich_endorsement,
)

Path_ = tuple[str | int, ...]


@pytest.fixture(scope="module")
def validator(shared_data: Path) -> Draft201909Validator:
    schema = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    return Draft201909Validator(schema)


@pytest.fixture(scope="module")
def endorsement_validator(shared_data: Path) -> Draft201909Validator:
    schema = json.loads((shared_data / "schemas" / "endorsementcredential.json").read_text())
    return Draft201909Validator(schema)


def disagreements(
    validator: Draft201909Validator,
    documents: list[Any],
    check: Callable[[Any], list[Any]] = check_achievement_credential,
) -> list[str]:
    """Documents on which our verdict differs from the published schema's."""
    found = []
    for document in documents:
        ours = not check(document)
        if ours != validator.is_valid(document):
            found.append(f"ours={ours}: {json.dumps(document)[:300]}")
    return found


# --- mutations ---------------------------------------------------------------------------------

WRONG_VALUES: list[Any] = [42, 2.5, True, None, "text", {}, [], ["text"], [{}]]
WORDS = [
    *("ext:custom", "ext:-custom", "ext:a-b", "see ext:x", "ext:", "EXT:x", "ext:é", ""),
    *("Badge", "emailaddress", "email", "Status", "Completed", "Image", "IdentityObject"),
    *("IdentifierEntry", "GeoCoordinates", "Profile", "CFItem", "EndorsementSubject"),
    *("EndorsementCredential", "VerifiableCredential"),
    *("en", "en-US", "zh-Hant-TW", "es-419", "EN", "en\n", "e", "en-us"),
    *(JWS, "a..c", ".b.c", "a.b.", "a.b", "sha256$abc", "plain text"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.9.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3-3.0.2.json",
    "http://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://www.w3.org/2018/credentials/v1",
    CONTEXTS[0],
]
# Members whose strings the schema constrains beyond "a string": enums, patterns, contexts.
WORDY_MEMBERS = {
    "type", "identityType", "identifierType", "achievementType", "resultType", "targetType",
    "status", "inLanguage", "endorsementJwt", "@context", "identityHash",
}  # fmt: skip


def nodes(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for step, item in items:
            yield from nodes(item, (*path, step))


def _parent(document: dict[str, Any], path: Path_) -> Any:
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    return parent


def replaced(document: dict[str, Any], path: Path_, new: Any) -> dict[str, Any]:
    result = copy.deepcopy(document)
    _parent(result, path)[path[-1]] = copy.deepcopy(new)
    return result


def dropped(document: dict[str, Any], path: Path_) -> dict[str, Any]:
    result = copy.deepcopy(document)
    del _parent(result, path)[path[-1]]
    return result


def member(path: Path_) -> str:
    return next((step for step in reversed(path) if isinstance(step, str)), "")


def _kind(value: Any) -> str:
    return (
        "number"
        if isinstance(value, int | float) and not isinstance(value, bool)
        else str(type(value))
    )


Mutation = Callable[[dict[str, Any]], list[dict[str, Any]]]
MUTATIONS: dict[str, Mutation] = {
    "drop_each_member": lambda d: [dropped(d, p) for p, _ in nodes(d) if p],
    "array_to_single_value": lambda d: [
        replaced(d, p, v[0]) for p, v in nodes(d) if p and isinstance(v, list) and v
    ],
    "single_value_to_array": lambda d: [
        replaced(d, p, [v]) for p, v in nodes(d) if p and not isinstance(v, list)
    ],
    "empty_array": lambda d: [replaced(d, p, []) for p, v in nodes(d) if isinstance(v, list)],
    "wrong_type": lambda d: [
        replaced(d, p, w) for p, v in nodes(d) if p for w in WRONG_VALUES if _kind(w) != _kind(v)
    ],
    "extra_member": lambda d: [
        replaced(d, p, {**v, "extraMember": "x"}) if p else {**v, "extraMember": "x"}
        for p, v in nodes(d)
        if isinstance(v, dict)
    ],
    "odd_string": lambda d: [
        replaced(d, p, w)
        for p, v in nodes(d)
        if p and isinstance(v, str) and member(p) in WORDY_MEMBERS
        for w in WORDS
    ],
}


def bases() -> list[dict[str, Any]]:
    proof = [{"type": "DataIntegrityProof"}]
    return [rich_credential(), built_credential(RECIPIENTS[0]) | {"proof": proof}]


@pytest.mark.parametrize("recipient", RECIPIENTS, ids=lambda r: r.kind)
def test_built_credentials_conform_like_the_published_schema(
    validator: Draft201909Validator, recipient: Recipient
) -> None:
    document = built_credential(recipient)
    signed = sign_credential(document, KEY, VM)  # a single proof object: not conforming
    assert validator.is_valid(document)
    assert check_achievement_credential(document) == []
    assert disagreements(validator, [document, signed, rich_credential()]) == []
    assert check_achievement_credential(signed)[0].path == "proof"


@pytest.mark.parametrize(
    "pattern",
    ["vectors/1edtech-eddsa-rdfc-2022/*.json", "vectors/**/signed*.json", "vectors/**/*.json"],
)
def test_shared_vectors_get_the_published_schema_verdict(
    validator: Draft201909Validator, shared_data: Path, pattern: str
) -> None:
    documents = [json.loads(path.read_text()) for path in sorted(shared_data.glob(pattern))]
    documents = [document for document in documents if isinstance(document, dict)]
    assert documents
    assert disagreements(validator, documents) == []


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_mutated_credentials_get_the_published_schema_verdict(
    validator: Draft201909Validator, mutation: str
) -> None:
    documents = [mutant for base in bases() for mutant in MUTATIONS[mutation](base)]
    assert disagreements(validator, documents) == []
    assert any(check_achievement_credential(document) for document in documents)


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_mutated_endorsements_get_the_published_endorsement_schema_verdict(
    endorsement_validator: Draft201909Validator, mutation: str
) -> None:
    originals = [rich_endorsement(), endorsement()]
    assert [check_endorsement_credential(original) for original in originals] == [[], []]
    documents = [mutant for base in originals for mutant in MUTATIONS[mutation](base)]
    found = disagreements(endorsement_validator, documents, check_endorsement_credential)
    assert found == []
    assert any(check_endorsement_credential(document) for document in documents)


def test_achievement_and_endorsement_schemas_tell_the_classes_apart(
    validator: Draft201909Validator, endorsement_validator: Draft201909Validator
) -> None:
    documents = [rich_credential(), rich_endorsement()]
    assert [validator.is_valid(d) for d in documents] == [True, False]
    assert [endorsement_validator.is_valid(d) for d in documents] == [False, True]
    assert disagreements(validator, documents) == []
    assert disagreements(endorsement_validator, documents, check_endorsement_credential) == []


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
DROP = object()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_get_the_published_schema_verdict(
    validator: Draft201909Validator, data: st.DataObject
) -> None:
    document = rich_credential()
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [path for path, _ in nodes(document) if path]
        path = data.draw(st.sampled_from(paths))
        new = data.draw(st.sampled_from([*WRONG_VALUES, *WORDS, DROP]) | JSON_VALUES)
        document = dropped(document, path) if new is DROP else replaced(document, path, new)
    assert disagreements(validator, [document]) == []


# --- paths ---------------------------------------------------------------------------------------

IDENTIFIER: Path_ = ("credentialSubject", "identifier", 0)
ACHIEVEMENT: Path_ = ("credentialSubject", "achievement")


@pytest.mark.parametrize(
    ("where", "new", "path"),
    [
        ((*IDENTIFIER, "identityHash"), 5, "credentialSubject.identifier[0].identityHash"),
        ((*IDENTIFIER, "identityType"), "email", "credentialSubject.identifier[0].identityType"),
        (("proof",), {"type": "DataIntegrityProof"}, "proof"),
        (("issuer", "id"), DROP, "issuer.id"),
        (("issuer", "parentOrg", "type"), "Profile", "issuer.parentOrg.type"),
        ((*ACHIEVEMENT, "image", "url"), "x", "credentialSubject.achievement.image.url"),
        ((*ACHIEVEMENT, "image"), "https://x.example/i.png", "credentialSubject.achievement.image"),
        ((*ACHIEVEMENT, "criteria"), DROP, "credentialSubject.achievement.criteria"),
        (("@context", 0), "https://www.w3.org/2018/credentials/v1", "@context[0]"),
        (("type",), ["VerifiableCredential"], "type"),
        (
            ("endorsement", 0, "credentialSubject", "id"),
            DROP,
            "endorsement[0].credentialSubject.id",
        ),
    ],
)
def test_issue_path_names_the_offending_member(where: Path_, new: Any, path: str) -> None:
    base = rich_credential()
    document = dropped(base, where) if new is DROP else replaced(base, where, new)
    issues = check_achievement_credential(document)
    assert [issue.path for issue in issues] == [path]


PROBES: list[Any] = [
    *WRONG_VALUES,
    *WORDS,
    [42],
    {"id": "https://x.example/i.png", "type": "Image"},
    {"id": DID, "type": ["Profile"]},
    ["VerifiableCredential", "OpenBadgeCredential"],
    [CONTEXTS[0], "https://purl.imsglobal.org/spec/ob/v3p0/context.json"],
]


# CLR 2.0's classes (domain/ob_schema/_clr.py): not in the OB 3.0 schema, checked in
# tests/integration/test_clr.py and against 1EdTech's CLR vector.
CLR_MODELS = {"Association", "ClrCredential", "ClrSubject"}


@pytest.mark.parametrize("name", sorted(set(MODELS) - CLR_MODELS))
def test_every_member_rule_agrees_with_its_schema_property(shared_data: Path, name: str) -> None:
    schema = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    found = []
    for prop, rule in MODELS[name].members.items():
        if name == "AchievementCredential":
            part = {"$defs": schema["$defs"], **schema["properties"][prop]}
        else:
            part = {"$defs": schema["$defs"], "$ref": f"#/$defs/{name}/properties/{prop}"}
        validator = Draft201909Validator(part)
        found += [
            f"{prop}={probe!r}"
            for probe in PROBES
            if (not list(rule(probe, prop))) != validator.is_valid(probe)
        ]
    assert found == []


def test_1edtechs_clr_vector_fits_our_clr_model_read_leniently() -> None:
    """The test data of 1EdTech's CLR 2.0 vector has no issue but single values where arrays
    are wanted (read as one-item arrays, as for OB credentials); a ClrCredential without its
    bundled credentials, or with an unknown association type, has issues."""
    from badgeservice.domain.ob_schema._clr import CLR_CREDENTIAL
    from badgeservice.domain.ob_schema._pipeline import _lenient_issues

    vector = json.loads(
        (Path(__file__).parents[1] / "interop" / "data" / "clr-2.0-test-vector.json").read_text()
    )
    issues, warnings = _lenient_issues(CLR_CREDENTIAL, vector)
    assert issues == []
    assert [warning.code for warning in warnings] == ["schema_compacted_value"]
    broken = json.loads(json.dumps(vector))
    del broken["credentialSubject"]["verifiableCredential"]
    broken["credentialSubject"]["association"][0]["associationType"] = "follows"
    issues, _ = _lenient_issues(CLR_CREDENTIAL, broken)
    assert [issue.path for issue in issues] == [
        "credentialSubject.verifiableCredential",
        "credentialSubject.association[0].associationType",
    ]
