"""``domain/catalogue``: the shared catalogue's rules."""

from __future__ import annotations

import pytest

from badgeservice.domain import catalogue


@pytest.mark.parametrize(
    ("shared", "kind", "creator", "refused"),
    [
        (False, "Badge", True, False),  # not shared: nothing to check
        (True, "Competency", False, False),
        (True, "Badge", False, True),
        (True, None, False, True),
        (True, "competency", False, True),  # the vocabulary is case-sensitive
        (True, "Competency", True, True),  # the creator is the issuer, not an input
    ],
)
def test_what_may_be_shared(shared: bool, kind: str | None, creator: bool, refused: bool) -> None:
    problem = catalogue.sharing_problem(shared, kind, creator)
    assert (problem is not None) == refused
    if refused and kind != "Competency":
        assert problem is not None
        assert "Competency" in problem


def test_the_creator_is_the_defining_issuers_profile() -> None:
    assert catalogue.defining_creator("did:web:x", "X", None, "") == {
        "id": "did:web:x",
        "name": "X",
    }
    full = catalogue.defining_creator("did:web:x", "X", "https://x.org", "a@x.org")
    assert full == {"id": "did:web:x", "name": "X", "url": "https://x.org", "email": "a@x.org"}


def test_unsharing_only_before_anyone_else_issued_it() -> None:
    assert catalogue.may_unshare(0)
    assert not catalogue.may_unshare(1)
