"""The skills map's counts on a seeded dataset: distinct people per item, by language and by
issuer; only active credentials; the opt-out; the privacy threshold and its second-cell rule;
wanted skills' gap; declared skills imported from CapX profiles."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer, WantedSkill
from badgeservice.domain.skills_privacy import Count, breakdown
from badgeservice.errors import ValidationFailedError
from badgeservice.services import skills_map, skills_needs
from badgeservice.services.issuance import lookup_of
from tests import skills_seed as seed
from tests.factories import KEY_STORE, create_issuer

NOW = seed.MOMENT + timedelta(days=30)
T = 5


def _lookup(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@pytest.fixture
def dataset(session: Session) -> tuple[Issuer, Issuer]:
    wmde = create_issuer(session)
    wmfr = create_issuer(session, slug="wmfr", name="Wikimédia France")
    items = seed.capx_framework(session, ["Q1", "Q2", "Q3", "Q4", "Q5"])
    a = seed.achievement(session, wmde, ["Q1", "Q2"])
    b = seed.achievement(session, wmfr, ["Q1"])
    c = seed.achievement(session, wmde, ["Q4"])
    for n in range(6):
        seed.credential(session, wmde, a, _lookup(f"p{n}"))
    for n in (6, 7):
        seed.credential(session, wmde, a, _lookup(f"p{n}"), language="de")
    seed.credential(session, wmde, a, _lookup("p0"))  # the same person twice
    seed.credential(session, wmde, a, _lookup("p8"), revoked_at=seed.MOMENT)
    seed.credential(session, wmde, a, _lookup("p9"), suspended_at=seed.MOMENT)
    seed.credential(session, wmde, a, _lookup("p10"), valid_until=seed.MOMENT + timedelta(1))
    seed.credential(session, wmde, a, _lookup("p11"), valid_from=NOW + timedelta(days=1))
    # One learner, two claimed lookups: one person.
    seed.learner(session, [_lookup("l1"), _lookup("l2")])
    seed.credential(session, wmde, a, _lookup("l1"))
    seed.credential(session, wmde, a, _lookup("l2"))
    # A learner who left the map.
    seed.learner(session, [_lookup("x1")], excluded=True)
    seed.credential(session, wmde, a, _lookup("x1"))
    seed.credential(session, wmde, a, None)  # no lookup: the credential is the person
    for name in ("p0", "q1", "q2", "q3", "q4"):
        seed.credential(session, wmfr, b, _lookup(name))
    for name in ("p0", "p1"):
        seed.credential(session, wmde, c, _lookup(name))
    for qid in ("Q1", "Q3", "Q4"):
        session.add(WantedSkill(issuer_id=wmde.id, item_id=items[qid].id))
    session.commit()
    return wmde, wmfr


def _by_code(result: skills_map.SkillsMap) -> dict[str, skills_map.ItemCounts]:
    return {item.code: item for item in result.items}


def test_one_issuers_map_counts_distinct_people_with_active_credentials(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    wmde, wmfr = dataset
    items = _by_code(skills_map.skills_map(session, wmde, now=NOW, threshold=T))
    # p0..p7, the learner with two lookups, the credential without a lookup; not p8 (revoked),
    # p9 (suspended), p10 (expired), p11 (not yet valid), x1 (opted out).
    assert items["Q1"].people == Count(10, T)
    assert items["Q2"].people == Count(10, T)
    # de has 2 (hidden), so en (8) is hidden too: 10 - en would give de.
    assert items["Q1"].by_language == [("en", Count(None, T)), ("de", Count(None, T))]
    assert items["Q1"].by_issuer == []
    assert items["Q4"].people == Count(None, T)  # 2 people: fewer than 5
    assert items["Q1"].gap == "covered"
    assert items["Q3"].gap == "nobody"
    assert items["Q4"].gap == "few"
    assert items["Q2"].gap is None
    assert items["Q3"].people == Count(0, T)
    assert "Q5" not in items

    other = _by_code(skills_map.skills_map(session, wmfr, now=NOW, threshold=T))
    assert set(other) == {"Q1"}
    assert other["Q1"].people == Count(5, T)
    assert other["Q1"].gap is None


def test_the_deployments_map_counts_across_issuers(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    items = _by_code(skills_map.skills_map(session, None, now=NOW, threshold=T))
    # p0 holds Q1 from both issuers: one person.
    assert items["Q1"].people == Count(14, T)
    assert items["Q1"].by_issuer == [("wmde", Count(10, T)), ("wmfr", Count(5, T))]
    assert items["Q1"].by_language == [("en", Count(None, T)), ("de", Count(None, T))]
    assert items["Q1"].gap == "covered"
    assert items["Q3"].gap == "nobody"
    # A lower threshold shows what is above it.
    low = _by_code(skills_map.skills_map(session, None, now=NOW, threshold=2))
    assert low["Q1"].by_language == [("en", Count(12, 2)), ("de", Count(2, 2))]
    assert low["Q4"].people == Count(2, 2)
    assert low["Q4"].gap == "covered"


def test_time_moves_credentials_in_and_out(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    wmde, _ = dataset
    # Before p10's credential expired and p11's is valid: p10 counts, p11 does not.
    early = seed.MOMENT + timedelta(hours=1)
    assert _by_code(skills_map.skills_map(session, wmde, now=early, threshold=T))[
        "Q1"
    ].people == Count(11, T)
    later = NOW + timedelta(days=2)  # p11 is valid now
    assert _by_code(skills_map.skills_map(session, wmde, now=later, threshold=T))[
        "Q1"
    ].people == Count(11, T)


def test_opting_out_leaves_every_count(session: Session, dataset: tuple[Issuer, Issuer]) -> None:
    _wmde, _ = dataset
    user = seed.learner(session, [_lookup("p0")])
    session.commit()
    before = _by_code(skills_map.skills_map(session, None, now=NOW, threshold=1))
    user.skills_map_excluded = True
    session.commit()
    after = _by_code(skills_map.skills_map(session, None, now=NOW, threshold=1))
    assert before["Q1"].people.value == 14
    assert after["Q1"].people.value == 13
    assert dict(after["Q1"].by_issuer) == {"wmde": Count(9, 1), "wmfr": Count(4, 1)}
    assert after["Q4"].people == Count(1, 1)


def test_the_second_cell_rule() -> None:
    assert breakdown([9, 7, 3], 5) == [Count(9, 5), Count(None, 5), Count(None, 5)]
    assert breakdown([9, 3, 2], 5) == [Count(9, 5), Count(None, 5), Count(None, 5)]
    assert breakdown([9, 7], 5) == [Count(9, 5), Count(7, 5)]
    assert breakdown([3], 5) == [Count(None, 5)]
    assert Count(None, 5).as_json() == {"count": None, "fewerThan": 5}
    assert Count(None, 5).as_text() == "<5"
    assert Count(0, 5).as_json() == {"count": 0}


def test_wanted_skills_put_and_capx_import(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    wmde, _ = dataset
    wanted = skills_needs.put_wanted(
        session,
        wmde,
        {"items": [{"framework": "capx", "code": "Q2"}, {"url": seed.WIKIDATA + "Q5"}]},
    )
    assert [(w.code, w.source) for w in wanted] == [("Q2", "manual"), ("Q5", "manual")]
    with pytest.raises(ValidationFailedError) as raised:
        skills_needs.put_wanted(session, wmde, {"items": [{"framework": "capx", "code": "Q99"}]})
    assert raised.value.errors[0].pointer == "/items/0"

    export = {
        "organization": {"wanted_capacities": [101, 102, "Q3", 404, "Q77"]},
        "skills": [
            {"id": 101, "skill_wikidata_item": "Q1"},
            {"id": 102, "skill_wikidata_item": "Q4"},
            {"id": 404, "skill_wikidata_item": "Q2"},
        ],
    }
    result = skills_needs.import_capx_wanted(session, wmde, export)
    assert result.unmatched == ["Q77"]
    codes = {(w.code, w.source) for w in skills_needs.list_wanted(session, wmde)}
    assert codes == {
        ("Q1", "capx"),
        ("Q2", "manual"),
        ("Q3", "capx"),
        ("Q4", "capx"),
        ("Q5", "manual"),
    }
    bad = {"organization": {"wanted_capacities": [999]}, "skills": []}
    with pytest.raises(ValidationFailedError) as raised:
        skills_needs.import_capx_wanted(session, wmde, bad)
    assert raised.value.errors[0].pointer == "/wanted_capacities/0"
    skills_needs.clear_wanted(session, wmde)
    assert skills_needs.list_wanted(session, wmde) == []


def test_declared_skills_from_capx_profiles(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    wmde, _ = dataset
    names = ["Ada", "Bea", "Cem", "Dov", "Eli", "Fay"]
    profiles = [
        {"username": name, "skills_known": [1, "Q5"], "skills_available": ["Q5"] if i < 2 else []}
        for i, name in enumerate(names)
    ]
    profiles.append({"user": {"username": "Gone"}, "skills_known": ["Q5"]})
    seed.learner(session, [lookup_of(KEY_STORE, "wikimedia_username", "Gone")], excluded=True)
    body = {"profiles": profiles, "skills": [{"id": 1, "skill_wikidata_item": "Q1"}]}
    result = skills_needs.import_capx_profiles(session, wmde, KEY_STORE, body)
    session.commit()
    assert result.imported == 6 * 2 + 2 + 1
    assert result.unmatched == []
    items = _by_code(skills_map.skills_map(session, wmde, now=NOW, threshold=T))
    assert items["Q5"].declared_known == Count(6, T)  # "Gone" opted out
    assert items["Q5"].declared_available == Count(None, T)
    assert items["Q5"].people == Count(0, T)
    assert items["Q1"].declared_known == Count(6, T)
    # A re-import replaces the issuer's declared skills.
    skills_needs.import_capx_profiles(
        session, wmde, KEY_STORE, {"profiles": profiles[:1], "skills": body["skills"]}
    )
    session.commit()
    items = _by_code(skills_map.skills_map(session, wmde, now=NOW, threshold=1))
    assert items["Q5"].declared_known == Count(1, 1)
    with pytest.raises(ValidationFailedError):
        skills_needs.import_capx_profiles(session, wmde, KEY_STORE, {"profiles": [{"x": 1}]})


def test_a_learners_verified_skills_by_framework(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    user = seed.learner(session, [_lookup("p0"), _lookup("p8")])
    session.commit()
    grouped = skills_map.learner_skills(session, user, NOW)
    assert [(f.key, [i.code for i in items]) for f, items in grouped] == [
        ("capx", ["Q1", "Q2", "Q4"])
    ]


def test_the_csv_and_json_hide_small_counts(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    wmde, _ = dataset
    result = skills_map.skills_map(session, wmde, now=NOW, threshold=T)
    lines = skills_map.as_csv(result).lstrip("\ufeff").split("\r\n")
    assert lines[0].split(",")[:5] == ["framework", "code", "url", "label", "people"]
    q1 = next(line for line in lines if ",Q1," in line).split(",")
    assert q1[4] == "10"
    assert q1[7:10] == ["yes", "covered", "en=<5;de=<5"]
    q4 = next(line for line in lines if ",Q4," in line).split(",")
    assert q4[4] == "<5"
    assert q4[8] == "few"
    items = {item["code"]: item for item in skills_map.as_json(result, "de")["items"]}
    assert items["Q4"]["people"] == {"count": None, "fewerThan": 5}
    assert items["Q1"]["label"] == "Fähigkeit Q1"
    assert items["Q1"]["declaredNotVerified"]["known"] == {"count": 0}


def test_grouping_sets_count_what_the_union_counts(
    session: Session, dataset: tuple[Issuer, Issuer]
) -> None:
    """PostgreSQL's one-pass GROUPING SETS and SQLite's UNION ALL give the same rows."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("GROUPING SETS are PostgreSQL's")
    wmde, _ = dataset
    for issuer in (None, wmde):
        union = set(session.execute(skills_map.held_query(issuer, NOW)))
        grouped = set(session.execute(skills_map.held_query(issuer, NOW, grouping_sets=True)))
        assert len(union) >= 8  # wmde: Q1, Q2, Q4 overall and by language (two for Q1, Q2)
        assert grouped == union
