"""The issuer console (``/console``): pages for issuer staff, one module per area. Each page
calls the services the API calls, as the signed-in member (``common.StaffDep``)."""

from __future__ import annotations

from fastapi import APIRouter

from badgeservice.web.console import (
    achievements,
    audit,
    batches,
    credentials,
    events,
    home,
    issue,
    members,
    packs,
    profile,
    tokens,
    wanted_skills,
)

# events before issue: "/issue/event" is its own page, not a step of issuing.
ROUTERS: list[APIRouter] = [
    home.router,
    achievements.router,
    packs.router,
    events.router,
    issue.router,
    batches.router,
    credentials.router,
    audit.router,
    profile.router,
    tokens.router,
    members.router,
    wanted_skills.router,
]
