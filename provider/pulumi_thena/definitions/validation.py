"""Validation of definition files for the command line: problems, things to set up, and notes.

Offline, three ways:

- with ``--stack S``, files load exactly as the stack loads them (its variables, secrets and
  policy), and names are checked against the stack's registry snapshot (``snapshots``);
- without a stack, every file is checked whatever stack deploys it: a ``${var.NAME}`` stands
  for a valid value of its field (``standins``), a name no stack defines is a problem, and names
  are checked against the snapshot of every stack that deploys the file;
- ``--all-stacks`` is the first way for each stack of the project.

What is wrong is a problem (exit 1). What a fresh clone has not set up yet (a secret the stack
has not been given, where another stack has it; a stack without a registry snapshot) is listed
with the command that sets it up, and is not a problem. The stack's guardrails (and lints) run
on every file that loads: a mandatory finding is a problem, an advisory one a warning (not a
problem); without a stack, each file gets the rules of every stack that deploys it, and a
finding is mandatory when one of them makes it so. Notes say what was skipped, what an
exemption waived and how old each snapshot is. ``registry_report`` adds the live org's
registries (``--online``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pulumi_thena.client import RegistryCache, ThenaClient
from pulumi_thena.definitions.errors import FileProblem, ProjectError
from pulumi_thena.definitions.guarding import (
    GuardrailProblem,
    GuardrailReport,
    check_guardrails,
    merged,
    stack_enforcement_of,
)
from pulumi_thena.definitions.loader import (
    LoadedWorkflow,
    collect_definitions,
    definition_stems,
    display_path,
)
from pulumi_thena.definitions.parse_cache import read_definition_yaml
from pulumi_thena.definitions.plan import value_at
from pulumi_thena.definitions.policy import policy_problems
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.snapshots import RegistrySnapshot, read_snapshot
from pulumi_thena.definitions.stack import (
    StackSettings,
    config_file_of,
    parse_settings,
    read_stack_config,
)
from pulumi_thena.definitions.standins import (
    StandInSecrets,
    StandInVariables,
    at_placeholder,
    stand_ins,
    whole_placeholders,
)
from pulumi_thena.definitions.variables import SECRETS_KEY, Substitutions, resolve
from pulumi_thena.models import Registry, registry_problems, wire_registry_problems


@dataclass(frozen=True)
class ValidationReport:
    """What was checked: the problems, what is not set up yet, and notes."""

    files: tuple[str, ...]
    problems: tuple[FileProblem, ...]
    loaded: tuple[LoadedWorkflow, ...]
    stack: str | None = None
    setup: tuple[FileProblem, ...] = ()
    notes: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    online: bool = False
    warnings: tuple[FileProblem, ...] = ()
    """Advisory findings of the guardrails and lints: shown, not problems."""
    guardrails: GuardrailReport = field(default_factory=GuardrailReport)

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
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
            "exempted": [item.to_json() for item in self.guardrails.exempted],
            "setup": [_problem_json(p) for p in self.setup],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AllStacksReport:
    """One report per stack of the project (``validate --all-stacks``)."""

    reports: tuple[ValidationReport, ...]
    online: bool = False

    @property
    def valid(self) -> bool:
        return all(report.valid for report in self.reports)

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, "stacks": [report.to_json() for report in self.reports]}


def _problem_json(problem: FileProblem) -> dict[str, Any]:
    """A problem or warning; ``rule`` names the guardrail that found it (None for others)."""
    return {
        "file": problem.file,
        "path": problem.path,
        "line": problem.line,
        "message": problem.message,
        "rule": problem.rule if isinstance(problem, GuardrailProblem) and problem.rule else None,
    }


@dataclass(frozen=True)
class _Target:
    directory: Path
    stems: frozenset[str] | None  # None: every file of the directory


@dataclass
class _Found:
    """What checking collects on the way."""

    files: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    setup: list[FileProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    loaded: list[LoadedWorkflow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    guardrails: GuardrailReport = field(default_factory=GuardrailReport)

    def guarded(self, report: GuardrailReport) -> None:
        """Take what the guardrails found: mandatory as problems, the rest as warnings."""
        self.guardrails = report
        self.problems += report.mandatory
        self.notes += [f"exempted: {item}" for item in report.exempted]

    def report(self, stack: str | None, *, skipped: Sequence[str] = ()) -> ValidationReport:
        return ValidationReport(
            tuple(self.files),
            tuple(self.problems),
            tuple(self.loaded),
            stack,
            tuple(self.setup),
            tuple(self.notes),
            tuple(sorted(skipped)),
            warnings=self.guardrails.advisory,
            guardrails=self.guardrails,
        )


def validate_files(project: Project, paths: Sequence[Path], stack: str | None) -> ValidationReport:
    """Check the files at ``paths`` (default: stacks/workflows) offline."""
    targets = _targets(project, paths)
    if stack is None:
        return _without_stack(project, targets)
    return _with_stack(project, targets, stack)


def validate_all_stacks(project: Project, paths: Sequence[Path]) -> AllStacksReport:
    """``validate_files`` with each stack of the project."""
    stacks = project.stacks()
    if not stacks:
        raise ProjectError(
            f"no stack files (stacks/Pulumi.<stack>.yaml) in {project.root}; create one "
            "with `pulumi stack init <stack>`"
        )
    targets = _targets(project, paths)
    return AllStacksReport(tuple(_with_stack(project, targets, stack) for stack in stacks))


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


def _stems(target: _Target) -> list[str]:
    present = definition_stems(target.directory)
    return sorted(present if target.stems is None else target.stems)


def _display(project: Project, target: _Target, stem: str) -> str:
    path = target.directory / f"{stem}.yaml"
    if not path.is_file() and (target.directory / f"{stem}.yml").is_file():
        path = target.directory / f"{stem}.yml"
    return display_path(path, project.root)


# -- with a stack --------------------------------------------------------------------------


def _stack_settings(project: Project, stack: str) -> tuple[StackSettings, list[FileProblem]]:
    source = config_file_of(stack)
    raw, problems = read_stack_config(project.require_stack(stack), source)
    settings, found = parse_settings(raw, source)
    return settings, [*problems, *found]


def _with_stack(project: Project, targets: list[_Target], stack: str) -> ValidationReport:
    settings, problems = _stack_settings(project, stack)
    source = config_file_of(stack)
    enforcement, wrong = stack_enforcement_of(settings.guardrails, project.root, source)
    found = _Found(problems=[*problems, *wrong])
    found.problems += policy_problems(
        settings.policy, definition_stems(project.workflows_dir), source
    )
    subs = Substitutions(settings.variables, settings.secrets)
    for target in targets:
        wanted = _stems(target)
        if target.directory == project.workflows_dir.resolve():
            selects = settings.policy.selects
            found.skipped += [_display(project, target, s) for s in wanted if not selects(s)]
            wanted = [s for s in wanted if selects(s)]
        loaded, file_problems = collect_definitions(
            target.directory, subs, root=project.root, only=wanted
        )
        found.loaded += loaded
        found.problems += file_problems
        found.files += [_display(project, target, stem) for stem in wanted]
    found.problems, found.setup = _unset_secrets(project, stack, found.problems)
    found.notes += [
        f"{skipped}: not deployed by stack '{stack}' (thena-workflows:include)"
        for skipped in sorted(found.skipped)
    ]
    snapshot = _check_snapshot(project, stack, found)
    found.guarded(
        check_guardrails(
            found.loaded,
            enforcement,
            stack=stack,
            variables=settings.variables,
            snapshot=snapshot,
        )
    )
    return found.report(stack, skipped=found.skipped)


def _unset_secrets(
    project: Project, stack: str, problems: Iterable[FileProblem]
) -> tuple[list[FileProblem], list[FileProblem]]:
    """Secrets another stack sets but this one does not yet: to set up, not mistakes."""
    elsewhere = _names_of_all_stacks(project, "secrets", but=stack)
    kept: list[FileProblem] = []
    users: dict[str, list[str]] = {}
    for problem in problems:
        kind, _, name = (problem.placeholder or "").partition(".")
        if kind == "secret" and name in elsewhere:
            users.setdefault(name, []).append(problem.file)
        else:
            kept.append(problem)
    setup = [
        FileProblem(
            config_file_of(stack),
            f"{SECRETS_KEY}.{name}",
            f"not set in stack '{stack}' yet (used by {', '.join(sorted(set(files)))}); set it "
            f"with `pulumi config set --secret --path '{SECRETS_KEY}.{name}' <value> "
            f"--stack {stack}`",
        )
        for name, files in sorted(users.items())
    ]
    return kept, setup


def _names_of_all_stacks(project: Project, key: str, but: str | None = None) -> set[str]:
    """The names under ``thena-workflows:<key>`` in every stack file (but one)."""
    names: set[str] = set()
    for stack in project.stacks():
        if stack == but:
            continue
        settings, _ = _stack_settings(project, stack)
        names |= set(settings.variables if key == "vars" else settings.secrets)
    return names


def _check_snapshot(project: Project, stack: str, found: _Found) -> RegistrySnapshot | None:
    """The stack's names against its registry snapshot (returned), or a setup item to write one."""
    snapshot = read_snapshot(project.root, stack)
    if isinstance(snapshot, FileProblem):
        found.problems.append(snapshot)
        return None
    if snapshot is None:
        found.setup.append(
            FileProblem(
                config_file_of(stack),
                "",
                f"no registry snapshot for stack '{stack}': event and activity names are not "
                "checked offline. Write one from the stack's org with "
                f"`thena-workflows registry snapshot --stack {stack}` and commit it",
            )
        )
        return None
    found.notes.append(f"registry snapshot of stack '{stack}': {snapshot.describe()}")
    settings, _ = _stack_settings(project, stack)
    subs = Substitutions(settings.variables, StandInSecrets(None))
    found.problems += _snapshot_problems(project, snapshot, found.files, subs)
    return snapshot


