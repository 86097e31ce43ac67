"""The OB 3.0 classes as the strict 1EdTech JSON Schema (2024-07 build) constrains them.

Written from the spec's data model and the published ``achievementcredential`` schema, class by
class: which members are required, which must be arrays, which classes are closed, the
enumerations. Where the schema says less than the prose we say less too (an issuer must not
fail our check on a document the published schema accepts), for instance:

* ``identityHash`` is any string (the IdentityHash ``alg$hex`` form is prose only: the value may
  also be plaintext when ``hashed`` is false);
* dates (``validFrom``, ``activityStartDate``, ``dateOfBirth``…) are strings, formats unchecked;
* "the subject has ``id`` or ``identifier``" and "``Result.status`` when ``resultType`` is
  ``Status``" are prose-only rules.

See: https://www.imsglobal.org/spec/ob/v3p0/#data-model
"""

from __future__ import annotations

from badgeservice.domain.ob_schema._rules import (
    Model,
    Ref,
    Rule,
    array_of,
    boolean,
    choice,
    exactly,
    matching,
    number,
    text,
    type_set,
)

__all__ = ["ENDORSEMENTS", "MODELS", "define", "ref", "texts"]

LANGUAGE = r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
COMPACT_JWS = r"^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$"

IDENTIFIER_TYPES = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
        "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
        "ltiUserId", "identifier",
    }
)  # fmt: skip
ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
        "AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
        "CertificateOfCompletion", "Certification", "CommunityService", "Competency", "Course",
        "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
        "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License",
        "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
        "MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)  # fmt: skip
ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric", "CFRubricCriterion",
        "CFRubricCriterionLevel", "CTDL",
    }
)  # fmt: skip
RESULT_TYPES = frozenset(
    {
        "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "PredictedScore",
        "RawScore", "Result", "RubricCriterion", "RubricCriterionLevel", "RubricScore",
        "ScaledScore", "Status",
    }
)  # fmt: skip
RESULT_STATUSES = frozenset(
    {"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"}
)

MODELS: dict[str, Model] = {}


def ref(name: str) -> Rule:
    """The class ``name``, looked up when used (the model is recursive)."""
    return Ref(name, MODELS)


def define(model: Model) -> Model:
    MODELS[model.name] = model
    return model


def texts(names: str) -> dict[str, Rule]:
    """String members, named in one space-separated string."""
    return dict.fromkeys(names.split(), text)


ENDORSEMENTS: dict[str, Rule] = {
    "endorsement": array_of(ref("EndorsementCredential")),
    "endorsementJwt": array_of(matching(COMPACT_JWS, "a compact JWS")),
}

