"""Validation of definition files: every problem, offline; registry cross-checks online.

With a stack, files are loaded exactly as the stack loads them (its variables, secrets and
policy). Without one, variables are not checked: a ``${var.NAME}`` that is a whole value stands
for a valid value of its field (a number where a number belongs), so that schema and graph
rules still run on every file.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_thena.client import RegistryCache, ThenaClient
from pulumi_thena.definitions import FileProblem, LoadedWorkflow, Substitutions, WorkflowFile
from pulumi_thena.definitions.errors import ProjectError
from pulumi_thena.definitions.loader import collect_definitions, definition_stems, display_path
from pulumi_thena.definitions.plan import value_at
from pulumi_thena.definitions.policy import policy_problems
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.stack import (
    config_file_of,
    parse_settings,
    read_stack_config,
)
from pulumi_thena.definitions.variables import UNRESOLVED, string_leaves
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.models import registry_problems
from pulumi_thena.models.problems import find_model

WHOLE_VARIABLE = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_]*)\}$")
_KEEP = object()


@dataclass(frozen=True)
class ValidationReport:
    """What was checked and every problem found."""

    files: tuple[str, ...]
    problems: tuple[FileProblem, ...]
    loaded: tuple[LoadedWorkflow, ...]
    stack: str | None = None
    skipped: tuple[str, ...] = ()
    online: bool = False

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "stack": self.stack,
            "variablesChecked": self.stack is not None,
            "online": self.online,
            "files": list(self.files),
            "skipped": list(self.skipped),
            "problems": [
                {"file": p.file, "path": p.path, "line": p.line, "message": p.message}
                for p in self.problems
            ],
        }


@dataclass(frozen=True)
class _Target:
    directory: Path
    stems: frozenset[str] | None  # None: every file of the directory


def validate_files(project: Project, paths: Sequence[Path], stack: str | None) -> ValidationReport:
    """Check the files at ``paths`` (default: stacks/workflows) offline."""
    targets = _targets(project, paths)
    if stack is None:
        return _without_stack(project, targets)
    return _with_stack(project, targets, stack)


def _targets(project: Project, paths: Sequence[Path]) -> list[_Target]:
    grouped: dict[Path, set[str] | None] = {}
    for path in paths or [project.workflows_dir]:
        resolved = path.resolve()
        if resolved.is_dir():
            grouped[resolved] = None
        elif resolved.is_file():
            stems = grouped.setdefault(resolved.parent, set())
            if stems is not None:
                stems.add(resolved.stem)
        else:
            raise ProjectError(f"{path}: no such file or directory")
    return [_Target(d, frozenset(s) if s is not None else None) for d, s in grouped.items()]


def _with_stack(project: Project, targets: list[_Target], stack: str) -> ValidationReport:
    source = config_file_of(stack)
    raw, problems = read_stack_config(project.require_stack(stack), source)
    settings, found = parse_settings(raw, source)
    problems += found
    stems = definition_stems(project.workflows_dir)
    problems += policy_problems(settings.policy, stems, source)
    subs = Substitutions(settings.variables, settings.secrets)
    loaded: list[LoadedWorkflow] = []
    files: list[str] = []
    skipped: list[str] = []
    for target in targets:
        wanted = _stems(target)
        if target.directory == project.workflows_dir.resolve():
            selects = settings.policy.selects
            skipped += [_display(project, target, s) for s in wanted if not selects(s)]
            wanted = [s for s in wanted if selects(s)]
        found_loaded, found_problems = collect_definitions(
            target.directory, subs, root=project.root, only=wanted
        )
        loaded += found_loaded
        problems += found_problems
        files += [_display(project, target, stem) for stem in wanted]
    return ValidationReport(
        tuple(files), tuple(problems), tuple(loaded), stack, tuple(sorted(skipped))
    )


def _stems(target: _Target) -> list[str]:
    present = definition_stems(target.directory)
    return sorted(present if target.stems is None else target.stems)


def _display(project: Project, target: _Target, stem: str) -> str:
    path = target.directory / f"{stem}.yaml"
    if not path.is_file() and (target.directory / f"{stem}.yml").is_file():
        path = target.directory / f"{stem}.yml"
    return display_path(path, project.root)


def _without_stack(project: Project, targets: list[_Target]) -> ValidationReport:
    loaded: list[LoadedWorkflow] = []
    problems: list[FileProblem] = []
    files: list[str] = []
    for target in targets:
        stems = _stems(target)
        placeholders = _placeholders(target.directory, stems)
        subs = Substitutions(_AnyVariable(_stand_ins(placeholders)), _AnySecret())
        found_loaded, found_problems = collect_definitions(
            target.directory, subs, root=project.root, only=stems
        )
        loaded += found_loaded
        problems += [p for p in found_problems if not _at_placeholder(p, placeholders, project)]
        files += [_display(project, target, stem) for stem in stems]
    return ValidationReport(tuple(files), tuple(problems), tuple(loaded))


# -- placeholders without a stack ----------------------------------------------------------


class _AnyVariable(Mapping[str, Any]):
    """Every variable exists: a stand-in of the right type, or the placeholder text itself."""

    def __init__(self, stand_ins: Mapping[str, Any]) -> None:
        self._stand_ins = stand_ins

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> Any:
        return self._stand_ins.get(key, f"${{var.{key}}}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._stand_ins)

    def __len__(self) -> int:
        return len(self._stand_ins)


class _AnySecret(_AnyVariable):
    """Every secret exists and stays unresolved."""

    def __init__(self) -> None:
        super().__init__({})

    def __getitem__(self, key: str) -> Any:
        return UNRESOLVED


Placeholders = dict[Path, dict[str, str]]
"""File -> {field path: variable name} for each whole-value ``${var.NAME}``."""


def _placeholders(directory: Path, stems: Sequence[str]) -> Placeholders:
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


def _stand_ins(placeholders: Placeholders) -> dict[str, Any]:
    """A valid value for each variable, from the type of the first field it fills."""
    values: dict[str, Any] = {}
    for fields in placeholders.values():
        for path, name in fields.items():
            value = stand_in(field_annotation(path))
            if value is not _KEEP:
                values.setdefault(name, value)
    return values


def _at_placeholder(problem: FileProblem, placeholders: Placeholders, project: Project) -> bool:
    path = (project.root / problem.file).resolve()
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


# -- online --------------------------------------------------------------------------------


def registry_report(
    report: ValidationReport, project: Project, client: ThenaClient
) -> ValidationReport:
    """The report plus every name the org's event and activity registries do not know.

    Without a stack, names given by a variable (``${var.NAME}``) cannot be checked.
    """
    registries = RegistryCache(client)
    problems = list(report.problems)
    for loaded in report.loaded:
        team = loaded.definition.team_id
        offered = registries.registry(None if team is None or "${" in team else team)
        wire = loaded.definition.to_wire()
        document = read_yaml(project.root / loaded.file, loaded.file)
        for problem in registry_problems(loaded.definition, offered):
            if report.stack is None and "${" in str(value_at(wire, problem.path, "")):
                continue
            line = None if isinstance(document, FileProblem) else document.line_of(problem.path)
            problems.append(FileProblem(loaded.file, problem.path, problem.message, line))
    return ValidationReport(
        report.files, tuple(problems), report.loaded, report.stack, report.skipped, online=True
    )
