"""The printed certificate's own words in each shipped language, and its dates.

A small table rather than the gettext catalogues: the PDF has a dozen fixed phrases and no
templates. ``{date}`` in a note is replaced by a date formatted for the language (CLDR, Babel).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from babel.dates import format_date

DEFAULT_LANGUAGE = "en"
RTL_LANGUAGES = frozenset({"ar"})

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Certificate of achievement",
        "certifies": "This certifies that",
        "earned": "has earned",
        "issued_by": "Issued by",
        "issued_on": "Issued on",
        "valid_until": "Valid until",
        "scan": "Scan to view this credential online",
        "verify": "Verify it at",
        "credential_id": "Credential ID",
        "revoked": "REVOKED",
        "revoked_note": "This credential was revoked by its issuer on {date}. "
        "It is no longer valid.",
        "suspended": "SUSPENDED",
        "suspended_note": "This credential is suspended by its issuer and is not valid for now.",
        "expired": "EXPIRED",
        "expired_note": "This credential expired on {date}.",
        "not_yet_valid": "NOT YET VALID",
        "not_yet_valid_note": "This credential becomes valid on {date}.",
    },
    "ja": {
        "title": "認定証",
        "certifies": "受領者",
        "earned": "取得した認定",
        "issued_by": "発行者",
        "issued_on": "発行日",
        "valid_until": "有効期限",
        "scan": "スキャンしてオンラインで表示",
        "verify": "検証はこちら",
        "credential_id": "証明書ID",
        "revoked": "失効",
        "revoked_note": "この証明書は{date}に発行者によって失効されました。現在は無効です。",
        "suspended": "一時停止中",
        "suspended_note": "この証明書は発行者によって一時停止されており、現在は無効です。",
        "expired": "期限切れ",
        "expired_note": "この証明書の有効期限は{date}に切れました。",
        "not_yet_valid": "未発効",
        "not_yet_valid_note": "この証明書は{date}から有効になります。",
    },
    "es": {
        "title": "Certificado de logro",
        "certifies": "Se certifica que",
        "earned": "ha obtenido",
        "issued_by": "Emitido por",
        "issued_on": "Fecha de emisión",
        "valid_until": "Válido hasta",
        "scan": "Escanee para ver esta credencial en línea",
        "verify": "Verifíquela en",
        "credential_id": "ID de la credencial",
        "revoked": "REVOCADA",
        "revoked_note": "El emisor revocó esta credencial el {date}. Ya no es válida.",
        "suspended": "SUSPENDIDA",
        "suspended_note": "El emisor ha suspendido esta credencial; por ahora no es válida.",
        "expired": "CADUCADA",
        "expired_note": "Esta credencial caducó el {date}.",
        "not_yet_valid": "AÚN NO VÁLIDA",
        "not_yet_valid_note": "Esta credencial será válida a partir del {date}.",
    },
    "fr": {
        "title": "Certificat de réussite",
        "certifies": "Nous certifions que",
        "earned": "a obtenu",
        "issued_by": "Délivré par",
        "issued_on": "Délivré le",
        "valid_until": "Valable jusqu'au",
        "scan": "Scannez pour consulter ce titre en ligne",
        "verify": "Vérifiez-le sur",
        "credential_id": "Identifiant du titre",
        "revoked": "RÉVOQUÉ",
        "revoked_note": "Ce titre a été révoqué par son émetteur le {date}. Il n'est plus valable.",
        "suspended": "SUSPENDU",
        "suspended_note": "Ce titre est suspendu par son émetteur "
        "et n'est pas valable pour l'instant.",
        "expired": "EXPIRÉ",
        "expired_note": "Ce titre a expiré le {date}.",
        "not_yet_valid": "PAS ENCORE VALIDE",
        "not_yet_valid_note": "Ce titre sera valide à partir du {date}.",
    },
    "de": {
        "title": "Leistungsnachweis",
        "certifies": "Hiermit wird bestätigt, dass",
        "earned": "Folgendes erreicht hat",
        "issued_by": "Ausgestellt von",
        "issued_on": "Ausgestellt am",
        "valid_until": "Gültig bis",
        "scan": "Scannen, um den Nachweis online anzusehen",
        "verify": "Prüfen unter",
        "credential_id": "Nachweis-ID",
        "revoked": "WIDERRUFEN",
        "revoked_note": "Der Aussteller hat diesen Nachweis am {date} widerrufen. Er ist ungültig.",
        "suspended": "AUSGESETZT",
        "suspended_note": "Der Aussteller hat diesen Nachweis ausgesetzt; er gilt derzeit nicht.",
        "expired": "ABGELAUFEN",
        "expired_note": "Dieser Nachweis ist am {date} abgelaufen.",
        "not_yet_valid": "NOCH NICHT GÜLTIG",
        "not_yet_valid_note": "Dieser Nachweis ist ab dem {date} gültig.",
    },
    "ar": {
        "title": "شهادة إنجاز",
        "certifies": "نشهد بأن",
        "earned": "قد حصل على",
        "issued_by": "صادرة عن",
        "issued_on": "تاريخ الإصدار",
        "valid_until": "صالحة حتى",
        "scan": "امسح الرمز لعرض هذه الشهادة على الإنترنت",
        "verify": "تحقق منها على",
        "credential_id": "معرّف الشهادة",
        "revoked": "ملغاة",
        "revoked_note": "ألغى المُصدِر هذه الشهادة بتاريخ {date}. لم تعد صالحة.",
        "suspended": "معلّقة",
        "suspended_note": "علّق المُصدِر هذه الشهادة، وهي غير صالحة حاليًا.",
        "expired": "منتهية الصلاحية",
        "expired_note": "انتهت صلاحية هذه الشهادة بتاريخ {date}.",
        "not_yet_valid": "غير سارية بعد",
        "not_yet_valid_note": "تصبح هذه الشهادة سارية اعتبارًا من {date}.",
    },
}


def label_language(candidates: Iterable[str | None]) -> str:
    """The first candidate tag whose base language has labels (``de`` for ``de-CH``), else
    English. Candidates come in the caller's order of preference."""
    for tag in candidates:
        if not tag:
            continue
        base = tag.strip().replace("_", "-").split("-")[0].lower()
        if base in LABELS:
            return base
    return DEFAULT_LANGUAGE


def is_rtl(language: str) -> bool:
    return language in RTL_LANGUAGES


def format_day(day: date, language: str) -> str:
    """A date as the language writes it in full (``24 November 2026``, ``2026年11月24日``).

    See: https://unicode.org/reports/tr35/tr35-dates.html#Date_Format_Patterns
    """
    return str(format_date(day, format="long", locale=language))
