"""Workflow tests: test files in ``stacks/tests/``, each case's event run through ``spec.runs``.

    run_workflow_tests(project, paths, stack)    -> WorkflowTestReport (cases, problems)
    run_all_stacks(project, paths)               -> AllStacksTestReport, one report per stack

Test files are read once; for each stack, their ``${var.NAME}`` take its values and each case
fires its event at every workflow the stack deploys (``workflow_test_stack``), through
``spec.runs.simulate`` with the case's entities, results, failures and decisions. What the
runs did is compared with the case's expectations (``workflow_test_compare``).

A case is skipped, with the reason, when its ``stacks`` leave the stack out or when it names a
workflow the stack does not deploy; a name that no file has fails the case. A test file that
cannot be read or does not fit the format is a problem, with its file, field path and line, like
a definition file's. docs/workflow-tests.md describes the format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from pulumi_thena.definitions.errors import FileProblem, ProjectError
from pulumi_thena.definitions.loader import display_path, links_outside
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.variables import UnknownPlaceholder, resolve
from pulumi_thena.definitions.workflow_test_compare import Mismatch, compare_case
from pulumi_thena.definitions.workflow_test_file import WorkflowTestCase, WorkflowTestFile
from pulumi_thena.definitions.workflow_test_stack import StackUnderTest, load_stack_under_test
from pulumi_thena.definitions.yamlfile import YamlDocument, read_yaml
from pulumi_thena.models.problems import closest, problems_from_validation_error
from pulumi_thena.spec.runs import Run, simulate

TESTS_DIR: Final = "stacks/tests"
DEFAULT_STACK: Final = "local"
"""The stack whose variables apply when none is given: the emulator's, with fixed fake values."""
SUFFIXES: Final = (".yaml", ".yml")
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass(frozen=True)
class CaseResult:
    """What became of one case: passed, failed (with each mismatch) or skipped (and why)."""

    file: str
    name: str
    line: int | None
    outcome: str
    mismatches: tuple[Mismatch, ...] = ()
    lines: tuple[int | None, ...] = ()
    """The test-file line of each mismatch's expectation."""
    skip_reason: str | None = None
    triggered: tuple[str, ...] = ()

    def where(self, line: int | None) -> str:
        """``stacks/tests/x.yaml:12``: a place in this case's file, for editors and CI logs."""
        return f"{self.file}:{line}" if line else self.file

    def failure_lines(self) -> list[str]:
        """Each mismatch as ``file:line: what: expected ..., got ...``, its details indented."""
        out = []
        for mismatch, line in zip(self.mismatches, self.lines, strict=True):
            first, *rest = mismatch.describe()
            out.append(f"{self.where(line)}: {first}")
            out += [f"    {detail}" for detail in rest]
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "name": self.name,
            "line": self.line,
            "outcome": self.outcome,
            "triggered": list(self.triggered),
            "skipReason": self.skip_reason,
            "failures": [
                {**mismatch.to_json(), "line": line}
                for mismatch, line in zip(self.mismatches, self.lines, strict=True)
            ],
        }


@dataclass(frozen=True)
class WorkflowTestReport:
    """Every case of every test file on one stack, and the problems of files that cannot run."""

    stack: str
    files: tuple[str, ...]
    cases: tuple[CaseResult, ...]
    problems: tuple[FileProblem, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.problems and all(case.outcome != FAILED for case in self.cases)

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "stack": self.stack,
            "files": list(self.files),
            "summary": {
                "cases": len(self.cases),
                PASSED: self.count(PASSED),
                FAILED: self.count(FAILED),
                SKIPPED: self.count(SKIPPED),
                "problems": len(self.problems),
            },
            "problems": [
                {"file": p.file, "path": p.path, "line": p.line, "message": p.message}
                for p in self.problems
            ],
            "cases": [case.to_json() for case in self.cases],
        }


@dataclass(frozen=True)
class AllStacksTestReport:
    """One report per stack of the project (``test --all-stacks``)."""

    reports: tuple[WorkflowTestReport, ...]

    @property
    def passed(self) -> bool:
        return all(report.passed for report in self.reports)

    def to_json(self) -> dict[str, Any]:
        return {"passed": self.passed, "stacks": [report.to_json() for report in self.reports]}


@dataclass(frozen=True)
class ParsedTestFile:
    """One test file as parsed: its display path and its YAML with line numbers."""

    file: str
    document: YamlDocument


@dataclass(frozen=True)
class FoundTestFiles:
    """The test files found: those that parse, and the problems of the rest."""

    files: tuple[str, ...]
    documents: tuple[ParsedTestFile, ...]
    problems: tuple[FileProblem, ...]


