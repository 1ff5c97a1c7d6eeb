"""A stack's guardrails over its definition files: what ``validate``, ``plan`` and the program run.

The rules live in ``pulumi_thena.guardrails``; here they meet the files. Each loaded file is
checked in canonical form with its secrets as ``[secret]`` (``LoadedWorkflow.redacted``), and
what a rule finds is reported as the file has it: the step at the index the file gives it, with
its line. Mandatory findings are problems; advisory ones (and exemptions to look at) are
warnings; exempted ones are listed with the file's reason. What the built-in rules found in a
definition is kept in the content cache (``content_cache``, ``findings/``) for the next command.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_thena.definitions.content_cache import FINDINGS, content_store
from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.loader import LoadedWorkflow
from pulumi_thena.definitions.policy import NAMESPACE
from pulumi_thena.definitions.snapshots import RegistrySnapshot
from pulumi_thena.guardrails.credentials import REDACTED
from pulumi_thena.guardrails.enforce import (
    ExemptionIssue,
    Outcome,
    Subject,
    Violation,
    evaluate,
    stack_enforcement,
)
from pulumi_thena.guardrails.registry import Level
from pulumi_thena.guardrails.settings import Enforcement, GuardrailSettings
from pulumi_thena.spec.graph import ref_sort_key, step_ref

SETTING = f"{NAMESPACE}:guardrails"


@dataclass(frozen=True)
class GuardrailProblem(FileProblem):
    """A rule's finding in one file: the message names the level, the rule and the fix."""

    rule: str = ""
    level: str = ""


@dataclass(frozen=True)
class ExemptedFinding:
    """What a file's exemption waived: the rule, the reason and the paths it found."""

    file: str
    rule: str
    reason: str
    paths: tuple[str, ...]

    def __str__(self) -> str:
        found = ", ".join(self.paths) or "(whole workflow)"
        return f"{self.file}: {self.rule} exempted at {found}: {self.reason}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "rule": self.rule, "reason": self.reason, "paths": [*self.paths]}


@dataclass(frozen=True)
class GuardrailReport:
    """What a stack's rules found in its files."""

    mandatory: tuple[GuardrailProblem, ...] = ()
    advisory: tuple[GuardrailProblem, ...] = ()
    """Advisory findings, and exemptions naming no rule or exempting from nothing."""
    exempted: tuple[ExemptedFinding, ...] = ()


def stack_enforcement_of(
    settings: GuardrailSettings, project_dir: Path | None, source: str
) -> tuple[Enforcement, list[FileProblem]]:
    """The stack's rules with their levels; problems name ``thena-workflows:guardrails.*``."""
    enforcement, problems = stack_enforcement(settings, project_dir)
    return enforcement, [
        FileProblem(source, f"{SETTING}.{p.path}" if p.path else SETTING, p.message)
        for p in problems
    ]


def check_guardrails(
    workflows: Sequence[LoadedWorkflow],
    enforcement: Enforcement,
    *,
    stack: str | None,
    variables: Mapping[str, Any],
    snapshot: RegistrySnapshot | None = None,
) -> GuardrailReport:
    """Run the stack's rules over its loaded files, in file order."""
    subjects = [_subject(workflow, snapshot) for workflow in workflows]
    kept = content_store(FINDINGS)
    outcome = evaluate(subjects, enforcement, stack=stack, variables=variables, kept=kept)
    return report_of(outcome, {w.file: w for w in workflows})


def _subject(workflow: LoadedWorkflow, snapshot: RegistrySnapshot | None) -> Subject:
    definition = workflow.redacted or _redacted(workflow)
    schema = None
    if snapshot is not None:
        event = workflow.definition.trigger_event
        schema = snapshot.event_schema(event, workflow.definition.team_id)
    return Subject(workflow.file, definition, workflow.exemptions, schema)


def _redacted(workflow: LoadedWorkflow) -> dict[str, Any]:
    """The canonical definition with its secrets as ``[secret]``, for a LoadedWorkflow made
    without ``redacted`` (the loader always fills it in)."""
    from pulumi_thena.definitions.plan import canonical_secret_paths, masked  # plan imports us

    wire = workflow.definition.canonical().to_wire()
    paths = canonical_secret_paths(workflow)
    return masked(wire, paths, REDACTED) if paths else wire  # a fresh dict: nothing to copy


def report_of(outcome: Outcome, files: Mapping[str, LoadedWorkflow]) -> GuardrailReport:
    """The outcome in the files' terms: paths in file order, with lines."""
    mandatory = [_problem(v, files) for v in outcome.mandatory]
    advisory = [_problem(v, files) for v in outcome.advisory]
    advisory += [_issue(issue, files) for issue in outcome.issues]
    return GuardrailReport(tuple(mandatory), tuple(advisory), tuple(_exempted(outcome, files)))


