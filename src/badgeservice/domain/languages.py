"""Language tags (BCP 47) and picking text from a per-language map with a fallback."""

from __future__ import annotations

from collections.abc import Mapping

import langcodes


class LanguageTagError(ValueError):
    pass


def normalize_language(tag: str) -> str:
    """A well-formed, valid BCP 47 tag in its standard form (``en_us`` → ``en-US``).

    See: https://www.rfc-editor.org/rfc/rfc5646
    """
    try:
        normalized = str(langcodes.standardize_tag(tag))
    except (ValueError, LookupError) as exc:
        raise LanguageTagError(f"'{tag}' is not a BCP 47 language tag") from exc
    if not langcodes.tag_is_valid(normalized):
        raise LanguageTagError(f"'{tag}' is not a BCP 47 language tag")
    return normalized


def pick_text(texts: Mapping[str, str], language: str, default: str) -> tuple[str, str]:
    """The text for ``language``, else for its base language (``de`` for ``de-CH``), else the
    default language's. Returns ``(language used, text)``."""
    if language in texts:
        return language, texts[language]
    base = language.split("-")[0]
    if base in texts:
        return base, texts[base]
    for tag, text in texts.items():
        if tag.split("-")[0] == base:
            return tag, text
    return default, texts[default]
