"""The skills map's API: the map of one issuer or of the deployment (public: aggregates only,
every count under the threshold hidden) and an issuer's wanted skills (``issuer:write`` to
change), with the Capacity Exchange imports of wanted and declared skills."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from badgeservice.db.models import Issuer
from badgeservice.http.deps import ClockDep, IssuerDep, KeyStoreDep, SessionDep, SettingsDep
from badgeservice.http.problems import problem_responses
from badgeservice.services import skills_map, skills_needs

router = APIRouter(tags=["skills map"])
_ERRORS = problem_responses(401, 403, 404, 422)
_WANTED = "/api/v1/issuers/{slug}/wanted-skills"


def _wanted_json(entries: list[skills_needs.WantedEntry]) -> dict[str, Any]:
    return {
        "items": [
            {
                "framework": e.framework_key,
                "code": e.code,
                "url": e.url,
                "labels": e.labels,
                "source": e.source,
            }
            for e in entries
        ]
    }


@router.get("/api/v1/skills-map", summary="The deployment's skills map")
def deployment_map(
    session: SessionDep, settings: SettingsDep, clock: ClockDep, lang: str = "en"
) -> JSONResponse:
    """Per framework item: distinct people holding an active aligned credential, by language
    and by issuer. A count under the threshold is `{"count": null, "fewerThan": 5}`."""
    _, result = skills_map.public_map(
        session, None, now=clock.now(), threshold=settings.skills_map_threshold
    )
    return JSONResponse(skills_map.as_json(result, lang))


@router.get(
    "/api/v1/issuers/{slug}/skills-map",
    responses=problem_responses(404),
    summary="An issuer's skills map and gap",
)
def issuer_map(
    slug: str, session: SessionDep, settings: SettingsDep, clock: ClockDep, lang: str = "en"
) -> JSONResponse:
    """The issuer's credentials only; each wanted skill has `gap`: `nobody`, `few`, `covered`."""
    _, result = skills_map.public_map(
        session, slug, now=clock.now(), threshold=settings.skills_map_threshold
    )
    return JSONResponse(skills_map.as_json(result, lang))


@router.get(_WANTED, responses=_ERRORS, summary="The issuer's wanted skills")
def get_wanted(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")], session: SessionDep
) -> dict[str, Any]:
    return _wanted_json(skills_needs.list_wanted(session, issuer))


@router.put(_WANTED, responses=_ERRORS, summary="Replace the issuer's wanted skills")
def put_wanted(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")],
    body: dict[str, Any],
    session: SessionDep,
) -> dict[str, Any]:
    """`{"items": [{"framework": "capx", "code": "Q…"} | {"url": "…"}]}` replaces the manual
    wanted skills (those imported from CapX stay)."""
    entries = skills_needs.put_wanted(session, issuer, body)
    session.commit()
    return _wanted_json(entries)


@router.delete(
    _WANTED,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Remove every wanted skill",
)
def delete_wanted(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")], session: SessionDep
) -> Response:
    skills_needs.clear_wanted(session, issuer)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(_WANTED + "/capx", responses=_ERRORS, summary="Import CapX wanted capacities")
def import_wanted(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")],
    body: dict[str, Any],
    session: SessionDep,
) -> dict[str, Any]:
    """A CapX organisation export (`wanted_capacities`: skill ids or QIDs) and, for ids, the
    CapX skills list (`skills`: `id`, `skill_wikidata_item`)."""
    result = skills_needs.import_capx_wanted(session, issuer, body)
    session.commit()
    return {"imported": result.imported, "unmatched": result.unmatched}


@router.post(
    "/api/v1/issuers/{slug}/declared-skills/capx",
    responses=_ERRORS,
    summary="Import CapX profiles' declared skills",
)
def import_declared(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")],
    body: dict[str, Any],
    session: SessionDep,
    key_store: KeyStoreDep,
) -> dict[str, Any]:
    """`{"profiles": [{"username", "skills_known", "skills_available"}], "skills": […]}`;
    replaces the issuer's declared skills. Usernames are kept only as lookup hashes."""
    result = skills_needs.import_capx_profiles(session, issuer, key_store, body)
    session.commit()
    return {"imported": result.imported, "unmatched": result.unmatched}