def _problem(violation: Violation, files: Mapping[str, LoadedWorkflow]) -> GuardrailProblem:
    loaded = files[violation.workflow]
    path = to_file_path(violation.path, loaded)
    return GuardrailProblem(
        violation.workflow,
        path,
        violation.message,
        _line(loaded, path),
        rule=violation.rule.id,
        level=violation.level.value,
    )


def _issue(issue: ExemptionIssue, files: Mapping[str, LoadedWorkflow]) -> GuardrailProblem:
    return GuardrailProblem(
        issue.workflow,
        issue.path,
        f"[{Level.ADVISORY.value}] guardrail exemption: {issue.message}",
        _line(files[issue.workflow], issue.path),
        level=Level.ADVISORY.value,
    )


def _exempted(outcome: Outcome, files: Mapping[str, LoadedWorkflow]) -> list[ExemptedFinding]:
    grouped: dict[tuple[str, str], list[Violation]] = {}
    for violation in outcome.exempted:
        grouped.setdefault((violation.workflow, violation.rule.id), []).append(violation)
    return [
        ExemptedFinding(
            file,
            rule,
            found[0].exemption.reason if found[0].exemption else "",
            tuple(to_file_path(v.path, files[file]) for v in found if v.path),
        )
        for (file, rule), found in grouped.items()
    ]


def _line(loaded: LoadedWorkflow, path: str) -> int | None:
    return loaded.document.line_of(path) if loaded.document is not None else None


_STEP = re.compile(r"^workflowDefinition\[(\d+)\]")
_DEPENDENCY = re.compile(r"^\.dependencies\[(\d+)\]")


def to_file_path(path: str, loaded: LoadedWorkflow) -> str:
    """A path of the canonical definition as the file writes it: its step and dependency order.

    Canonical form orders steps by identifier and sorts each step's dependencies; a file may
    list both in any order.
    """
    match = _STEP.match(path)
    steps = loaded.definition.workflow_definition
    if match is None or int(match.group(1)) >= len(steps):
        return path
    order = sorted(steps, key=lambda step: step.step_identifier)
    step = order[int(match.group(1))]
    rest = path[match.end() :]
    dependency = _DEPENDENCY.match(rest)
    if dependency is not None:
        written = [step_ref(d) for d in step.dependencies]
        canonical = sorted(set(written), key=ref_sort_key)
        position = int(dependency.group(1))
        if position < len(canonical):
            index = written.index(canonical[position])
            rest = f".dependencies[{index}]{rest[dependency.end() :]}"
    return f"workflowDefinition[{steps.index(step)}]{rest}"


def merged(reports: Iterable[tuple[str, GuardrailReport]]) -> GuardrailReport:
    """The reports of several stacks over the same files as one (``validate`` without a stack).

    A finding is mandatory when one stack makes it so; the message says which stacks.
    """
    levels: dict[tuple[str, str, str], dict[str, GuardrailProblem]] = {}
    exempted: dict[tuple[str, str], ExemptedFinding] = {}
    for stack, report in reports:
        for problem in [*report.mandatory, *report.advisory]:
            key = (problem.file, problem.path, _without_level(problem.message))
            levels.setdefault(key, {})[stack] = problem
        for item in report.exempted:
            exempted.setdefault((item.file, item.rule), item)
    mandatory: list[GuardrailProblem] = []
    advisory: list[GuardrailProblem] = []
    for by_stack in levels.values():
        strict = sorted(s for s, p in by_stack.items() if p.level == Level.MANDATORY.value)
        first = next(iter(by_stack.values()))
        shown = _in_stacks(first, by_stack, strict)
        (mandatory if strict else advisory).append(shown)
    return GuardrailReport(
        tuple(sorted(mandatory, key=_position)),
        tuple(sorted(advisory, key=_position)),
        tuple(exempted.values()),
    )


def _position(problem: FileProblem) -> tuple[str, int, str]:
    return (problem.file, problem.line or 0, problem.path)


def _without_level(message: str) -> str:
    return re.sub(r"^\[(advisory|mandatory)\] ", "", message)


def _in_stacks(
    problem: GuardrailProblem, by_stack: Mapping[str, GuardrailProblem], strict: Sequence[str]
) -> GuardrailProblem:
    level = Level.MANDATORY if strict else Level.ADVISORY
    stacks = [s for s in (strict or sorted(by_stack)) if s]
    named = ", ".join(f"'{s}'" for s in stacks)
    where = f" in stack{'s' if len(stacks) > 1 else ''} {named}" if stacks else ""
    body = _without_level(problem.message)
    return GuardrailProblem(
        problem.file,
        problem.path,
        f"[{level.value}{where}] {body}",
        problem.line,
        rule=problem.rule,
        level=level.value,
    )
