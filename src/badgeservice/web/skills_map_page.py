"""The skills map for people: ``/skills-map`` (the deployment's) and ``/issuers/{slug}/skills-map``
(one issuer's, with its wanted skills and their gap), each with its ``.csv`` and ``.json``.

They read what the API reads (``skills_map.public_map``: no token, aggregates only, an unknown
issuer a 404) and write no count the privacy rule hid: those say "fewer than 5", in the chart
(drawn by ``render.bar_chart``, inline SVG) and in the table beside it that holds the same
numbers. The downloads are the API's JSON and the service's CSV, labels in the page's language.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast, get_args

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request, Response
from markupsafe import Markup

from badgeservice.db.models import Issuer
from badgeservice.domain.skills_privacy import Count, Gap
from badgeservice.domain.urls import SITE, issuer_url, skills_map_page_url
from badgeservice.errors import NotFoundError
from badgeservice.http.attachments import csv_attachment, json_attachment
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep
from badgeservice.render.bar_chart import Bar, bar_chart
from badgeservice.services import skills_map
from badgeservice.services.skills_map import ItemCounts, SkillsMap
from badgeservice.web import i18n
from badgeservice.web.i18n import N_
from badgeservice.web.negotiation import cached

router = APIRouter(include_in_schema=False)
TOP_ITEMS = 15
MAX_AGE = 60
Extension = Literal["csv", "json"]
GAPS: tuple[Gap, ...] = ("nobody", "few", "covered")
GAP_COLOURS = {"nobody": "#b3261e", "few": "#8a5a00", "covered": "#1a7f37"}
GAP_LABELS = {
    "nobody": N_("Nobody holds it yet"),
    "few": N_("Fewer than %(threshold)d people hold it"),
    "covered": N_("Covered: %(threshold)d people or more hold it"),
}


def _public_map(
    request: Request, session: SessionDep, settings: SettingsDep, clock: ClockDep
) -> tuple[Issuer | None, SkillsMap]:
    """The map the API serves for this address: the issuer of its ``{slug}``, or none."""
    return skills_map.public_map(
        session,
        request.path_params.get("slug"),
        now=clock.now(),
        threshold=settings.skills_map_threshold,
    )


PublicMapDep = Annotated[tuple[Issuer | None, SkillsMap], Depends(_public_map)]


def _known_extension(extension: str) -> Extension:
    """``csv`` or ``json``; any other is no page (404), found before the map is counted."""
    if extension not in get_args(Extension):
        raise NotFoundError("The skills map is downloaded as .csv or .json.")
    return cast(Extension, extension)


# Before PublicMapDep in a signature: dependencies are solved in order.
ExtensionDep = Annotated[Extension, Depends(_known_extension)]


@router.get("/skills-map", response_class=Response)
def deployment_map_page(request: Request, found: PublicMapDep) -> Response:
    """The deployment's skills map: people per skill, by language and by issuer."""
    return _page(request, *found)


@router.get("/skills-map.{extension}", response_class=Response)
def deployment_map_download(
    extension: ExtensionDep, request: Request, found: PublicMapDep
) -> Response:
    """The deployment's skills map as CSV or JSON."""
    return _download(request, found[1], extension)


@router.get("/issuers/{slug}/skills-map", response_class=Response)
def issuer_map_page(slug: str, request: Request, found: PublicMapDep) -> Response:
    """One issuer's skills map, with its wanted skills and their gap."""
    return _page(request, *found)


@router.get("/issuers/{slug}/skills-map.{extension}", response_class=Response)
def issuer_map_download(
    slug: str, extension: ExtensionDep, request: Request, found: PublicMapDep
) -> Response:
    """One issuer's skills map as CSV or JSON."""
    return _download(request, found[1], extension)


def _download(request: Request, result: SkillsMap, extension: Extension) -> Response:
    language = i18n.negotiate(request)
    stem = "skills-map" + (f"-{result.issuer_slug}" if result.issuer_slug else "")
    if extension == "csv":
        response = csv_attachment(skills_map.as_csv(result, language), f"{stem}.csv")
    else:
        response = json_attachment(skills_map.as_json(result, language), f"{stem}.json")
    response = cached(request, response, bytes(response.body), max_age=MAX_AGE, immutable=False)
    return i18n.localized(request, response, language)


