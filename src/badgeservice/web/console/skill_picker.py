"""The achievement editor's skill picker: find items of the imported frameworks by label (in
any language) and add one as an alignment row, filled in, without JavaScript (the editor's
``find-skills`` and ``pick-skill:{framework}:{code}`` buttons)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Framework, FrameworkItem
from badgeservice.domain.languages import label_in
from badgeservice.services import frameworks
from badgeservice.web.console.achievement_form import AchievementForm

RESULTS = 10
PICK = "pick-skill:"


def picked(session: Session, form: AchievementForm, action: str, language: str) -> AchievementForm:
    """The form with the picked item as a new alignment row (once: not when one already
    points at the same ``targetUrl``)."""
    if not action.startswith(PICK):
        return form
    key, _, code = action.removeprefix(PICK).partition(":")
    found = session.execute(
        select(Framework, FrameworkItem)
        .join(FrameworkItem, FrameworkItem.framework_id == Framework.id)
        .where(Framework.key == key, FrameworkItem.code == code)
    ).first()
    if found is None:
        return form
    alignment = frameworks.alignment_of(found[0], found[1], language)
    rows = list(form.body.get("alignments") or [])
    if any(row.get("targetUrl") == alignment["targetUrl"] for row in rows):
        return form
    return AchievementForm(form.body | {"alignments": [*rows, alignment]}, form.languages)


def state(session: Session, query: str, language: str) -> dict[str, Any]:
    """What the picker shows: whether any framework is imported, the query, its results."""
    query = query.strip()[: frameworks.MAX_QUERY]
    available = session.scalar(select(Framework.id).limit(1)) is not None
    results = []
    if available and query:
        found, _ = frameworks.search_items(session, query, limit=RESULTS)
        for framework, item in found:
            label = label_in(item.labels, language, item.code)
            results.append(
                {
                    "key": framework.key,
                    "code": item.code,
                    "label": label,
                    "framework": framework.name,
                }
            )
    return {"available": available, "query": query, "results": results}
