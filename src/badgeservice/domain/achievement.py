"""The OB 3.0 Achievement document built from an issuer's multilingual definition.

OB 3.0 has no language maps: ``name``, ``description`` and ``criteria.narrative`` are plain
strings. An Achievement is rendered in one language with ``inLanguage``, and the other
languages are linked as ``related`` Achievements (OB 3.0 §Related; spec issue #550).

See: https://www.imsglobal.org/spec/ob/v3p0/#achievement
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from badgeservice.domain.languages import pick_text

ACHIEVEMENT_TYPES = [
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
]
RESULT_TYPES = [
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
]
ALIGNMENT_TARGET_TYPES = [
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
]
EXTENSION_PATTERN = r"^ext:[a-zA-Z0-9.\-_]+$"


@dataclass(frozen=True)
class AchievementDefinition:
    """What an issuer defines; texts are maps of BCP 47 tag → text, each holding the default
    language."""

    url: str
    default_language: str
    name: dict[str, str]
    description: dict[str, str]
    criteria_narrative: dict[str, str] = field(default_factory=dict)
    criteria_url: str | None = None
    image_url: str | None = None
    achievement_type: str | None = None
    tags: list[str] = field(default_factory=list)
    alignments: list[dict[str, str]] = field(default_factory=list)
    result_descriptions: list[dict[str, Any]] = field(default_factory=list)
    creator: dict[str, Any] | None = None

    @property
    def languages(self) -> list[str]:
        return achievement_languages(self.default_language, self.name)


def achievement_languages(default_language: str, name: Mapping[str, str]) -> list[str]:
    """An achievement's languages: the default first, then the others of its name map."""
    return [default_language, *sorted(set(name) - {default_language})]


def build_achievement(
    definition: AchievementDefinition, language: str | None = None
) -> dict[str, Any]:
    """The Achievement object in ``language`` (falling back to the default language)."""
    d = definition
    chosen, name = pick_text(d.name, language or d.default_language, d.default_language)
    _, description = pick_text(d.description, chosen, d.default_language)
    achievement: dict[str, Any] = {
        "id": d.url,
        "type": ["Achievement"],
        "name": name,
        "description": description,
        "criteria": _criteria(d, chosen),
        "inLanguage": chosen,
    }
    if d.achievement_type:
        achievement["achievementType"] = d.achievement_type
    if d.image_url:
        achievement["image"] = {"id": d.image_url, "type": "Image", "caption": name}
    if d.tags:
        achievement["tag"] = list(d.tags)
    if d.alignments:
        achievement["alignment"] = [{"type": ["Alignment"], **a} for a in d.alignments]
    if d.result_descriptions:
        achievement["resultDescription"] = [
            {"type": ["ResultDescription"], **r} for r in d.result_descriptions
        ]
    if d.creator:
        achievement["creator"] = {"type": ["Profile"], **d.creator}
    related = [
        {"id": f"{d.url}?lang={tag}", "type": ["Related"], "inLanguage": tag}
        for tag in d.languages
        if tag != chosen
    ]
    if related:
        achievement["related"] = related
    return achievement


def _criteria(definition: AchievementDefinition, language: str) -> dict[str, str]:
    criteria: dict[str, str] = {}
    if definition.criteria_url:
        criteria["id"] = definition.criteria_url
    if definition.criteria_narrative:
        narratives = definition.criteria_narrative
        _, criteria["narrative"] = pick_text(narratives, language, definition.default_language)
    return criteria


# The texts an achievement keeps per language (its image caption is its name). ``name`` and
# ``description`` are needed in every language; a criteria narrative only once some language
# has one (the criteria may be a URL alone).
TRANSLATED_FIELDS = ("name", "description", "narrative")
_NEEDED_EVERYWHERE = frozenset({"name", "description"})


def missing_texts(
    texts: Mapping[str, Mapping[str, str]], languages: Iterable[str]
) -> dict[str, list[str]]:
    """For each of ``languages``, the ``TRANSLATED_FIELDS`` with no text in it (blank text
    counts as none), in that order; languages missing nothing are left out. ``texts`` maps a
    field to its texts by language tag, e.g. ``{"name": {"en": "…"}, "description": {…}}``."""
    used = [
        name
        for name in TRANSLATED_FIELDS
        if name in _NEEDED_EVERYWHERE or any(t.strip() for t in texts.get(name, {}).values())
    ]
    missing: dict[str, list[str]] = {}
    for tag in languages:
        lacking = [name for name in used if not texts.get(name, {}).get(tag, "").strip()]
        if lacking:
            missing[tag] = lacking
    return missing
