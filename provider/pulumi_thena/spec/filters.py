"""Filters (docs/api.md 4.7, 5.3) evaluated against a context: matched or not, and why not.

    result = evaluate_filter(workflow.get("filters"), context)    # paths start at "filters"
    result.matched                                                -> False
    result.why      -> ("filters.~and[1].priority.~eq: expected 'urgent', got 'high'",)
    field_value("ticket.priority", context)                       -> "high" (or MISSING)
    holds("~gt", 7, 5), why_not("~in", "x", ["a"])                 -> one operator, one value

``context`` is what ``templates.build_context`` makes. A field reference is a dotted path into
the event message payload (``ticket.priority``) or a template (``{{context.event.name}}``).
Top-level conditions, several operators on one field and ``~and`` items are ANDed; ``~or``
needs one matching item. A missing field fails every operator except ``~isnull: true`` and
``~isempty: true``; each ``n``-operator is the negation of its base on a present value. An
operator outside the types it is defined for does not match (no type conversion); an operand of
the wrong shape never matches, nor does its negation. docs/semantics.md states every choice.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_thena.spec.operators import LOGICAL_OPERATORS, OPERATOR_CATEGORIES
from pulumi_thena.spec.templates import MISSING, TEMPLATE, lookup, resolve_templates

PAYLOAD: Final = "context.event.message.payload"
"""Where a dotted (non-template) field reference starts."""

NEGATIONS: Final = {
    "~neq": "~eq",
    "~nin": "~in",
    "~nregex": "~regex",
    "~nstarts": "~starts",
    "~nends": "~ends",
    "~ncontains": "~contains",
}
"""Each ``n``-operator and the operator it negates."""

ORDERING: Final = ("~gt", "~gte", "~lt", "~lte")
SCALARS: Final = ("string", "number", "boolean", "null")
_SIZED: Final = ("string", "array", "object")


@dataclass(frozen=True)
class FilterResult:
    """Whether a filter matched; when not, each failing condition as ``path: reason``."""

    matched: bool
    why: tuple[str, ...] = ()

    def explain(self) -> str:
        return "; ".join(self.why) if self.why else "matched"


MATCHED: Final = FilterResult(True)


def field_reference(ref: str) -> str:
    """The context path a field reference reads: ``priority`` -> ``context.event...priority``."""
    whole = TEMPLATE.fullmatch(ref)
    if whole:
        return whole.group(1)
    return ref if TEMPLATE.search(ref) else f"{PAYLOAD}.{ref}"


def field_paths(ref: str) -> list[str]:
    """Every context path a field reference reads (a key may interpolate several templates)."""
    templates = [match.group(1) for match in TEMPLATE.finditer(ref)]
    return templates or [f"{PAYLOAD}.{ref}"]


def field_value(ref: str, context: Mapping[str, Any]) -> Any:
    """The value a field reference names in ``context``; MISSING when it does not resolve."""
    if TEMPLATE.search(ref):
        resolved = resolve_templates(ref, context)
        return MISSING if resolved.unresolved else resolved.value
    return lookup(context, f"{PAYLOAD}.{ref}")


def evaluate_filter(
    filters: Any, context: Mapping[str, Any], path: str = "filters"
) -> FilterResult:
    """Match a filter object against ``context``; ``None`` and ``{}`` mean no filter."""
    if filters is None:
        return MATCHED
    if not isinstance(filters, Mapping):
        return FilterResult(False, (f"{path}: a filter must be an object, got {show(filters)}",))
    failures: list[str] = []
    for key, value in filters.items():
        where = f"{path}.{key}"
        if key in LOGICAL_OPERATORS:
            failures += _logical(key, value, context, where)
        elif key.startswith("~"):
            failures.append(
                f"{where}: '{key}' is not a logical operator; use ~and or ~or here, "
                "or put it under a field"
            )
        else:
            failures += _field(key, value, context, where)
    return FilterResult(not failures, tuple(failures))


def _logical(op: str, items: Any, context: Mapping[str, Any], path: str) -> list[str]:
    if not isinstance(items, list):
        return [f"{path}: {op} takes a list of filter objects, got {show(items)}"]
    results = [evaluate_filter(item, context, f"{path}[{i}]") for i, item in enumerate(items)]
    if op == "~and":
        return [reason for result in results for reason in result.why]
    if any(result.matched for result in results):
        return []
    if not results:
        return [f"{path}: an empty ~or matches nothing"]
    return [reason for result in results for reason in result.why]


def _field(ref: str, condition: Any, context: Mapping[str, Any], path: str) -> list[str]:
    if not isinstance(condition, Mapping):
        return [f"{path}: a condition must be an object such as {{~eq: value}}"]
    value = field_value(ref, context)
    failures = []
    for op, operand in condition.items():
        reason = why_not(op, value, operand)
        if reason is not None:
            failures.append(f"{path}.{op}: {reason}")
    return failures


def holds(op: str, value: Any, operand: Any) -> bool:
    """Whether one operator holds for a value (MISSING for a missing field)."""
    return why_not(op, value, operand) is None


def why_not(op: str, value: Any, operand: Any) -> str | None:
    """None when ``value`` satisfies ``op: operand``, else why not, for a person to read."""
    problem = operand_problem(op, operand)
    if problem is not None:
        return problem
    if value is MISSING:
        if op in ("~isnull", "~isempty") and operand is True:
            return None
        return "the field is missing"
    base = NEGATIONS.get(op, op)
    if _TESTS[base](value, operand) == (base == op):
        return None
    return f"expected {_expectation(op, operand)}, got {show(value)}"


def operand_problem(op: str, operand: Any) -> str | None:
    """Why an operand does not fit its operator (such a condition never matches), or None."""
    if op not in OPERATOR_CATEGORIES:
        return _unknown(op, OPERATOR_CATEGORIES)
    base = NEGATIONS.get(op, op)
    if base in ("~eq", "~contains") and kind(operand) not in SCALARS:
        return f"{op} takes a single value (string, number, boolean or null), got {show(operand)}"
    if base in ORDERING and kind(operand) not in ("number", "string"):
        return f"{op} compares with a number or a string, got {show(operand)}"
    if base == "~in" and not isinstance(operand, list):
        return f"{op} takes a list of values, got {show(operand)}"
    if base in ("~regex", "~starts", "~ends") and not isinstance(operand, str):
        return f"{op} takes a string, got {show(operand)}"
    if base in ("~isnull", "~isempty") and not isinstance(operand, bool):
        return f"{op} takes true or false, got {show(operand)}"
    if base == "~regex":
        return _regex_problem(op, operand)
    return None


def _regex_problem(op: str, source: str) -> str | None:
    try:
        re.compile(source)
    except re.error as error:
        return f"{op}: {source!r} is not a valid regular expression ({error})"
    return None


def _unknown(op: str, known: Any) -> str:
    hint = difflib.get_close_matches(op, list(known), n=1)
    return f"unknown operator '{op}'" + (f"; did you mean '{hint[0]}'?" if hint else "")


def kind(value: Any) -> str:
    """The JSON kind of a value: string, number, boolean, null, array, object, or missing."""
    if value is MISSING:
        return "missing"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, Mapping) else "other"


def same(left: Any, right: Any) -> bool:
    """JSON equality: kinds must agree (``1`` is not ``true`` nor ``"1"``); ``1 == 1.0``."""
    if kind(left) != kind(right):
        return False
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, Mapping):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    return bool(left == right)


def is_empty(value: Any) -> bool:
    """``""``, ``[]``, ``{}``, null and a missing field are empty; ``0`` and ``false`` are not."""
    return value is MISSING or value is None or (kind(value) in _SIZED and len(value) == 0)


def _ordered(test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(value: Any, operand: Any) -> bool:
        return kind(value) == kind(operand) and kind(value) in ("number", "string")

    return lambda value, operand: compare(value, operand) and test(value, operand)


def _member(value: Any, operand: list[Any]) -> bool:
    items = value if isinstance(value, list) else [value]
    return any(same(item, choice) for item in items for choice in operand)


def _contains(value: Any, operand: Any) -> bool:
    if isinstance(value, str):
        return isinstance(operand, str) and operand in value
    return isinstance(value, list) and any(same(item, operand) for item in value)


def _strings(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, operand: isinstance(value, str) and test(value, operand)


_TESTS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "~eq": same,
    "~gt": _ordered(lambda a, b: a > b),
    "~gte": _ordered(lambda a, b: a >= b),
    "~lt": _ordered(lambda a, b: a < b),
    "~lte": _ordered(lambda a, b: a <= b),
    "~in": _member,
    "~regex": _strings(lambda a, b: re.search(b, a) is not None),
    "~starts": _strings(lambda a, b: a.startswith(b)),
    "~ends": _strings(lambda a, b: a.endswith(b)),
    "~contains": _contains,
    "~isnull": lambda value, operand: (value is None) == operand,
    "~isempty": lambda value, operand: is_empty(value) == operand,
}

_EXPECTATIONS: Final = {
    "~eq": "{}",
    "~neq": "anything but {}",
    "~gt": "a value > {}",
    "~gte": "a value >= {}",
    "~lt": "a value < {}",
    "~lte": "a value <= {}",
    "~in": "one of {}",
    "~nin": "none of {}",
    "~regex": "a string matching {}",
    "~nregex": "a value not matching {}",
    "~starts": "a string starting with {}",
    "~nstarts": "a value not starting with {}",
    "~ends": "a string ending with {}",
    "~nends": "a value not ending with {}",
    "~contains": "a string or list containing {}",
    "~ncontains": "a value not containing {}",
}


def _expectation(op: str, operand: Any) -> str:
    if op == "~isnull":
        return "null or a missing field" if operand else "a value that is not null"
    if op == "~isempty":
        return "an empty value ('', [], {}, null or missing)" if operand else "a non-empty value"
    expected = _EXPECTATIONS[op].format(show(operand))
    if op in ORDERING:
        expected += f" (a {kind(operand)})"
    return expected


def show(value: Any, limit: int = 80) -> str:
    """A value as a message shows it: strings quoted, JSON words for the rest, cut at ``limit``."""
    text = _show(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any) -> str:
    if value is MISSING:
        return "nothing (missing)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    return str(value)