def _snapshot_problems(
    project: Project, snapshot: RegistrySnapshot, files: Iterable[str], subs: Substitutions
) -> list[FileProblem]:
    """Names ``snapshot`` does not know, in each file as far as it reads (valid or not)."""
    problems = []
    for file in files:
        document = read_definition_yaml(project.root / file, file)
        if isinstance(document, FileProblem) or not isinstance(document.data, dict):
            continue  # reported where the file is loaded
        fields = resolve(document.data, subs, reveal_secrets=False).value
        team = fields.get("teamId") if isinstance(fields.get("teamId"), str) else None
        registry = snapshot.registry(team) or snapshot.registry(None)
        if registry is None:
            continue
        where = f" (registry snapshot of stack '{snapshot.stack}')"
        problems += [
            FileProblem(file, p.path, p.message + where, document.line_of(p.path))
            for p in wire_registry_problems(fields, registry)
        ]
    return problems


def _registry_problems(
    project: Project, workflow: LoadedWorkflow, registry: Registry, *, stack_known: bool
) -> list[FileProblem]:
    """Names the live registry does not know, with their lines; a name in a variable is
    skipped when no stack gave the variable its value."""
    wire = workflow.definition.to_wire()
    document = workflow.document or read_definition_yaml(
        project.root / workflow.file, workflow.file
    )
    found = []
    for problem in registry_problems(workflow.definition, registry):
        if not stack_known and "${" in str(value_at(wire, problem.path, "")):
            continue
        line = None if isinstance(document, FileProblem) else document.line_of(problem.path)
        found.append(FileProblem(workflow.file, problem.path, problem.message, line))
    return found


