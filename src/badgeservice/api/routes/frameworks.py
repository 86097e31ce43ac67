"""`/api/v1/frameworks`: import skill frameworks (admin), read and search them (anyone)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from badgeservice.api.schemas.common import Limit, Offset, Page
from badgeservice.api.schemas.frameworks import FrameworkItemOut, FrameworkOut
from badgeservice.db.models import Framework, FrameworkItem
from badgeservice.http.deps import ClockDep, PrincipalDep, RawBodyDep, SessionDep
from badgeservice.http.problems import problem_responses
from badgeservice.services import frameworks

router = APIRouter(prefix="/api/v1", tags=["frameworks"])
Query200 = Annotated[str, Query(max_length=200, description="Words of a label, any language.")]
Language = Annotated[str, Query(max_length=35, description="The language of `alignment`.")]
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "string", "format": "binary"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def framework_out(framework: Framework) -> FrameworkOut:
    return FrameworkOut(
        key=framework.key,
        kind=framework.kind,
        name=framework.name,
        title=framework.title,
        url=framework.url,
        version=framework.version,
        item_count=framework.item_count,
        imported_at=framework.imported_at,
    )


def item_out(framework: Framework, item: FrameworkItem, language: str) -> FrameworkItemOut:
    return FrameworkItemOut(
        framework=framework.key,
        code=item.code,
        url=item.url,
        parent_code=item.parent_code,
        labels=item.labels,
        descriptions=item.descriptions,
        item_type=item.item_type,
        human_code=item.human_code,
        depth=item.depth,
        retired=item.retired_at is not None,
        alignment=frameworks.alignment_of(framework, item, language),
    )


@router.post(
    "/frameworks/{kind}/import",
    responses=problem_responses(401, 403, 413, 422),
    openapi_extra=IMPORT_BODY,
)
def import_framework(
    kind: Literal["capx", "esco", "case"],
    body: RawBodyDep,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
    key: Annotated[str | None, Query(max_length=100)] = None,
    version: Annotated[str | None, Query(max_length=100)] = None,
) -> FrameworkOut:
    """Import a framework file (admin): a Capacity Exchange JSON export or SPARQL result
    (`capx`), a zip of ESCO's CSV download (`esco`), a CASE CFPackage (`case`). Re-importing
    updates items in place (same ids); items missing from the file are retired. Up to the
    server's body limit (`BADGESERVICE_MAX_BODY_BYTES`); larger files with the CLI."""
    principal.require_admin()
    before = {framework.key for framework in frameworks.list_frameworks(session)}
    framework = frameworks.import_framework(
        session, kind, body, now=clock.now(), actor=principal.actor, key=key, version=version
    )
    existed = framework.key in before
    session.commit()
    response.status_code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
    return framework_out(framework)


@router.get("/frameworks")
def list_frameworks(session: SessionDep) -> list[FrameworkOut]:
    """Every imported framework (public)."""
    return [framework_out(f) for f in frameworks.list_frameworks(session)]


@router.get("/frameworks/{key}", responses=problem_responses(404))
def get_framework(key: str, session: SessionDep) -> FrameworkOut:
    return framework_out(frameworks.get_framework(session, key))


@router.get("/frameworks/{key}/items", responses=problem_responses(404, 422))
def framework_items(
    key: str,
    session: SessionDep,
    q: Query200 = "",
    lang: Language = "en",
    parent: Annotated[str | None, Query(max_length=200)] = None,
    retired: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[FrameworkItemOut]:
    """A framework's items: all, those under `parent`, or those whose label holds `q`."""
    framework = frameworks.get_framework(session, key)
    found, total = frameworks.search_items(
        session, q, framework=framework, parent=parent, retired=retired, limit=limit, offset=offset
    )
    return Page[FrameworkItemOut](
        items=[item_out(f, item, lang) for f, item in found],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/framework-items", responses=problem_responses(422))
def search_items(
    session: SessionDep,
    q: Query200 = "",
    lang: Language = "en",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[FrameworkItemOut]:
    """Items of every framework whose label in any language holds `q`, each with its ready
    `alignment` (named in `lang`) for an achievement's `alignments`."""
    found, total = frameworks.search_items(session, q, limit=limit, offset=offset)
    return Page[FrameworkItemOut](
        items=[item_out(f, item, lang) for f, item in found],
        total=total,
        limit=limit,
        offset=offset,
    )
