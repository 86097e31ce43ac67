"""Learning packs' rules (issue 14), pure: what a pack's steps and groups may say, and how far
a person has come from what they hold.

A step is an ``achievement`` (done while the person holds an active credential of it), a
``pack`` (done when that pack is complete) or an ``activity`` (a course, a page, a video: shown,
never counted). A counted step either belongs to a group (``group_key``) or counts when
``required``; a group of M steps is met when ``required`` (N) of them are done. A pack is
complete when every required step outside the groups and every group is met.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

StepKind = Literal["achievement", "pack", "activity"]
STEP_KINDS: tuple[StepKind, ...] = get_args(StepKind)
Audience = Literal["newcomer", "affiliate", "partner"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
COUNTED_KINDS: frozenset[str] = frozenset({"achievement", "pack"})
# A pack of packs of packs…: deeper than this is refused at write time and never walked.
MAX_NESTING = 8


@dataclass(frozen=True)
class StepRule:
    """What the rules need of a step: ``target`` is the achievement's or the child pack's id
    (``None`` for an activity)."""

    kind: str
    target: str | None
    required: bool
    group_key: str | None


@dataclass(frozen=True)
class GroupRule:
    key: str
    required: int


def rule_errors(
    steps: Sequence[StepRule], groups: Sequence[GroupRule]
) -> list[tuple[str, str, str]]:
    """(JSON pointer, message, code) for every rule a pack's steps and groups break; empty when
    the pack is sound. The codes are the API's problem codes (a form says them in words)."""
    errors: list[tuple[str, str, str]] = []
    keys: dict[str, int] = {}
    for number, group in enumerate(groups):
        if group.key in keys:
            errors.append(
                (f"/body/groups/{number}/key", f"group '{group.key}' is named twice", "group_twice")
            )
            continue
        keys[group.key] = number
    members: dict[str, int] = dict.fromkeys(keys, 0)
    seen: set[tuple[str, str]] = set()
    for number, step in enumerate(steps):
        pointer = f"/body/steps/{number}"
        if step.kind not in STEP_KINDS:
            errors.append((f"{pointer}/kind", f"use one of {', '.join(STEP_KINDS)}", "step_kind"))
            continue
        if step.kind == "activity":
            if step.required or step.group_key is not None:
                message = "an activity step counts for nothing: not required, in no group"
                errors.append((pointer, message, "activity_counted"))
            continue
        if step.target is not None:
            if (step.kind, step.target) in seen:
                errors.append((pointer, f"this {step.kind} is a step twice", "step_twice"))
            seen.add((step.kind, step.target))
        if step.group_key is not None:
            if step.group_key not in members:
                message = f"no group '{step.group_key}' in groups"
                errors.append((f"{pointer}/group", message, "group_unknown"))
            else:
                members[step.group_key] += 1
    for key, number in keys.items():
        needed = groups[number].required
        if needed < 1 or needed > members[key]:
            errors.append(
                (
                    f"/body/groups/{number}/required",
                    f"group '{key}' has {members[key]} step(s); required must be 1 to that",
                    "group_required",
                )
            )
    counted = [s for s in steps if s.kind in COUNTED_KINDS and (s.required or s.group_key)]
    if not counted:
        message = "a pack needs a required achievement or pack step"
        errors.append(("/body/steps", message, "nothing_required"))
    return errors


def cycle_through(
    pack_id: str, children: Mapping[str, Collection[str]], start: Collection[str]
) -> bool:
    """Whether making ``pack_id`` contain the packs ``start`` closes a cycle, given every other
    pack's child packs (``children``), or nests deeper than ``MAX_NESTING``."""
    frontier = set(start)
    for _depth in range(MAX_NESTING):
        if pack_id in frontier:
            return True
        if not frontier:
            return False
        frontier = {child for parent in frontier for child in children.get(parent, ())}
    return bool(frontier)


@dataclass(frozen=True)
class StepProgress:
    position: int
    kind: str
    target: str | None
    done: bool
    counted: bool


@dataclass(frozen=True)
class GroupProgress:
    key: str
    required: int
    done: int

    @property
    def met(self) -> bool:
        return self.done >= self.required


@dataclass(frozen=True)
class Progress:
    steps: list[StepProgress] = field(default_factory=list)
    groups: list[GroupProgress] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        if not self.groups and not any(s.counted for s in self.steps):
            return False  # nothing to complete (refused at write time)
        return all(s.done for s in self.steps if s.counted) and all(g.met for g in self.groups)

    @property
    def needed(self) -> int:
        """How many counted steps complete the pack: every required step outside the groups
        and, of each group, as many as it requires."""
        return sum(s.counted for s in self.steps) + sum(g.required for g in self.groups)

    @property
    def done(self) -> int:
        """How many of ``needed`` are done (a group counts no more than it requires)."""
        counted = sum(s.counted and s.done for s in self.steps)
        return counted + sum(min(g.done, g.required) for g in self.groups)


def progress(
    steps: Sequence[StepRule],
    groups: Sequence[GroupRule],
    held_achievements: Collection[str],
    complete_packs: Collection[str],
) -> Progress:
    """How far a person is: ``held_achievements`` are the ids of achievements they hold an
    active credential of, ``complete_packs`` the ids of packs they have completed."""
    done_of = {"achievement": held_achievements, "pack": complete_packs}
    rows: list[StepProgress] = []
    counts: dict[str, int] = {g.key: 0 for g in groups}
    for position, step in enumerate(steps):
        done = step.target is not None and step.target in done_of.get(step.kind, ())
        in_group = step.group_key is not None and step.group_key in counts
        if in_group and done:
            counts[str(step.group_key)] += 1
        counted = step.kind in COUNTED_KINDS and step.required and not in_group
        rows.append(StepProgress(position, step.kind, step.target, done, counted))
    return Progress(rows, [GroupProgress(g.key, g.required, counts[g.key]) for g in groups])
