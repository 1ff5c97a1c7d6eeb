"""Problems found in a definition: a field path and what to do, from pydantic or our own rules.

Paths use the user's (wire) names with list indices in brackets, e.g.
``workflowDefinition[2].dependencies[0]``, which is also what Pulumi shows as a CheckFailure's
property.
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where, and what to do about it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(top level)'}: {self.message}"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def format_path(loc: Sequence[int | str]) -> str:
    """``("steps", 2, "dependencies", 0)`` -> ``steps[2].dependencies[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def problems_from_validation_error(
    error: ValidationError, root: type[BaseModel], prefix: Sequence[int | str] = ()
) -> list[Problem]:
    """Turn each pydantic error into a Problem with a path and a hint in the user's terms."""
    items = error.errors(include_url=False)
    models = _model_names(root)
    problems = []
    for item in items:
        if _other_branch(item, items):
            continue
        loc = tuple(_clean_loc(item["loc"], models))
        path = format_path((*prefix, *loc))
        problems.append(Problem(path, _message(item, root, loc)))
    return problems


_SCALAR_BRANCHES = {
    "str": str,
    "constrained-str": str,
    "int": int,
    "float": float,
    "bool": bool,
}
"""Tags pydantic adds to the location of a union member's error, and the kind each takes."""


def _other_branch(item: Any, items: Sequence[Any]) -> bool:
    """An error of the union member the value was not meant for.

    ``approver: {type: USER, name: x}`` fails as an Approver (an unknown field) and as a string;
    only the first says what to fix. ``approver: ""`` fails both ways too; only the string's
    error does.
    """
    loc, value = item["loc"], item.get("input")
    if loc and loc[-1] in _SCALAR_BRANCHES:
        base = tuple(loc[:-1])
        model_branch = any(
            tuple(other["loc"][: len(base)]) == base
            and len(other["loc"]) > len(base)
            and str(other["loc"][len(base)])[:1].isupper()
            for other in items
        )
        return model_branch and not isinstance(value, _SCALAR_BRANCHES[loc[-1]])
    if item["type"] not in ("model_type", "model_attributes_type", "dict_type"):
        return False
    base = tuple(loc[:-1]) if loc and str(loc[-1])[:1].isupper() else tuple(loc)
    siblings = {tuple(other["loc"]) for other in items}
    return isinstance(value, str) and any((*base, tag) in siblings for tag in _SCALAR_BRANCHES)


def _clean_loc(loc: Sequence[int | str], models: frozenset[str]) -> Iterable[int | str]:
    # Union members add their type name to the location ("str", "Approver", "function-after[..]").
    for part in loc:
        if isinstance(part, str) and (part in _SCALAR_BRANCHES or part in models or "[" in part):
            continue
        yield part


@functools.cache
def _model_names(root: type[BaseModel]) -> frozenset[str]:
    """The class names of ``root`` and every model inside its fields (union member tags)."""
    names: set[str] = set()
    pending = [root]
    while pending:
        model = pending.pop()
        if model.__name__ in names:
            continue
        names.add(model.__name__)
        pending += [m for f in model.model_fields.values() for m in _models_in(f.annotation)]
    return frozenset(names)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _message(item: Any, root: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        field = str(loc[-1]) if loc else "?"
        known = _known_fields(root, loc[:-1])
        hint = closest(field, known)
        suggestion = f" Did you mean '{hint}'?" if hint else ""
        listing = f" Known fields here: {', '.join(known)}." if known else ""
        return f"unknown field '{field}'.{suggestion}{listing}"
    if kind == "missing":
        return "this field is required; add it"
    message = str(item["msg"])
    if kind == "value_error":  # our validators' own words, which say what they got
        return message.removeprefix("Value error, ")
    got = item.get("input")
    shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
    return f"{message} (got {shown})"


def _known_fields(root: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    model = _model_at(root, loc)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_at(root: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    current: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        model = find_model(current)
        if model is None:
            return None
        field = next(
            (f for n, f in model.model_fields.items() if part in (n, f.alias)),
            None,
        )
        if field is None:
            return None
        current = field.annotation
    return find_model(current)


def find_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside an annotation such as ``list[Step] | None``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = find_model(arg)
            if found is not None:
                return found
    return None
