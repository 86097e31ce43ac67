"""All models, imported here so ``Base.metadata`` knows every table (Alembic reads it)."""

from badgeservice.db.models.account import (
    CredentialChoice,
    RecipientClaim,
    User,
    UserIdentity,
    WebSession,
)
from badgeservice.db.models.achievement import Achievement
from badgeservice.db.models.api_token import ApiToken
from badgeservice.db.models.audit_event import AuditEvent
from badgeservice.db.models.batch import Batch, BatchItem
from badgeservice.db.models.credential import Credential
from badgeservice.db.models.endorsement import Endorsement
from badgeservice.db.models.framework import (
    CredentialAlignment,
    DeclaredSkill,
    Framework,
    FrameworkItem,
    WantedSkill,
)
from badgeservice.db.models.idempotency_key import IdempotencyKey
from badgeservice.db.models.image import Image
from badgeservice.db.models.issuer import Issuer
from badgeservice.db.models.issuer_key import IssuerKey
from badgeservice.db.models.mail import MailMessage
from badgeservice.db.models.member import IssuerMember
from badgeservice.db.models.pack import Pack, PackAward, PackStep
from badgeservice.db.models.sign_in import EmailLink, OAuthState, RateLimitHit
from badgeservice.db.models.status_list import StatusAllocation, StatusList

__all__ = [
    "Achievement",
    "ApiToken",
    "AuditEvent",
    "Batch",
    "BatchItem",
    "Credential",
    "CredentialAlignment",
    "CredentialChoice",
    "DeclaredSkill",
    "EmailLink",
    "Endorsement",
    "Framework",
    "FrameworkItem",
    "IdempotencyKey",
    "Image",
    "Issuer",
    "IssuerKey",
    "IssuerMember",
    "MailMessage",
    "OAuthState",
    "Pack",
    "PackAward",
    "PackStep",
    "RateLimitHit",
    "RecipientClaim",
    "StatusAllocation",
    "StatusList",
    "User",
    "UserIdentity",
    "WantedSkill",
    "WebSession",
]
