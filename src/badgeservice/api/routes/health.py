"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database answers
and its schema is at the newest migration)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.exc import SQLAlchemyError

from badgeservice.api.schemas.common import HealthOut
from badgeservice.db.migrations import current_revisions
from badgeservice.errors import ServiceUnavailableError
from badgeservice.http.problems import problem_responses

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthOut, response_model_exclude_none=True)
def healthz() -> HealthOut:
    return HealthOut(status="ok")


@router.get("/readyz", response_model=HealthOut, responses=problem_responses(503))
def readyz(request: Request) -> HealthOut:
    heads: set[str] = request.app.state.migration_heads
    try:
        current = current_revisions(request.app.state.engine)
    except SQLAlchemyError as exc:
        raise ServiceUnavailableError("The database is not reachable.") from exc
    if current != heads:
        raise ServiceUnavailableError(
            "The database schema is not at the newest migration; run 'badgeservice db upgrade'.",
            current=sorted(current),
            expected=sorted(heads),
        )
    return HealthOut(status="ready", database="ok", revision=",".join(sorted(current)))
