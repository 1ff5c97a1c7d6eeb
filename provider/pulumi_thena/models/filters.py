"""A checker for filter objects against the filter-operator catalogue of SPEC 5.3.

A filter maps field references to ``{"~op": operand}`` objects; ``~and`` and ``~or`` take lists
of filter objects. The catalogue here is the documented one; the provider may swap in the live
catalogue (E1) when the API serves one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pulumi_thena.models.problems import Problem, closest
from pulumi_thena.spec.operators import (
    LOGICAL_OPERATORS,
    OPERATOR_CATEGORIES,
    default_catalog_wire,
)

__all__ = ["LOGICAL_OPERATORS", "OPERATOR_CATEGORIES", "default_catalog_wire", "filter_problems"]


def _operand_problem(op: str, operand: Any) -> str | None:
    # `contains` also accepts scalars: on an array value it tests membership (SPEC 5.3).
    kind = OPERATOR_CATEGORIES[op][1]
    if kind == "array" and not isinstance(operand, list):
        return f"{op} takes a list of values, e.g. {op}: [a, b]"
    if kind == "boolean" and not isinstance(operand, bool):
        return f"{op} takes true or false"
    if kind == "string" and op in ("~regex", "~nregex") and not isinstance(operand, str):
        return f"{op} takes a regular expression as a string"
    if kind == "scalar" and isinstance(operand, dict | list):
        return f"{op} takes a single value (string, number or boolean), not a list or object"
    return None


def filter_problems(
    filters: Any, path: str, known: Iterable[str] | None = None
) -> Iterator[Problem]:
    """Yield a problem for every unknown operator or ill-shaped operand in a filter object."""
    operators = frozenset(known) if known is not None else frozenset(OPERATOR_CATEGORIES)
    yield from _walk(filters, path, operators)


def _walk(filters: Any, path: str, operators: frozenset[str]) -> Iterator[Problem]:
    if not isinstance(filters, dict):
        yield Problem(path, "a filter must be an object of field: {~operator: value}")
        return
    for key, value in filters.items():
        where = f"{path}.{key}" if path else key
        if key in LOGICAL_OPERATORS:
            if not isinstance(value, list) or not value:
                yield Problem(where, f"{key} takes a non-empty list of filter objects")
                continue
            for index, item in enumerate(value):
                yield from _walk(item, f"{where}[{index}]", operators)
        elif key.startswith("~"):
            yield _unknown_operator(key, where, operators)
        elif not isinstance(value, dict) or not value:
            yield Problem(where, "a field condition must be an object such as {~eq: value}")
        else:
            yield from _field_condition(value, where, operators)


def _field_condition(
    condition: dict[str, Any], path: str, operators: frozenset[str]
) -> Iterator[Problem]:
    for op, operand in condition.items():
        where = f"{path}.{op}"
        if op not in operators or op in LOGICAL_OPERATORS:
            yield _unknown_operator(op, where, operators)
        elif op in OPERATOR_CATEGORIES and (reason := _operand_problem(op, operand)):
            yield Problem(where, reason)


def _unknown_operator(op: str, path: str, operators: frozenset[str]) -> Problem:
    hint = closest(op, operators)
    suggestion = f"; did you mean '{hint}'?" if hint else "."
    return Problem(
        path,
        f"unknown filter operator '{op}'{suggestion} "
        f"Known operators: {', '.join(sorted(operators))}",
    )