# -- without a stack -----------------------------------------------------------------------


def _without_stack(project: Project, targets: list[_Target]) -> ValidationReport:
    has_stacks = bool(project.stacks())
    variables = _names_of_all_stacks(project, "vars") if has_stacks else None
    secrets = _names_of_all_stacks(project, "secrets") if has_stacks else None
    found = _Found()
    for target in targets:
        stems = _stems(target)
        placeholders = whole_placeholders(target.directory, stems)
        subs = Substitutions(
            StandInVariables(stand_ins(placeholders), variables), StandInSecrets(secrets)
        )
        loaded, problems = collect_definitions(
            target.directory, subs, root=project.root, only=stems
        )
        found.loaded += loaded
        found.problems += [p for p in problems if not at_placeholder(p, placeholders, project.root)]
        found.files += [_display(project, target, stem) for stem in stems]
    found.problems += _snapshots_of_every_stack(project, targets, found)
    found.guarded(_guardrails_of_every_stack(project, targets, found.loaded))
    return found.report(None)


def _guardrails_of_every_stack(
    project: Project, targets: list[_Target], loaded: Sequence[LoadedWorkflow]
) -> GuardrailReport:
    """Each file under the guardrails of every stack that deploys it, loaded with that stack's
    variables (``loaded``, with stand-ins, when the project has no stack: the rules' defaults).
    A finding is mandatory where one of those stacks makes it so."""
    stacks = project.stacks()
    if not stacks:
        enforcement, _ = stack_enforcement_of(StackSettings().guardrails, project.root, "")
        return check_guardrails(loaded, enforcement, stack=None, variables={})
    reports = []
    for stack in stacks:
        settings, _ = _stack_settings(project, stack)
        enforcement, _ = stack_enforcement_of(settings.guardrails, project.root, "")
        subs = Substitutions(settings.variables, StandInSecrets(None))
        selected: list[LoadedWorkflow] = []
        for target in targets:
            stems = [stem for stem in _stems(target) if settings.policy.selects(stem)]
            found, _ = collect_definitions(target.directory, subs, root=project.root, only=stems)
            selected += found  # a file that does not load here is reported with --stack
        snapshot = read_snapshot(project.root, stack)
        report = check_guardrails(
            selected,
            enforcement,
            stack=stack,
            variables=settings.variables,
            snapshot=snapshot if isinstance(snapshot, RegistrySnapshot) else None,
        )
        reports.append((stack, report))
    return merged(reports)