def written(count: Count, language: str) -> str:
    """A count as the page writes it: the number, or "fewer than 5" when it is hidden."""
    if count.value is None:
        return i18n.gettext(language, N_("fewer than %(threshold)d")) % {
            "threshold": count.threshold
        }
    return format_decimal(count.value, locale=language)


def _page(request: Request, issuer: Issuer | None, result: SkillsMap) -> Response:
    language = i18n.negotiate(request)
    slug = issuer.slug if issuer else None
    rows = [_row(item, language, deployment=issuer is None) for item in result.items]
    context = {
        "issuer": issuer and {"name": issuer.name, "href": issuer_url(SITE, issuer.slug)},
        "threshold": result.threshold,
        "rows": rows,
        "declared": any(
            c.value != 0 for i in result.items for c in (i.declared_known, i.declared_available)
        ),
        "chart": _people_chart(result, language),
        "wanted": _wanted(result, language) if issuer else None,
        "csv_href": skills_map_page_url(SITE, slug, ".csv"),
        "json_href": skills_map_page_url(SITE, slug, ".json"),
        "deployment_href": skills_map_page_url(SITE),
    }
    return i18n.page(request, "skills_map.html", language, context, max_age=MAX_AGE)


def _row(item: ItemCounts, language: str, *, deployment: bool) -> dict[str, Any]:
    """One skill of the table; every count already written as the page shows it."""
    return {
        "label": item.label(language),
        "url": item.url,
        "framework": item.framework_name,
        "people": written(item.people, language),
        "declared_known": written(item.declared_known, language),
        "declared_available": written(item.declared_available, language),
        "by_language": [(tag, written(c, language)) for tag, c in item.by_language],
        "by_issuer": [
            (key, skills_map_page_url(SITE, key), written(c, language)) for key, c in item.by_issuer
        ]
        if deployment
        else [],
        "gap": item.gap,
    }


def _rank(item: ItemCounts) -> tuple[float, str]:
    """Most people first; a hidden count (1 to threshold - 1) just under the threshold."""
    value = item.people.value
    return (-(item.people.threshold - 0.5 if value is None else value), item.code)


def _people_chart(result: SkillsMap, language: str) -> Markup | None:
    """The chart of the skills most people hold (``TOP_ITEMS``); ``None`` when nobody does."""
    held = sorted((i for i in result.items if i.people.value != 0), key=_rank)[:TOP_ITEMS]
    if not held:
        return None
    bars = [Bar(i.label(language), i.people.value, written(i.people, language)) for i in held]
    title = i18n.gettext(language, N_("People per skill"))
    description = i18n.gettext(
        language, N_("The skills most people hold, verified by an active credential.")
    )
    svg = bar_chart(
        bars,
        title=title,
        description=description,
        chart_id="people-chart",
        ceiling=result.threshold,
        rtl=i18n.direction(language) == "rtl",
    )
    return Markup(svg)  # noqa: S704 (bar_chart escapes every text it writes)


def _wanted(result: SkillsMap, language: str) -> dict[str, Any]:
    """The issuer's wanted skills by gap: a chart of how many in each, and each one."""
    translations = i18n.translations(language)
    labels = {
        gap: i18n.gettext(language, GAP_LABELS[gap]) % {"threshold": result.threshold}
        for gap in GAPS
    }
    bars = []
    for gap in GAPS:
        number = len(result.gap(gap))
        text = translations.ngettext("%(num)d skill", "%(num)d skills", number) % {"num": number}
        bars.append(Bar(labels[gap], number, text, GAP_COLOURS[gap]))
    chart = bar_chart(
        bars,
        title=i18n.gettext(language, N_("Wanted skills by gap")),
        description=i18n.gettext(language, N_("How many of the wanted skills people hold.")),
        chart_id="gap-chart",
        rtl=i18n.direction(language) == "rtl",
    )
    items = [i for gap in GAPS for i in result.gap(gap)]
    return {
        "chart": Markup(chart) if items else None,  # noqa: S704 (bar_chart escapes)
        "labels": labels,
        "rows": [_row(i, language, deployment=False) for i in items],
    }
