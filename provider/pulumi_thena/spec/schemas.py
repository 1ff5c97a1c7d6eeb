"""Whether an event's JSON Schema has a path, for the template lint; with the closest name if not.

    schema_gap(schema, ["message", "payload", "ticket", "titel"])
        -> "the event schema has no 'titel' under 'message.payload.ticket'; did you mean 'title'?"

A node that lists ``properties`` has those names only, unless it allows more
(``additionalProperties`` true or a schema, or ``patternProperties``). A node without
``properties`` (``{"type": "object"}``, ``{}``) may hold anything, so nothing below it is
reported. Local ``$ref`` (``#/...``), ``allOf``, ``anyOf`` and ``oneOf`` are followed; a numeric
segment goes into ``items``; a string, number, boolean or null has no fields.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Final

SCALAR_TYPES: Final = frozenset({"string", "number", "integer", "boolean", "null"})
MAX_DEPTH: Final = 32


def schema_gap(schema: Any, segments: Sequence[str]) -> str | None:
    """Why the schema has no such path (the first name it lacks), or None if it has or may."""
    node, walked = schema, list[str]()
    for segment in segments:
        node = deref(schema, node)
        if not isinstance(node, Mapping):
            return None
        scalar = _scalar_type(node)
        if scalar is not None:
            return f"'{'.'.join(walked)}' is a {scalar} in the event schema; it has no '{segment}'"
        names = properties(schema, node)
        if segment.isdigit() and isinstance(node.get("items"), Mapping):
            node = node["items"]
        elif names is None:
            return None
        elif segment in names:
            node = names[segment]
        else:
            return _missing(segment, walked, names)
        walked.append(segment)
    return None


def deref(root: Any, node: Any) -> Any:
    """Follow local ``$ref``s; a reference that cannot be followed reads as ``{}`` (anything)."""
    for _ in range(MAX_DEPTH):
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        if not isinstance(ref, str):
            return node
        node = _pointer(root, ref)
    return {}


def _pointer(root: Any, ref: str) -> Any:
    if not ref.startswith("#"):
        return {}
    node = root
    for token in filter(None, ref[1:].split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or token not in node:
            return {}
        node = node[token]
    return node


def properties(root: Any, node: Mapping[str, Any], depth: int = 0) -> dict[str, Any] | None:
    """The names a node allows, with their schemas; None when it may hold any name."""
    if depth > MAX_DEPTH or _allows_more(node):
        return None
    listed = isinstance(node.get("properties"), Mapping)
    found: dict[str, Any] = dict(node["properties"]) if listed else {}
    for key in ("allOf", "anyOf", "oneOf"):
        for member in node.get(key) or []:
            member = deref(root, member)
            names = properties(root, member, depth + 1) if isinstance(member, Mapping) else None
            if names is None and key != "allOf":
                return None  # an alternative that may hold anything
            if names is not None:
                found.update(names)
                listed = True
    return found if listed else None


def _allows_more(node: Mapping[str, Any]) -> bool:
    extra = node.get("additionalProperties")
    return extra is True or isinstance(extra, Mapping) or bool(node.get("patternProperties"))


def _scalar_type(node: Mapping[str, Any]) -> str | None:
    declared = node.get("type")
    types = [declared] if isinstance(declared, str) else declared
    if isinstance(types, list) and types and set(types) <= SCALAR_TYPES:
        return " or ".join(str(t) for t in types)
    return None


def _missing(segment: str, walked: Sequence[str], names: Mapping[str, Any]) -> str:
    where = f"under '{'.'.join(walked)}'" if walked else "at its top level"
    hint = difflib.get_close_matches(segment, list(names), n=1)
    if hint:
        return f"the event schema has no '{segment}' {where}; did you mean '{hint[0]}'?"
    listed = ", ".join(sorted(names)) or "no names"
    return f"the event schema has no '{segment}' {where}; it has: {listed}"