def _snapshots_of_every_stack(
    project: Project, targets: list[_Target], found: _Found
) -> list[FileProblem]:
    """Each file's names against the snapshot of every stack that deploys it, once a path."""
    problems: dict[tuple[str, str], FileProblem] = {}
    for stack in project.stacks():
        snapshot = read_snapshot(project.root, stack)
        if not isinstance(snapshot, RegistrySnapshot):
            continue
        found.notes.append(f"registry snapshot of stack '{stack}': {snapshot.describe()}")
        settings, _ = _stack_settings(project, stack)
        subs = Substitutions(settings.variables, StandInSecrets(None))
        files = [
            _display(project, target, stem)
            for target in targets
            for stem in _stems(target)
            if settings.policy.selects(stem)
        ]
        for problem in _snapshot_problems(project, snapshot, files, subs):
            problems.setdefault((problem.file, problem.path), problem)
    return list(problems.values())


# -- online --------------------------------------------------------------------------------


def registry_report(
    report: ValidationReport, project: Project, client: ThenaClient
) -> ValidationReport:
    """The report plus every name the org's live event and activity registries do not know.

    Without a stack, names given by a variable (``${var.NAME}``) cannot be checked.
    """
    registries = RegistryCache(client)
    problems = list(report.problems)
    for loaded in report.loaded:
        team = loaded.definition.team_id
        offered = registries.registry(None if team is None or "${" in team else team)
        problems += _registry_problems(
            project, loaded, offered, stack_known=report.stack is not None
        )
    return replace(report, problems=tuple(problems), online=True)
