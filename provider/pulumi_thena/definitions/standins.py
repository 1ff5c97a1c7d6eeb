"""Placeholders without a stack: each ``${var.NAME}`` stands for a valid value of its field.

``thena-workflows validate`` without ``--stack`` checks every file whatever stack deploys it.
A ``${var.NAME}`` that is a whole value is replaced by a stand-in of its field's type (a number
where a number belongs), so that the schema and graph rules still run; a name that no stack
defines is a problem, with the closest known name. Secrets stay unresolved.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.variables import UNRESOLVED, string_leaves
from pulumi_thena.definitions.workflow_file import WorkflowFile
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.models.problems import find_model

WHOLE_VARIABLE = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}$")
_KEEP = object()


class StandInVariables(Mapping[str, Any]):
    """The variables some stack defines (all names, when no stack is known): stand-in values."""

    def __init__(self, stand_ins: Mapping[str, Any], known: Collection[str] | None) -> None:
        self._stand_ins = stand_ins
        self._known = known

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (self._known is None or key in self._known)

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(key)
        return self._stand_ins.get(key, f"${{var.{key}}}")

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._known) if self._known is not None else self._stand_ins)

    def __len__(self) -> int:
        return len(self._known) if self._known is not None else len(self._stand_ins)


class StandInSecrets(StandInVariables):
    """The secrets some stack sets (all names, when no stack is known); they stay unresolved."""

    def __init__(self, known: Collection[str] | None) -> None:
        super().__init__({}, known)

    def __getitem__(self, key: str) -> Any:
        if key not in self:
            raise KeyError(key)
        return UNRESOLVED


Placeholders = dict[Path, dict[str, str]]
"""File -> {field path: variable name} for each whole-value ``${var.NAME}``."""


def whole_placeholders(directory: Path, stems: Sequence[str]) -> Placeholders:
    """Each file's whole-value ``${var.NAME}`` placeholders, by field path."""
    found: Placeholders = {}
    for stem in stems:
        for path in (directory / f"{stem}.yaml", directory / f"{stem}.yml"):
            document = read_yaml(path, path.name) if path.is_file() else None
            if document is not None and not isinstance(document, FileProblem):
                found[path.resolve()] = dict(_whole_variables(document.data))
    return found


def _whole_variables(data: Any) -> Iterator[tuple[str, str]]:
    for path, text in string_leaves(data):
        if match := WHOLE_VARIABLE.match(text):
            yield path, match.group(1)


def stand_ins(placeholders: Placeholders) -> dict[str, Any]:
    """A valid value for each variable, from the type of the first field it fills."""
    values: dict[str, Any] = {}
    for fields in placeholders.values():
        for path, name in fields.items():
            value = stand_in(field_annotation(path))
            if value is not _KEEP:
                values.setdefault(name, value)
    return values


def at_placeholder(problem: FileProblem, placeholders: Placeholders, root: Path) -> bool:
    """Whether ``problem`` is about a field a stand-in filled (its value is not the file's)."""
    if problem.placeholder is not None:  # the name itself is unknown: that stays a problem
        return False
    path = (root / problem.file).resolve()
    return problem.path in placeholders.get(path, {})


_TOKENS = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def field_annotation(path: str) -> Any:
    """The type annotation of the definition-file field at ``path``; None in free-form data."""
    current: Any = WorkflowFile
    for index, key in _TOKENS.findall(path):
        if index:
            current = _item_type(current)
            continue
        model = find_model(current)
        if model is None:
            return None
        fields = {f.alias or n: f for n, f in model.model_fields.items()}
        if key not in fields:
            return None
        current = fields[key].annotation
    return current


def _alternatives(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _alternatives(typing.get_args(annotation)[0])
    elif origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _alternatives(arg)
    else:
        yield annotation


def _item_type(annotation: Any) -> Any:
    for alternative in _alternatives(annotation):
        if typing.get_origin(alternative) is list:
            return typing.get_args(alternative)[0]
    return None


def stand_in(annotation: Any) -> Any:
    """A valid value of a scalar field's type; ``_KEEP`` where the placeholder text will do."""
    alternatives = list(_alternatives(annotation))
    if annotation is None or str in alternatives:
        return _KEEP
    for alternative in alternatives:
        if typing.get_origin(alternative) is typing.Literal:
            return typing.get_args(alternative)[0]
        if alternative is bool:
            return False
        if alternative in (int, float):
            return 1
    return _KEEP
