"""Status list indexes: random, distinct under concurrency, lists roll over when crowded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import StatusAllocation, StatusList
from badgeservice.services import status
from tests.factories import create_issuer


def test_indexes_are_distinct_under_concurrency(app: FastAPI, session: Session) -> None:
    issuer = create_issuer(session)
    workers, per_worker = 8, 250

    def allocate(_: int) -> list[tuple[str, int]]:
        with app.state.session_factory() as db:
            mine = db.merge(issuer)
            got = []
            for _ in range(per_worker):
                status_list, index = status.allocate_index(db, mine, "revocation")
                db.commit()
                got.append((str(status_list.id), index))
            return got

    with ThreadPoolExecutor(workers) as pool:
        results = [pair for chunk in pool.map(allocate, range(workers)) for pair in chunk]
    assert len(results) == workers * per_worker
    assert len(set(results)) == len(results)
    stored = session.scalar(select(func.count()).select_from(StatusAllocation))
    assert stored == len(results)
    indexes = sorted(index for _, index in results)
    assert indexes != list(range(len(indexes)))  # random, not sequential


def test_crowded_list_is_closed_and_a_new_one_opened(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    issuer = create_issuer(session)
    monkeypatch.setattr(status, "LIST_SIZE", 4)
    got = {status.allocate_index(session, issuer, "suspension") for _ in range(12)}
    session.commit()
    assert len(got) == 12
    lists = session.scalars(select(StatusList).where(StatusList.issuer_id == issuer.id)).all()
    assert len(lists) >= 3
    assert all(lst.purpose == "suspension" for lst in lists)
    assert sum(lst.full for lst in lists) >= 2


def test_unknown_purpose_is_refused(session: Session) -> None:
    issuer = create_issuer(session)
    with pytest.raises(ValueError, match="unknown status purpose"):
        status.allocate_index(session, issuer, "refresh")