def run_workflow_tests(project: Project, paths: Sequence[Path], stack: str) -> WorkflowTestReport:
    """Run every case of the test files at ``paths`` (default ``stacks/tests/``) on ``stack``."""
    return run_stack_tests(project, stack, read_test_files(project, paths))


def run_all_stacks(project: Project, paths: Sequence[Path]) -> AllStacksTestReport:
    """``run_workflow_tests`` on each stack of the project, the files read once."""
    stacks = project.stacks()
    if not stacks:
        raise ProjectError(
            f"no stack config files (stacks/Pulumi.<stack>.yaml) in {project.root}; "
            "create a stack with `pulumi stack init`"
        )
    found = read_test_files(project, paths)
    return AllStacksTestReport(tuple(run_stack_tests(project, s, found) for s in stacks))


def run_stack_tests(project: Project, stack: str, found: FoundTestFiles) -> WorkflowTestReport:
    """Every case of the files ``found`` on one stack."""
    under_test = load_stack_under_test(project, stack)
    problems = list(found.problems)
    cases: list[CaseResult] = []
    for test in found.documents:
        checked = check_test_file(test, under_test)
        problems += checked.problems
        for index, case in enumerate(checked.model.cases if checked.model else ()):
            unknown = checked.unknown_variables.get(index, [])
            if unknown and _skip_reason(case, under_test) is None:
                problems += unknown
            else:
                cases.append(run_case(test, index, case, under_test))
    return WorkflowTestReport(stack, found.files, tuple(cases), tuple(problems))


# -- the test files ---------------------------------------------------------------------------


def read_test_files(project: Project, paths: Sequence[Path]) -> FoundTestFiles:
    """Parse the test files at ``paths`` (files, or folders' ``*.yaml``), else ``stacks/tests/``."""
    problems: list[FileProblem] = []
    files, documents = [], []
    for path in _test_paths(project, paths, problems):
        display = display_path(path, project.root)
        files.append(display)
        document = read_yaml(path, display)
        if isinstance(document, FileProblem):
            problems.append(document)
        else:
            documents.append(ParsedTestFile(display, document))
    return FoundTestFiles(tuple(files), tuple(documents), tuple(problems))


def _test_paths(project: Project, paths: Sequence[Path], problems: list[FileProblem]) -> list[Path]:
    if not paths:
        directory = project.root / TESTS_DIR
        if not directory.is_dir():
            raise ProjectError(
                f"no test folder {TESTS_DIR}/ in {project.root}; write a test file there "
                "(docs/workflow-tests.md), or give the files to run"
            )
        paths = [directory]
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.is_file() and _is_test_file(p))
        else:
            found.append(path)
    outside = [p for p in found if links_outside(p, project.root)]
    problems += [
        FileProblem(
            display_path(p, project.root),
            "",
            "is a symbolic link to a file outside the project, which is not read; copy the test "
            "file into the folder instead",
        )
        for p in outside
    ]
    if not found:
        shown = ", ".join(display_path(p, project.root) for p in paths)
        problems.append(
            FileProblem(
                shown, "", "no test files (*.yaml) here; write one (docs/workflow-tests.md)"
            )
        )
    return [p for p in found if p not in outside]


def _is_test_file(path: Path) -> bool:
    return path.suffix in SUFFIXES and not path.name.startswith(".")


@dataclass(frozen=True)
class CheckedTestFile:
    """A test file read for one stack: its model (None when it does not fit the format), its
    problems, and by case index the variables a case names that the stack does not have."""

    model: WorkflowTestFile | None
    problems: tuple[FileProblem, ...] = ()
    unknown_variables: dict[int, list[FileProblem]] = field(default_factory=dict)


_CASE_INDEX: Final = re.compile(r"^cases\[(\d+)\]")


