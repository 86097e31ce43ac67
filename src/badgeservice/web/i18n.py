"""The pages' languages: gettext catalogues, language negotiation, dates, and rendering.

The ``.po`` catalogues under ``web/locales`` are compiled in memory with Babel when this module
is imported (no build step, no ``.mo`` files in the repository). A page's language is chosen by
``?lang=``, then the ``lang`` cookie (set when ``?lang=`` picks a language), then
``Accept-Language``, then English. Regional tags use their base language (``fr-CA`` → ``fr``).

Templates call ``_("…")`` (Jinja's i18n extension, new style: ``_("Hello %(name)s", name=x)``);
the translations come from the ``lang`` of the template context, so one environment serves
every language at once.
"""

from __future__ import annotations

import gettext as gettext_module
from datetime import UTC, date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request, Response
from jinja2 import pass_context
from jinja2.runtime import Context

from badgeservice.web.negotiation import cached, templates

DEFAULT_LANGUAGE = "en"
# Each language's own name, for the switcher.
LANGUAGES = {
    "en": "English",
    "ja": "日本語",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "ar": "العربية",
}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LOCALES_DIR = Path(__file__).parent / "locales"
VARY = "Accept, Accept-Language, Cookie"
_MAX_ACCEPT_ITEMS = 32


def N_(message: str) -> str:
    """Marks a string for extraction (``pybabel extract -k N_``); translated later."""
    return message


@cache
def translations(language: str, domain: str = "messages") -> gettext_module.NullTranslations:
    """The compiled catalogue of a supported language (English needs none); ``domain``
    ``mail`` is the messages' catalogue (``web/mail.py``)."""
    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{domain}.po"
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE or not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def direction(language: str) -> str:
    """``rtl`` or ``ltr`` for ``<html dir>``, from the CLDR character order."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def supported(tag: str | None) -> str | None:
    """The supported language for a tag (``de-CH`` → ``de``), or ``None``."""
    if not tag:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def accepted_languages(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` header, most preferred first (``q=0`` dropped).

    See: https://www.rfc-editor.org/rfc/rfc9110#name-accept-language
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:_MAX_ACCEPT_ITEMS]):
        tag, _, parameters = item.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag.strip() and weight > 0:
            ranked.append((-weight, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(request: Request) -> str:
    """``?lang=`` → ``lang`` cookie → ``Accept-Language`` → English."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        chosen = supported(candidate)
        if chosen:
            return chosen
    for tag in accepted_languages(request.headers.get("accept-language", "")):
        chosen = supported(tag)
        if chosen:
            return chosen
    return DEFAULT_LANGUAGE


def _parsed(text: str) -> datetime | str:
    """An ISO date or date-time (``Z`` allowed), or the text itself when it is neither."""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text


def format_date(value: object, language: str) -> str:
    """A date in the language's long form (``15. Januar 2026``); dates in UTC. Text that is
    not an ISO date is returned as it is; nothing (``None``, undefined) gives ``""``."""
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)
    if not isinstance(value, date):
        return ""
    return babel_format_date(value, format="long", locale=language)


def format_datetime(value: object, language: str) -> str:
    """A moment in the language's long form, in UTC (``2. Dezember 2026 um 10:00:00 UTC``);
    text that is not an ISO date-time is returned as it is, nothing gives ``""``."""
    if isinstance(value, str):
        value = _parsed(value)
        if isinstance(value, str):
            return value
    if not isinstance(value, datetime):
        return ""
    moment = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return babel_format_datetime(moment, format="long", tzinfo=UTC, locale=language)


def switcher(request: Request, language: str) -> list[dict[str, Any]]:
    """One link per language: this page with ``?lang=`` (other query parameters kept)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [
        {
            "code": code,
            "name": name,
            "href": f"{request.url.path}?{urlencode([*query, ('lang', code)])}",
            "current": code == language,
        }
        for code, name in LANGUAGES.items()
    ]


def render(
    request: Request,
    name: str,
    language: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """A page in ``language``, not cached (answers to forms)."""
    return localized(request, _template(request, name, language, context, status_code), language)


def page(
    request: Request, name: str, language: str, context: dict[str, Any], *, max_age: int
) -> Response:
    """A page in ``language`` with a strong ETag of its bytes (304 when unchanged)."""
    rendered = _template(request, name, language, context, 200)
    response = cached(request, rendered, bytes(rendered.body), max_age=max_age, immutable=False)
    return localized(request, response, language)


def _template(
    request: Request, name: str, language: str, context: dict[str, Any], status_code: int
) -> Response:
    values = {
        **context,
        "lang": language,
        "dir": direction(language),
        "languages": switcher(request, language),
        "lang_query": supported(request.query_params.get("lang")) == language,
    }
    return templates.TemplateResponse(request, name, values, status_code=status_code)


def localized(request: Request, response: Response, language: str) -> Response:
    """``Vary``, ``Content-Language``, and the ``lang`` cookie when ``?lang=`` chose it."""
    response.headers["Vary"] = VARY
    response.headers["Content-Language"] = language
    chosen = supported(request.query_params.get("lang"))
    if chosen and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE, chosen, max_age=COOKIE_MAX_AGE, path="/", samesite="lax", httponly=True
        )
        # A response that sets a cookie is for this browser only.
        cache_control = response.headers.get("Cache-Control")
        response.headers["Cache-Control"] = (
            cache_control.replace("public", "private") if cache_control else "private, no-cache"
        )
    return response


@pass_context
def _gettext(context: Context, message: str) -> str:
    return gettext(context.get("lang") or DEFAULT_LANGUAGE, message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang") or DEFAULT_LANGUAGE).ngettext(singular, plural, n)


@pass_context
def _date_filter(context: Context, value: object) -> str:
    return format_date(value, context.get("lang") or DEFAULT_LANGUAGE)


@pass_context
def _datetime_filter(context: Context, value: object) -> str:
    return format_datetime(value, context.get("lang") or DEFAULT_LANGUAGE)


def language_name(tag: str) -> str:
    """A language's name in that language (``de`` → ``Deutsch``), else the tag."""
    try:
        locale = Locale.parse(tag, sep="-")
        name = locale.get_display_name(locale)
    except (ValueError, TypeError, LookupError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def install() -> None:
    """Jinja's i18n extension on the shared ``templates`` environment; catalogues loaded."""
    env = templates.env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date_filter
    env.filters["datetime"] = _datetime_filter
    env.filters["language_name"] = language_name
    for language in LANGUAGES:
        translations(language)


install()