define(
    Model(
        "Image",
        {"id": text, "type": exactly("Image"), "caption": text},
        required=("id", "type"),
        closed=True,
    )
)
define(
    Model(
        "IdentityObject",
        {
            "type": exactly("IdentityObject"),
            "hashed": boolean,
            "identityHash": text,
            "identityType": choice(IDENTIFIER_TYPES, "an identifier type", extensible=True),
            "salt": text,
        },
        required=("type", "hashed", "identityHash", "identityType"),
        closed=True,
    )
)
define(
    Model(
        "IdentifierEntry",
        {
            "type": exactly("IdentifierEntry"),
            "identifier": text,
            "identifierType": choice(IDENTIFIER_TYPES, "an identifier type", extensible=True),
        },
        required=("type", "identifier", "identifierType"),
        closed=True,
    )
)
define(
    Model(
        "GeoCoordinates",
        {"type": exactly("GeoCoordinates"), "latitude": number, "longitude": number},
        required=("type", "latitude", "longitude"),
    )
)
define(
    Model(
        "Address",
        {
            "type": type_set("Address"),
            **texts("addressCountry addressCountryCode addressRegion addressLocality"),
            **texts("streetAddress postOfficeBoxNumber postalCode"),
            "geo": ref("GeoCoordinates"),
        },
        required=("type",),
    )
)
define(
    Model(
        "Profile",
        {
            "id": text,
            "type": type_set("Profile"),
            **texts("name url phone description email official"),
            **ENDORSEMENTS,
            "image": ref("Image"),
            "address": ref("Address"),
            "otherIdentifier": array_of(ref("IdentifierEntry")),
            "parentOrg": ref("Profile"),
            **texts("familyName givenName additionalName patronymicName familyNamePrefix"),
            **texts("honorificPrefix honorificSuffix dateOfBirth"),
        },
        required=("id", "type"),
    )
)
define(Model("Criteria", texts("id narrative")))
define(
    Model(
        "Alignment",
        {
            "type": type_set("Alignment"),
            **texts("targetCode targetDescription targetName targetFramework"),
            "targetType": choice(
                ALIGNMENT_TARGET_TYPES, "an alignment target type", extensible=True
            ),
            "targetUrl": text,
        },
        required=("type", "targetName", "targetUrl"),
    )
)
ALIGNMENTS = {"alignment": array_of(ref("Alignment"))}
define(
    Model(
        "Related",
        {
            "id": text,
            "type": type_set("Related"),
            "inLanguage": matching(LANGUAGE, "a language tag"),
            "version": text,
        },
        required=("id", "type"),
    )
)
define(
    Model(
        "RubricCriterionLevel",
        {
            "id": text,
            "type": type_set("RubricCriterionLevel"),
            **ALIGNMENTS,
            **texts("description level name points"),
        },
        required=("id", "type", "name"),
    )
)
define(
    Model(
        "ResultDescription",
        {
            "id": text,
            "type": type_set("ResultDescription"),
            **ALIGNMENTS,
            "allowedValue": array_of(text),
            **texts("name requiredLevel requiredValue valueMax valueMin"),
            "resultType": choice(RESULT_TYPES, "a result type", extensible=True),
            "rubricCriterionLevel": array_of(ref("RubricCriterionLevel")),
        },
        required=("id", "type", "name", "resultType"),
    )
)
define(
    Model(
        "Result",
        {
            "type": type_set("Result"),
            **texts("achievedLevel resultDescription value"),
            **ALIGNMENTS,
            "status": choice(RESULT_STATUSES, "a result status"),
        },
        required=("type",),
    )
)
define(
    Model(
        "Achievement",
        {
            "id": text,
            "type": type_set("Achievement"),
            **ALIGNMENTS,
            "achievementType": choice(ACHIEVEMENT_TYPES, "an achievement type", extensible=True),
            "creator": ref("Profile"),
            "creditsAvailable": number,
            "criteria": ref("Criteria"),
            **ENDORSEMENTS,
            **texts("description fieldOfStudy humanCode name specialization version"),
            "image": ref("Image"),
            "inLanguage": matching(LANGUAGE, "a language tag"),
            "otherIdentifier": array_of(ref("IdentifierEntry")),
            "related": array_of(ref("Related")),
            "resultDescription": array_of(ref("ResultDescription")),
            "tag": array_of(text),
        },
        required=("id", "type", "criteria", "description", "name"),
    )
)
define(
    Model(
        "Evidence",
        {
            "id": text,
            "type": type_set("Evidence"),
            **texts("narrative name description genre audience"),
        },
        required=("type",),
    )
)
define(
    Model(
        "AchievementSubject",
        {
            "id": text,
            "type": type_set("AchievementSubject"),
            **texts("activityEndDate activityStartDate licenseNumber narrative role term"),
            "creditsEarned": number,
            "achievement": ref("Achievement"),
            "identifier": array_of(ref("IdentityObject")),
            "image": ref("Image"),
            "result": array_of(ref("Result")),
            "source": ref("Profile"),
        },
        required=("type", "achievement"),
    )
)
define(
    Model(
        "EndorsementSubject",
        {"id": text, "type": type_set("EndorsementSubject"), "endorsementComment": text},
        required=("id", "type"),
    )
)
