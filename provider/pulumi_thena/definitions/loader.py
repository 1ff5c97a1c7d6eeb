"""Loading the definition files of ``stacks/workflows/``: one workflow per file, named by its stem.

Each file is read (``yamlfile``: safe YAML), its placeholders resolved (``variables``), validated
as the model of one file (``workflow_file``) with the provider's own offline rules, then the
files are checked against each other (previous names; the stack's guardrails, which check
names among other things, run on what loads: ``definitions.guarding``).
Every problem of every file is collected; nothing is returned unless all files are valid.

A symbolic link among the files is followed only when its target is inside the project: a pull
request could otherwise add ``x.yaml -> /etc/passwd`` or ``-> ~/.ssh/...`` and have CI read a
file from outside the repository (and quote its lines in error messages).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pulumi_thena.client.safe_text import terminal_safe
from pulumi_thena.definitions.errors import FileProblem, raise_if_any
from pulumi_thena.definitions.parse_cache import read_definition_yaml
from pulumi_thena.definitions.variables import Substitutions, UnknownPlaceholder, resolve
from pulumi_thena.definitions.workflow_file import WorkflowFile, is_resource_name
from pulumi_thena.definitions.yamlfile import YamlDocument
from pulumi_thena.guardrails.enforce import Exemption
from pulumi_thena.models import (
    Problem,
    WorkflowDefinition,
    definition_problems,
    partial_problems,
    problems_from_validation_error,
)

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, repr=False)
class LoadedWorkflow:
    """One valid definition file, its placeholders resolved; the stem is the resource name."""

    stem: str
    file: str
    definition: WorkflowDefinition
    previous_names: tuple[str, ...] = ()
    adopt_existing: bool = False
    is_active: bool | None = None
    """``isActive`` as written in the file; ``None`` when the file leaves it to the stack."""
    secret_paths: tuple[str, ...] = ()
    """Field paths that hold a secret; any makes the program store the steps as a secret."""
    exemptions: tuple[Exemption, ...] = ()
    """``guardrailExemptions``: rules of the stack's guardrails this file is exempt from."""
    redacted: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The canonical wire definition with each secret as ``[secret]``: what guardrails read."""
    document: YamlDocument | None = field(default=None, compare=False, repr=False)
    """The parsed file, for the line of a field path."""

    @property
    def uses_secrets(self) -> bool:
        return bool(self.secret_paths)

    def __repr__(self) -> str:  # never shows inputs, which may hold secrets
        return (
            f"LoadedWorkflow(stem={self.stem!r}, file={self.file!r}, "
            f"name={self.definition.name!r}, secret_paths={list(self.secret_paths)})"
        )


def load_definitions(
    directory: Path,
    substitutions: Substitutions,
    *,
    root: Path | None = None,
    only: Collection[str] | None = None,
) -> tuple[LoadedWorkflow, ...]:
    """Every workflow in ``directory``, or one DefinitionLoadError listing every problem."""
    loaded, problems = collect_definitions(directory, substitutions, root=root, only=only)
    raise_if_any(problems)
    return loaded


def collect_definitions(
    directory: Path,
    substitutions: Substitutions,
    *,
    root: Path | None = None,
    only: Collection[str] | None = None,
) -> tuple[tuple[LoadedWorkflow, ...], list[FileProblem]]:
    """Like ``load_definitions`` but returns the problems instead of raising them.

    With ``only``, just those stems are loaded (a stack need not define the variables of files
    it does not deploy); the checks between files still see every file name.
    """
    paths, problems = definition_paths(directory, root)
    loaded: list[LoadedWorkflow] = []
    for path in paths:
        if only is not None and path.stem not in only:
            continue
        result = load_file(path, display_path(path, root), substitutions)
        if isinstance(result, LoadedWorkflow):
            loaded.append(result)
        else:
            problems += result
    problems += cross_file_problems(loaded, [p.stem for p in paths])
    return tuple(loaded), problems


def display_path(path: Path, root: Path | None) -> str:
    """``stacks/workflows/x.yaml``: the path relative to the project (or working) directory.

    Terminal-safe: a file name may hold a newline or an escape sequence.
    """
    base = (root or Path.cwd()).resolve()
    try:
        shown = path.resolve().relative_to(base).as_posix()
    except ValueError:
        shown = path.as_posix()
    return terminal_safe(shown)


def definition_paths(directory: Path, root: Path | None) -> tuple[list[Path], list[FileProblem]]:
    """The definition files in ``directory`` (not its subfolders), sorted by name."""
    shown = display_path(directory, root)
    if not directory.is_dir():
        return [], [FileProblem(shown, "", "the workflows folder does not exist; create it")]
    candidates = sorted(p for p in directory.iterdir() if p.is_file() and _is_definition(p))
    outside = [path for path in candidates if links_outside(path, root)]
    paths = [path for path in candidates if path not in outside]
    problems = [_outside_problem(path, root) for path in outside]
    problems += [
        FileProblem(
            display_path(nested, root),
            "",
            "definition files in subfolders are not read; move it up into "
            f"{shown}/ (one workflow per file, named by the file)",
        )
        for nested in sorted(directory.rglob("*"))
        if nested.parent != directory and nested.is_file() and _is_definition(nested)
    ]
    problems += _duplicate_stems(paths, root)
    if not paths:
        problems.append(
            FileProblem(
                shown,
                "",
                "no definition files (*.yaml) found; deploying an empty folder would delete every "
                "workflow of the stack. Add a file (to remove a whole stack, `pulumi destroy` it)",
            )
        )
    return paths, problems


def links_outside(path: Path, root: Path | None) -> bool:
    """Whether ``path`` is a symbolic link whose target is outside the project."""
    if not path.is_symlink():
        return False
    project = (root or Path.cwd()).resolve()
    return not path.resolve().is_relative_to(project)


def _outside_problem(path: Path, root: Path | None) -> FileProblem:
    return FileProblem(
        display_path(path.parent, root) + "/" + terminal_safe(path.name),
        "",
        "is a symbolic link to a file outside the project, which is not read; copy the "
        "definition into the folder instead (links are followed only inside the project)",
    )


def definition_stems(directory: Path) -> list[str]:
    """The file stems (resource names) of the definition files in ``directory``."""
    if not directory.is_dir():
        return []
    return sorted({p.stem for p in directory.iterdir() if p.is_file() and _is_definition(p)})


def _duplicate_stems(paths: Sequence[Path], root: Path | None) -> Iterator[FileProblem]:
    stems = [p.stem for p in paths]
    for path in paths:
        if stems.count(path.stem) > 1 and path.suffix == ".yml":
            yield FileProblem(
                display_path(path, root),
                "",
                f"another file is also named '{path.stem}' (.yaml); the file name is the "
                "resource name and must be unique: delete or rename one",
            )


def _is_definition(path: Path) -> bool:
    return path.suffix in SUFFIXES and not path.name.startswith(".")


def load_file(
    path: Path, display: str, substitutions: Substitutions
) -> LoadedWorkflow | list[FileProblem]:
    """Parse, resolve and validate one definition file."""
    document = read_definition_yaml(path, display)
    if isinstance(document, FileProblem):
        return [document]
    if not isinstance(document.data, dict):
        kind = "list" if isinstance(document.data, list) else "single value"
        return [
            FileProblem(
                display,
                "",
                f"the top level is a {kind}; it must be a mapping of workflow fields "
                "(name, triggerEvent, executingAgent, workflowDefinition, ...)",
                line=1,
            )
        ]
    problems = _stem_problems(path.stem, display)
    checked, found, secrets = _checked(document, display, substitutions)
    problems += found
    if problems or checked is None:
        return problems
    if not secrets:  # what was checked is what is loaded (guardrails read it as it is)
        return _loaded(path.stem, display, checked, (), document)
    loaded = _revealed(path.stem, document, display, substitutions)
    if isinstance(loaded, LoadedWorkflow):
        return replace(loaded, redacted=checked.definition().canonical().to_wire())
    return loaded


def _stem_problems(stem: str, display: str) -> list[FileProblem]:
    if is_resource_name(stem):
        return []
    return [
        FileProblem(
            display,
            "",
            f"the file name {stem!r} is used as the resource name; rename the file to letters, "
            "digits, '.', '_' and '-' only (starting with a letter or digit)",
        )
    ]


def _checked(
    document: YamlDocument, display: str, substitutions: Substitutions
) -> tuple[WorkflowFile | None, list[FileProblem], bool]:
    """The file with each secret replaced by a stand-in, every problem found in it, and
    whether a secret stood in (without one, the model is the file as loaded)."""
    redacted = resolve(document.data, substitutions, reveal_secrets=False)
    problems = list(redacted.problems)
    reported = {problem.path for problem in problems}
    model = None
    try:
        model = WorkflowFile.model_validate(redacted.value, by_alias=True, by_name=False)
    except ValidationError as error:
        # A placeholder that could not be resolved is reported once, not again as a bad value.
        invalid = problems_from_validation_error(error, WorkflowFile)
        problems += [problem for problem in invalid if problem.path not in reported]
        problems += _unreported(partial_problems(_mapping(redacted.value)), problems)
    else:
        problems += definition_problems(model)
    return model, _located(problems, document, display), bool(redacted.secret_paths)


def _mapping(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _unreported(found: Iterable[Problem], reported: Iterable[Problem]) -> list[Problem]:
    """``found`` without the problems whose path was reported already."""
    paths = {problem.path for problem in reported}
    return [problem for problem in found if problem.path not in paths]


def _revealed(
    stem: str, document: YamlDocument, display: str, substitutions: Substitutions
) -> LoadedWorkflow | list[FileProblem]:
    """The valid file with its real secret values; messages here never show a value."""
    revealed = resolve(document.data, substitutions, reveal_secrets=True)
    if revealed.problems:
        return _located(revealed.problems, document, display)
    try:
        model = WorkflowFile.model_validate(revealed.value, by_alias=True, by_name=False)
    except ValidationError as error:
        return _located(_secret_type_problems(error), document, display)
    return _loaded(stem, display, model, revealed.secret_paths, document)


def _loaded(
    stem: str,
    display: str,
    model: WorkflowFile,
    secret_paths: Sequence[str],
    document: YamlDocument,
) -> LoadedWorkflow:
    return LoadedWorkflow(
        stem=stem,
        file=display,
        definition=model.definition(),
        previous_names=tuple(model.previous_names),
        adopt_existing=model.adopt_existing,
        is_active=model.is_active if "is_active" in model.model_fields_set else None,
        secret_paths=tuple(secret_paths),
        exemptions=tuple(Exemption(e.rule, e.reason) for e in model.guardrail_exemptions),
        document=document,
    )


def _secret_type_problems(error: ValidationError) -> list[Problem]:
    paths = problems_from_validation_error(error, WorkflowFile)
    return [
        Problem(p.path, "the value of the secret used here does not fit this field; fix the secret")
        for p in paths
    ]


def _located(
    problems: Iterable[Problem], document: YamlDocument, display: str
) -> list[FileProblem]:
    return [
        FileProblem(
            display,
            p.path,
            p.message,
            document.line_of(p.path),
            p.placeholder if isinstance(p, UnknownPlaceholder) else None,
        )
        for p in problems
    ]


def cross_file_problems(
    loaded: Sequence[LoadedWorkflow], stems: Sequence[str]
) -> list[FileProblem]:
    """Rules between files: a previous name is no file's name and belongs to one file."""
    return list(_previous_name_problems(loaded, set(stems)))


def _previous_name_problems(
    loaded: Sequence[LoadedWorkflow], stems: set[str]
) -> Iterator[FileProblem]:
    claimed: dict[str, str] = {}
    for workflow in loaded:
        for index, old in enumerate(workflow.previous_names):
            where = f"previousNames[{index}]"
            if old in stems:
                yield FileProblem(
                    workflow.file,
                    where,
                    f"'{old}' is the name of an existing file, so it cannot be a previous name; "
                    "remove it here or rename that file",
                )
            elif old in claimed:
                yield FileProblem(
                    workflow.file,
                    where,
                    f"'{old}' is also a previous name in {claimed[old]}; a former name belongs "
                    "to one workflow only, remove it from one of the files",
                )
            claimed.setdefault(old, workflow.file)
