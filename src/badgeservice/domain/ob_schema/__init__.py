"""Our model of the 1EdTech OB 3.0 AchievementCredential JSON Schema, and the ``schema``
check of the verification pipeline built on it.

The rules are written from the spec's data model and the published schema (2024-07 build of
``ob_v3p0_achievementcredential`` — the strict one: arrays required); nothing is fetched and no
schema file is read at run time. :func:`check_achievement_credential` is exactly as strict as
that schema, :func:`check_endorsement_credential` as strict as the EndorsementCredential
schema; :data:`schema_check` adds the verifier's reading (single values where arrays are
wanted and a ``credentialStatus`` array pass with warnings, VC 1.1 credentials are not
covered; see ``_pipeline``).

See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
"""

from badgeservice.domain.ob_schema._credentials import (
    check_achievement_credential,
    check_endorsement_credential,
)
from badgeservice.domain.ob_schema._pipeline import check_schema, schema_check
from badgeservice.domain.ob_schema._rules import SchemaIssue

__all__ = [
    "SchemaIssue",
    "check_achievement_credential",
    "check_endorsement_credential",
    "check_schema",
    "schema_check",
]
