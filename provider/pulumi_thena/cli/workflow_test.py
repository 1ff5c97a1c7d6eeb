"""``thena-workflows test``: run the workflow tests of ``stacks/tests/`` offline, on one stack.

The logic lives in ``definitions.workflow_tests`` (loading, running through ``spec.runs``,
comparing) and ``definitions.workflow_test_junit``; this module chooses the stack, prints the
report (or ``--json``), writes ``--junit`` and sets the exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.cli.errors import EXIT_ERROR, EXIT_OK, SetupError
from pulumi_thena.cli.output import Output
from pulumi_thena.definitions.stack import config_file_of
from pulumi_thena.definitions.workflow_test_junit import junit_xml
from pulumi_thena.definitions.workflow_tests import (
    DEFAULT_STACK,
    FAILED,
    PASSED,
    SKIPPED,
    TESTS_DIR,
    WorkflowTestReport,
    run_all_stacks,
    run_workflow_tests,
)

OUTCOME_MARK = {PASSED: ("✓", "green"), FAILED: ("✗", "bold red"), SKIPPED: ("-", "yellow")}


@cli.command(
    "test",
    short_help="Run the workflow tests (stacks/tests/) offline.",
    epilog="Exit codes: 0 every case passed (skipped cases do not fail), 1 a case failed or a "
    "file is wrong, 64 usage error.",
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--stack",
    "-s",
    help=f"The stack whose variables, include list and activation apply (default: "
    f"{DEFAULT_STACK}, when {config_file_of(DEFAULT_STACK)} exists).",
)
@click.option("--all-stacks", is_flag=True, help="Run the tests on every stack in turn.")
@click.option(
    "--junit",
    "junit_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the results as JUnit XML to this file, for CI.",
)
@common_options
@pass_state
@click.pass_context
def workflow_test_command(
    ctx: click.Context,
    state: CliState,
    paths: Sequence[Path],
    stack: str | None,
    all_stacks: bool,
    junit_file: Path | None,
) -> None:
    """Fire each test case's event at the workflows a stack deploys, with the evaluator that the
    emulator uses, and compare what they do with what the case expects: which workflows
    trigger, their steps in order, skipped steps and why, waits, inputs, compensation, status.
    PATHS are test files or folders (default: stacks/tests/)."""
    if all_stacks and stack:
        raise click.UsageError("give --stack or --all-stacks, not both")
    if all_stacks:
        every = run_all_stacks(state.project, paths)
        reports, passed, document = every.reports, every.passed, every.to_json()
    else:
        report = run_workflow_tests(state.project, paths, stack or _default_stack(state))
        reports, passed, document = (report,), report.passed, report.to_json()
    if junit_file is not None:
        junit_file.parent.mkdir(parents=True, exist_ok=True)
        junit_file.write_text(junit_xml(reports), encoding="utf-8")
    if state.json:
        state.output.json(document)
    else:
        for index, report in enumerate(reports):
            if all_stacks:
                if index:
                    state.output.line()
                state.output.line(f"Stack '{report.stack}'", "bold")
            _render(state.output, report, defaulted=stack is None and not all_stacks)
    ctx.exit(EXIT_OK if passed else EXIT_ERROR)


def _default_stack(state: CliState) -> str:
    if state.project.stack_file(DEFAULT_STACK).is_file():
        return DEFAULT_STACK
    known = ", ".join(state.project.stacks()) or "none"
    raise SetupError(
        f"no --stack given and {config_file_of(DEFAULT_STACK)} does not exist; the tests need a "
        f"stack's variables: pass --stack (known stacks: {known})"
    )


def _render(out: Output, report: WorkflowTestReport, *, defaulted: bool) -> None:
    for file in report.files:
        out.line(file, "bold")
        for case in (case for case in report.cases if case.file == file):
            mark, style = OUTCOME_MARK[case.outcome]
            reason = f" ({case.skip_reason})" if case.skip_reason else ""
            out.line(f"  {mark} {case.name}{reason}", style)
            for line in case.failure_lines():
                out.line(f"      {line}")
        for problem in (p for p in report.problems if p.file == file):
            out.line(f"  ✗ {problem}", "red")
    for problem in (p for p in report.problems if p.file not in report.files):
        out.line(f"✗ {problem}", "red")
    _summary(out, report, defaulted)


def _summary(out: Output, report: WorkflowTestReport, defaulted: bool) -> None:
    which = f"stack '{report.stack}'{' (the default)' if defaulted else ''}"
    counts = [f"{report.count(PASSED)} passed"]
    counts += [f"{report.count(o)} {o}" for o in (FAILED, SKIPPED) if report.count(o)]
    if report.problems:
        count = len(report.problems)
        counts.append(f"{count} problem{'s' if count != 1 else ''} in the test files")
    scope = f"{len(report.cases)} case(s) in {len(report.files)} file(s) on {which}"
    if report.passed:
        out.line(f"✓ {scope}: {', '.join(counts)}", "green")
    else:
        out.line(f"✗ {scope}: {', '.join(counts)}", "bold red")
    if not report.files:
        out.line(f"note: write test files in {TESTS_DIR}/ (docs/workflow-tests.md)", "dim")