def check_test_file(test: ParsedTestFile, stack: StackUnderTest) -> CheckedTestFile:
    """The file with the stack's ``${var.NAME}`` resolved, checked against the format.

    A variable the stack does not have is a problem only for a case the stack runs (as a
    definition file's variables matter only where the file is deployed).
    """
    document, display = test.document, test.file
    if not isinstance(document.data, dict):
        top = FileProblem(display, "", "the top level must be a mapping with 'cases'", line=1)
        return CheckedTestFile(None, (top,))
    resolved = resolve(document.data, stack.substitutions(), reveal_secrets=False)
    by_case: dict[int, list[FileProblem]] = {}
    problems = []
    for problem in resolved.problems:
        located = FileProblem(
            display,
            problem.path,
            f"{problem.message} (stack '{stack.stack}')",
            document.line_of(problem.path),
        )
        index = _case_of(problem.path)
        if isinstance(problem, UnknownPlaceholder) and index is not None:
            by_case.setdefault(index, []).append(located)
        else:
            problems.append(located)
    try:
        data = string_keys(resolved.value)
        model = WorkflowTestFile.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as error:
        problems += [
            FileProblem(display, p.path, p.message, document.line_of(p.path))
            for p in problems_from_validation_error(error, WorkflowTestFile)
            if _case_of(p.path) not in by_case
        ]
        # Without a model no case can say it is skipped: every unknown variable counts.
        problems += [problem for found in by_case.values() for problem in found]
        return CheckedTestFile(None, tuple(problems))
    return CheckedTestFile(None if problems else model, tuple(problems), by_case)


def string_keys(value: Any) -> Any:
    """Mapping keys as text, as JSON has them: YAML reads ``2:`` as a number, and a field path
    (``inputs.2``) names it as text."""
    if isinstance(value, dict):
        return {str(key): string_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [string_keys(item) for item in value]
    return value


def _case_of(path: str) -> int | None:
    index = _CASE_INDEX.match(path)
    return int(index.group(1)) if index else None


# -- the cases --------------------------------------------------------------------------------


def run_case(
    test: ParsedTestFile, index: int, case: WorkflowTestCase, stack: StackUnderTest
) -> CaseResult:
    """Fire the case's event at every workflow of the stack and compare what it expects."""
    where = f"cases[{index}]"
    line = test.document.line_of(where)
    skip = _skip_reason(case, stack)
    if skip is not None:
        return CaseResult(test.file, case.name, line, SKIPPED, skip_reason=skip)
    unknown = [stem for stem in _named(case) if stem not in stack.stems]
    if unknown:
        mismatches = tuple(_unknown_workflow(stem, where, case, stack) for stem in unknown)
        lines = tuple(test.document.line_of(m.path) for m in mismatches)
        return CaseResult(test.file, case.name, line, FAILED, mismatches, lines)
    runs = run_event(case, stack)
    mismatches = tuple(compare_case(case, runs, f"{where}.expect", stack.locate))
    return CaseResult(
        test.file,
        case.name,
        line,
        FAILED if mismatches else PASSED,
        mismatches,
        tuple(test.document.line_of(m.path) for m in mismatches),
        triggered=tuple(sorted(stem for stem, run in runs.items() if run.triggered)),
    )


def _named(case: WorkflowTestCase) -> list[str]:
    return sorted({*(case.expect.triggers or ()), *case.expect.workflows})


def _skip_reason(case: WorkflowTestCase, stack: StackUnderTest) -> str | None:
    if case.stacks is not None and stack.stack not in case.stacks:
        return f"for stacks {', '.join(case.stacks)}, not '{stack.stack}'"
    undeployed = [s for s in _named(case) if s in stack.stems and s not in stack.workflows]
    if undeployed:
        return (
            f"{', '.join(undeployed)} not deployed by stack '{stack.stack}' "
            "(thena-workflows:include)"
        )
    return None


def run_event(case: WorkflowTestCase, stack: StackUnderTest) -> dict[str, Run]:
    """The case's event at each deployed workflow: a run per file stem (triggered or not)."""
    message: dict[str, Any] = {"payload": case.event.payload}
    if case.event.actor is not None:
        message["actor"] = case.event.actor
    event: dict[str, Any] = {"name": case.event.name, "message": message}
    if case.event.message_attributes is not None:
        event["messageAttributes"] = case.event.message_attributes
    return {
        stem: simulate(
            workflow,
            event,
            entities=case.entities,
            results=case.results,
            failures=case.failing_attempts(),
            decisions=case.decisions,
        )
        for stem, workflow in stack.workflows.items()
    }


def _unknown_workflow(
    stem: str, where: str, case: WorkflowTestCase, stack: StackUnderTest
) -> Mismatch:
    in_triggers = stem in (case.expect.triggers or ())
    path = f"{where}.expect.triggers" if in_triggers else f"{where}.expect.workflows.{stem}"
    hint = closest(stem, stack.stems)
    suggestion = f"; did you mean '{hint}'?" if hint else ""
    return Mismatch(
        path,
        stem,
        "workflow file",
        f"stacks/workflows/{stem}.yaml",
        None,
        (
            f"no workflow file '{stem}' in stacks/workflows/{suggestion} Workflows are named "
            f"by file name without .yaml: {', '.join(stack.stems) or 'none'}",
        ),
        missing=True,
    )
