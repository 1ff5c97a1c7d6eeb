"""``{{ path }}`` templates (docs/api.md 5.4) and the execution context they read, on plain dicts.

    context = build_context(event, entities={"context.event.message.payload.ticket": {...}})
    lookup(context, "context.event.message.payload.ticketId")    -> the value, or MISSING
    resolved = resolve_templates(step["input"], context)
    resolved.value, resolved.unresolved                           -> input, ("context.x.y", ...)
    template_refs(step["input"], "workflowDefinition[0].input")   -> [(field path, template path)]

The context is a dict: ``event`` (``name``, ``message`` with ``payload``, ``messageAttributes``),
the entities annotations loaded, written at their ``pathToAnnotate``, and ``steps``: each
finished step's ``input`` and ``result`` under its identifier, read as
``{{context.steps.1.result.ticketUrl}}``. docs/api.md does not say how a step reads an earlier
result; the examples use this form. A string that is one template takes the value with its type;
inside a longer string a value is rendered as text (JSON for lists, objects, booleans and null).
A path that does not resolve stays as written and is listed in ``unresolved``. docs/semantics.md
states every choice.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

TEMPLATE: Final = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
"""One ``{{ path }}``; group 1 is the path, without the spaces around it."""

ROOT: Final = "context"


class Missing:
    """The value of a path that does not resolve; distinct from a present ``null``."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()


@dataclass(frozen=True)
class Resolved:
    """A value with its templates resolved, and the template paths that did not resolve."""

    value: Any
    unresolved: tuple[str, ...] = ()


def path_segments(path: str) -> list[str]:
    """``context.items[0].name`` -> ``["context", "items", "0", "name"]``."""
    return [part for part in re.split(r"\.|\[(\d+)\]", path.strip()) if part]


def lookup(context: Any, path: str) -> Any:
    """The value at a template path starting at ``context``; MISSING where it does not resolve."""
    segments = path_segments(path)
    if not segments or segments[0] != ROOT:
        return MISSING
    node = context
    for segment in segments[1:]:
        if isinstance(node, Mapping) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return MISSING
    return node


def place(context: dict[str, Any], path: str, value: Any) -> None:
    """Write ``value`` at a path starting at ``context``, making objects along the way."""
    segments = path_segments(path)
    if not segments or segments[0] != ROOT or len(segments) < 2:
        raise ValueError(f"'{path}' is not a path inside the context; start it with 'context.'")
    node = context
    for segment in segments[1:-1]:
        child = node.get(segment)
        if not isinstance(child, dict):
            child = node[segment] = {}
        node = child
    node[segments[-1]] = value


def build_context(
    event: Mapping[str, Any],
    *,
    entities: Mapping[str, Any] | None = None,
    steps: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A fresh context: the event, ``entities`` keyed by ``pathToAnnotate``, earlier steps."""
    context: dict[str, Any] = {"event": copy.deepcopy(dict(event)), "steps": {}}
    for path, entity in (entities or {}).items():
        place(context, path, copy.deepcopy(entity))
    for ref, record in (steps or {}).items():
        context["steps"][str(ref)] = copy.deepcopy(record)
    return context


def render(value: Any) -> str:
    """A value as text inside a longer string: strings as they are, the rest as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def resolve_templates(value: Any, context: Mapping[str, Any]) -> Resolved:
    """``value`` (any depth of dicts, lists and strings) with every template resolved."""
    unresolved: list[str] = []
    resolved = _resolve(value, context, unresolved)
    return Resolved(resolved, tuple(dict.fromkeys(unresolved)))


def _resolve(value: Any, context: Mapping[str, Any], unresolved: list[str]) -> Any:
    if isinstance(value, Mapping):
        return {key: _resolve(item, context, unresolved) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, context, unresolved) for item in value]
    if isinstance(value, str):
        return _resolve_string(value, context, unresolved)
    return value


def _resolve_string(text: str, context: Mapping[str, Any], unresolved: list[str]) -> Any:
    whole = TEMPLATE.fullmatch(text)
    if whole:
        found = lookup(context, whole.group(1))
        if found is MISSING:
            unresolved.append(whole.group(1))
            return text
        return copy.deepcopy(found)

    def substitute(match: re.Match[str]) -> str:
        found = lookup(context, match.group(1))
        if found is MISSING:
            unresolved.append(match.group(1))
            return match.group(0)
        return render(found)

    return TEMPLATE.sub(substitute, text)


def template_refs(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every template in ``value`` with the field path of the string that holds it."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from template_refs(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from template_refs(item, f"{path}[{index}]")
    elif isinstance(value, str):
        for match in TEMPLATE.finditer(value):
            yield path, match.group(1)
