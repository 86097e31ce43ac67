"""The pure rules of learning packs: steps and groups, N-of-M progress, cycles."""

from __future__ import annotations

from badgeservice.domain.pack import GroupRule, StepRule, cycle_through, progress, rule_errors

A, B, C, D = (StepRule("achievement", x, True, None) for x in "abcd")


def test_n_of_m_group_and_required_steps() -> None:
    steps = [
        A,
        StepRule("achievement", "b", False, "pick"),
        StepRule("achievement", "c", False, "pick"),
        StepRule("pack", "p", False, "pick"),
        StepRule("activity", None, False, None),
    ]
    groups = [GroupRule("pick", 2)]
    assert rule_errors(steps, groups) == []
    assert not progress(steps, groups, {"a", "b"}, set()).complete
    assert not progress(steps, groups, {"b", "c"}, set()).complete  # "a" is required
    done = progress(steps, groups, {"a", "c"}, {"p"})
    assert done.complete
    assert [g.done for g in done.groups] == [2]
    assert [s.done for s in done.steps] == [True, False, True, True, False]


def test_broken_packs_are_refused_with_pointers() -> None:
    steps = [
        StepRule("activity", None, True, None),
        StepRule("achievement", "a", False, "nope"),
        StepRule("achievement", "b", False, "g"),
        StepRule("achievement", "b", True, None),
    ]
    groups = [GroupRule("g", 2), GroupRule("g", 1)]
    pointers = {pointer for pointer, _message, _code in rule_errors(steps, groups)}
    assert pointers == {
        "/body/groups/1/key",
        "/body/steps/0",
        "/body/steps/1/group",
        "/body/steps/3",
        "/body/groups/0/required",
    }
    assert rule_errors([StepRule("activity", None, False, None)], []) == [
        ("/body/steps", "a pack needs a required achievement or pack step", "nothing_required")
    ]


def test_cycles_and_depth() -> None:
    children = {"b": ["c"], "c": ["a"]}
    assert cycle_through("a", children, ["b"])
    assert not cycle_through("z", {"b": ["c"]}, ["b"])
    deep = {str(n): [str(n + 1)] for n in range(20)}
    assert cycle_through("top", deep, ["0"])  # deeper than MAX_NESTING
