"""Language tags (BCP 47) and picking text from a per-language map with a fallback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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


def match_language(tags: Iterable[str], language: str) -> str | None:
    """The tag among ``tags`` that serves ``language``: the same tag, else its base language
    (``de`` for ``de-CH``), else another tag of that base language; ``None`` when none does."""
    offered = list(tags)
    if language in offered:
        return language
    base = language.split("-")[0]
    if base in offered:
        return base
    return next((tag for tag in offered if tag.split("-")[0] == base), None)


def pick_text(texts: Mapping[str, str], language: str, default: str) -> tuple[str, str]:
    """The text for ``language`` (as ``match_language`` finds it), else the default
    language's. Returns ``(language used, text)``."""
    chosen = match_language(texts, language) or default
    return chosen, texts[chosen]


def label_in(labels: Mapping[str, object], language: str, fallback: str) -> str:
    """A framework item's label for ``language`` (as ``match_language`` finds it), else its
    English one, else its first; ``fallback`` (its code) when it has none."""
    texts = {tag: text for tag, text in labels.items() if isinstance(text, str) and text}
    chosen = match_language(texts, language) or match_language(texts, "en")
    return texts[chosen] if chosen else next(iter(texts.values()), fallback)
