"""The filter operators of docs/api.md section 5.3: names, categories, operand kinds, E1's shape."""

from __future__ import annotations

from typing import Any

COMPARISON_OPERATORS: tuple[str, ...] = ("~eq", "~neq", "~gt", "~gte", "~lt", "~lte")
ARRAY_OPERATORS: tuple[str, ...] = ("~in", "~nin")
STRING_OPERATORS: tuple[str, ...] = (
    "~regex",
    "~nregex",
    "~starts",
    "~nstarts",
    "~ends",
    "~nends",
    "~contains",
    "~ncontains",
)
NULL_OPERATORS: tuple[str, ...] = ("~isnull", "~isempty")
LOGICAL_OPERATORS: tuple[str, ...] = ("~and", "~or")

OPERATOR_CATEGORIES: dict[str, tuple[str, str]] = {
    **{op: ("comparison", "scalar") for op in COMPARISON_OPERATORS},
    **{op: ("array", "array") for op in ARRAY_OPERATORS},
    **{op: ("string", "string") for op in STRING_OPERATORS},
    **{op: ("null", "boolean") for op in NULL_OPERATORS},
}
"""Each field operator with its category and the kind of operand it takes."""


def default_catalog_wire() -> dict[str, Any]:
    """The catalogue in the (assumed) wire shape of E1."""
    return {
        "operators": [
            {
                "operator": op,
                "category": category,
                "valueType": value_type,
                "description": f"{category} operator {op}",
            }
            for op, (category, value_type) in OPERATOR_CATEGORIES.items()
        ],
        "logicalOperators": [
            {"operator": op, "description": f"all ({op}) / any of the listed filter objects"}
            for op in LOGICAL_OPERATORS
        ],
    }
