"""Filters that can never match, as ``spec.filters`` evaluates them: proven, never guessed.

    never_matches([(workflow["filters"], "filters")])        -> (field path, why) or None
    never_matches([(workflow["filters"], "filters"), (step["filters"], step_path)])   # ANDed
    dead_branches(workflow["filters"], "filters")            -> [(path of an ~or item, why), ...]

The parts are ANDed and rewritten as an OR of conjunctions (at most ``LIMIT``; beyond, only the
conditions outside every ``~or`` are checked). A conjunction is contradictory when the conditions
on one field admit no value. Only what can be proven is claimed, so no lint fires on a filter that
some event matches:
- an operand of the wrong shape, an unknown operator, an invalid regular expression, ``~in: []``;
- ``~eq`` (one value), ``~isnull: true`` (null, missing) and ``~isempty: true`` (five values)
  leave finitely many values, each tried with the evaluator itself;
- operators needing a kind of value (``~gt: 5`` a number, ``~starts`` a string) with none in
  common;
- bounds (``~gt``, ``~gte``, ``~lt``, ``~lte``) with no room between them.
Filters of the wrong structure (not objects, ``~and`` without a list) are left to validation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_thena.spec.filters import (
    ORDERING,
    field_reference,
    holds,
    kind,
    operand_problem,
    show,
)
from pulumi_thena.spec.templates import MISSING

LIMIT: Final = 64
Lint = tuple[str, str]
"""A finding: the field path at fault and why, for a person to read."""

PRESENT_KINDS: Final = frozenset({"string", "number", "boolean", "null", "array", "object"})


@dataclass(frozen=True)
class Condition:
    """One ``field: {op: operand}`` pair, with its path in the filter and the context path."""

    path: str
    field: str
    op: str
    operand: Any


Conjunction = tuple[Condition, ...]


def never_matches(parts: Sequence[tuple[Any, str]]) -> Lint | None:
    """Why the ANDed filters (each with its path) can never match together, or None."""
    ways: list[Conjunction] | None = [()]
    for filters, path in parts:
        ways = _and(ways, disjunction(filters, path))
    if ways is None:  # too many ways through: check what every way has to hold
        return conflict(tuple(c for filters, path in parts for c in mandatory(filters, path)))
    if not ways:
        return next(_empty_ors(parts), (parts[-1][1], "an empty ~or matches nothing"))
    reasons = [conflict(way) for way in ways]
    found = [reason for reason in reasons if reason is not None]
    if len(found) < len(reasons):
        return None
    if len(found) == 1:
        return found[0]
    unique = list(dict.fromkeys(found))
    return parts[-1][1], "no branch of its ~or can hold: " + "; ".join(
        f"{path}: {why}" for path, why in unique
    )


def dead_branches(filters: Any, path: str) -> list[Lint]:
    """Items of an ``~or`` that can never match (in a filter that otherwise can)."""
    found: list[Lint] = []
    if not isinstance(filters, Mapping):
        return found
    for key, items in filters.items():
        if key not in ("~and", "~or") or not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            where = f"{path}.{key}[{index}]"
            dead = never_matches([(item, where)]) if key == "~or" else None
            if dead is not None:
                found.append((where, f"this ~or branch can never match: {dead[1]}"))
            else:
                found += dead_branches(item, where)
    return found


def disjunction(filters: Any, path: str) -> list[Conjunction] | None:
    """The filter as an OR of conjunctions; None when there would be more than LIMIT."""
    ways: list[Conjunction] | None = [()]
    if isinstance(filters, Mapping):
        for key, value in filters.items():
            ways = _and(ways, _part(key, value, f"{path}.{key}"))
    return ways


def mandatory(filters: Any, path: str) -> Iterator[Condition]:
    """The conditions every way through the filter holds: all but those under an ``~or``."""
    for key, value in filters.items() if isinstance(filters, Mapping) else ():
        where = f"{path}.{key}"
        if key == "~and" and isinstance(value, list):
            for index, item in enumerate(value):
                yield from mandatory(item, f"{where}[{index}]")
        elif not key.startswith("~") and isinstance(value, Mapping):
            ref = field_reference(key)
            yield from (Condition(f"{where}.{op}", ref, op, arg) for op, arg in value.items())


def _part(key: str, value: Any, where: str) -> list[Conjunction] | None:
    if key in ("~and", "~or") and isinstance(value, list):
        parts = [disjunction(item, f"{where}[{i}]") for i, item in enumerate(value)]
        if key == "~and":
            ways: list[Conjunction] | None = [()]
            for part in parts:
                ways = _and(ways, part)
            return ways
        if any(part is None for part in parts):
            return None
        branches = [way for part in parts if part is not None for way in part]
        return branches if len(branches) <= LIMIT else None
    if key.startswith("~") or not isinstance(value, Mapping):
        return [()]
    ref = field_reference(key)
    return [tuple(Condition(f"{where}.{op}", ref, op, operand) for op, operand in value.items())]


def _and(
    left: list[Conjunction] | None, right: list[Conjunction] | None
) -> list[Conjunction] | None:
    if left is None or right is None or len(left) * len(right) > LIMIT:
        return None
    return [a + b for a in left for b in right]


def _empty_ors(parts: Sequence[tuple[Any, str]]) -> Iterator[Lint]:
    for filters, path in parts:
        for where, items in _logical_nodes(filters, path):
            if where.endswith("~or") and items == []:
                yield where, "an empty ~or matches nothing"


def _logical_nodes(filters: Any, path: str) -> Iterator[tuple[str, Any]]:
    if not isinstance(filters, Mapping):
        return
    for key, items in filters.items():
        if key in ("~and", "~or"):
            yield f"{path}.{key}", items
            for index, item in enumerate(items if isinstance(items, list) else []):
                yield from _logical_nodes(item, f"{path}.{key}[{index}]")


def conflict(conjunction: Conjunction) -> Lint | None:
    """The first field whose conditions admit no value, as (path, why); None if none is found."""
    fields: dict[str, list[Condition]] = {}
    for condition in conjunction:
        fields.setdefault(condition.field, []).append(condition)
    for conditions in fields.values():
        found = field_conflict(conditions)
        if found is not None:
            return found
    return None


def field_conflict(conditions: Sequence[Condition]) -> Lint | None:
    """Why the conditions on one field admit no value, or None when that cannot be proven."""
    for condition in conditions:
        problem = operand_problem(condition.op, condition.operand)
        if problem is not None:
            return condition.path, problem
        if condition.op == "~in" and condition.operand == []:
            return condition.path, "~in: [] admits no value"
    return _finite_conflict(conditions) or _kind_conflict(conditions) or _bound_conflict(conditions)


def _finite_values(condition: Condition) -> tuple[list[Any], str] | None:
    if condition.op == "~eq":
        return [condition.operand], show(condition.operand)
    if condition.op == "~isnull" and condition.operand is True:
        return [MISSING, None], "null or a missing field"
    if condition.op == "~isempty" and condition.operand is True:
        return [MISSING, None, "", [], {}], "'', [], {}, null or a missing field"
    return None


def _finite_conflict(conditions: Sequence[Condition]) -> Lint | None:
    for fixer in conditions:
        finite = _finite_values(fixer)
        if finite is None:
            continue
        values, described = finite
        blockers = [_first_failing(conditions, value) for value in values]
        if any(blocker is None for blocker in blockers):
            return None
        names = list(dict.fromkeys(b.path for b in blockers if b is not None))
        other = next(b for b in blockers if b is not None)
        if len(names) == 1:
            why = f"{other.op}: {show(other.operand)} can never hold"
        else:
            why = f"no value passes {', '.join(names)}"
        return other.path, f"{fixer.path} allows only {described}, so {why}"
    return None


def _first_failing(conditions: Sequence[Condition], value: Any) -> Condition | None:
    return next((c for c in conditions if not holds(c.op, value, c.operand)), None)


def _kinds(condition: Condition) -> frozenset[str] | None:
    """The kinds of value a condition can hold for; None when it holds for every kind."""
    op, operand = condition.op, condition.operand
    if op in ORDERING:
        return frozenset({kind(operand)})
    if op in ("~regex", "~starts", "~ends"):
        return frozenset({"string"})
    if op == "~contains":
        return frozenset({"string", "array"} if isinstance(operand, str) else {"array"})
    if op == "~in":
        return frozenset({*(kind(item) for item in operand), "array"})
    if op in ("~isnull", "~isempty") and operand is False:
        return PRESENT_KINDS - {"null"}
    return None


def _kind_conflict(conditions: Sequence[Condition]) -> Lint | None:
    allowed, since = PRESENT_KINDS, None
    for condition in conditions:
        kinds = _kinds(condition)
        if kinds is None:
            continue
        if since is not None and not allowed & kinds:
            return condition.path, (
                f"{condition.op}: {show(condition.operand)} needs a value of kind "
                f"{' or '.join(sorted(kinds))}, but {since.path} allows only "
                f"{' or '.join(sorted(allowed))}"
            )
        allowed, since = allowed & kinds, condition
    return None


def _bound_conflict(conditions: Sequence[Condition]) -> Lint | None:
    low: Condition | None = None
    high: Condition | None = None
    for condition in conditions:
        if condition.op in ("~gt", "~gte"):
            low = _tighter(low, condition, lower=True)
        elif condition.op in ("~lt", "~lte"):
            high = _tighter(high, condition, lower=False)
        else:
            continue
        if low is not None and high is not None and _no_room(low, high):
            return condition.path, (
                f"no value is {low.op} {show(low.operand)} ({low.path}) and "
                f"{high.op} {show(high.operand)} ({high.path})"
            )
    return None


def _tighter(current: Condition | None, new: Condition, *, lower: bool) -> Condition:
    if current is None or kind(current.operand) != kind(new.operand):
        return new
    if current.operand == new.operand:
        return new if new.op in ("~gt", "~lt") else current
    return new if (new.operand > current.operand) == lower else current


def _no_room(low: Condition, high: Condition) -> bool:
    if kind(low.operand) != kind(high.operand):
        return False
    if low.operand == high.operand:
        return low.op == "~gt" or high.op == "~lt"
    return bool(low.operand > high.operand)
