"""The issuer console (``/console``): pages for issuer staff, one module per area. Each page
calls the services the API calls, as the signed-in member (``common.StaffDep``)."""

from __future__ import annotations

from fastapi import APIRouter

from badgeservice.web.console import achievements, home

ROUTERS: list[APIRouter] = [home.router, achievements.router]
