"""Human-readable output of each command's report (the ``--json`` form is each ``to_json``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from pulumi_thena.cli.findings import DoctorReport, Verdict
from pulumi_thena.cli.output import Output, shown
from pulumi_thena.cli.runs import Run, RunsReport
from pulumi_thena.definitions.envs import AGREE, EnvDiff, Status
from pulumi_thena.definitions.export import ExportReport
from pulumi_thena.definitions.plan import Action, FieldChange, Plan
from pulumi_thena.definitions.validation import AllStacksReport, ValidationReport
from pulumi_thena.diff.ownership import owner_marker, resource_of, stack_of
from pulumi_thena.models import Workflow, WorkflowTask

ACTION_STYLE = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.TOGGLE: "cyan",
    Action.DELETE: "red",
    Action.CONFLICT: "bold red",
    Action.UNCHANGED: "dim",
    Action.RETAIN: "dim",
}
ACTION_SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "+-",
    Action.TOGGLE: "~",
    Action.DELETE: "-",
    Action.CONFLICT: "!",
    Action.UNCHANGED: " ",
    Action.RETAIN: "=",
}
STATUS_STYLE = {"FINISHED": "green", "FAILED": "red", "UNAUTHORIZED": "red"}
VERDICT_STYLE = {Verdict.HELD: "green", Verdict.NOT_HELD: "bold red", Verdict.NOT_CHECKED: "dim"}


def validation(out: Output, report: ValidationReport) -> None:
    for problem in report.problems:
        out.line(str(problem))
    if report.setup:
        out.line("To set up (not a problem in the files):", "yellow")
        for item in report.setup:
            where = f"{item.path}: " if item.path else ""
            out.line(f"  {item.file}: {where}{item.message}", "yellow")
    for note in report.notes:
        out.line(f"note: {note}", "dim")
    if report.warnings:
        out.line("Warnings (advisory guardrails and lints; not problems):", "yellow")
        for warning in report.warnings:
            out.line(f"  {warning}", "yellow")
    checked = f"variables of stack '{report.stack}'" if report.stack else "variables of any stack"
    scope = f"{len(report.files)} file(s) checked ({checked}{', online' if report.online else ''})"
    extra = f"; {len(report.setup)} to set up" if report.setup else ""
    if report.warnings:
        extra += f"; {len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}"
    if report.valid:
        out.line(f"✓ {scope}: no problems{extra}", "green")
    else:
        count = len(report.problems)
        out.line(f"✗ {scope}: {count} problem{'s' if count != 1 else ''}{extra}", "bold red")


def all_stacks(out: Output, every: AllStacksReport) -> None:
    for index, report in enumerate(every.reports):
        if index:
            out.line()
        out.line(f"Stack '{report.stack}'", "bold")
        validation(out, report)


def plan(out: Output, result: Plan) -> None:
    rows = [
        (
            Text(f"{ACTION_SYMBOL[i.action]} {i.action.value}", style=ACTION_STYLE[i.action]),
            i.resource,
            i.name,
            ", ".join(i.fields) or i.note or "",
        )
        for i in result.items
    ]
    out.table(
        f"Plan for stack '{result.stack}'",
        ("Action", "File", "Workflow", "Fields / note"),
        rows,
        no_wrap=("Action", "File"),
    )
    for item in result.items:
        if item.changes or (item.note and item.fields):
            out.line()
            out.line(f"{ACTION_SYMBOL[item.action]} {item.resource} ({item.name})", "bold")
            _changes(out, item.changes, "live", "file")
            if item.note and item.fields:
                out.line(f"    note: {item.note}")
    _unmanaged(out, result)
    _guardrails(out, result)
    out.line()
    if result.secrets_compared is False:
        out.line(
            "Secret step inputs were not compared: the Pulumi CLI could not decrypt "
            "thena-workflows:secrets (install it, log in to the stack's backend, set "
            "PULUMI_CONFIG_PASSPHRASE where the stack uses a passphrase).",
            "yellow",
        )
    out.line(_plan_summary(result), "bold" if result.has_changes else "green")


def _guardrails(out: Output, result: Plan) -> None:
    """Advisory findings of the stack's guardrails, and what the files' exemptions waived."""
    if result.warnings:
        out.line()
        out.line("Warnings (advisory guardrails and lints; `pulumi up` goes ahead):", "yellow")
        for warning in result.warnings:
            out.line(f"  {warning}", "yellow")
    if result.exempted:
        out.line()
        out.line("Guardrail exemptions (from the files, with their reasons):", "bold")
        for item in result.exempted:
            out.line(f"  {item}")


PLAN_WORDS = {
    Action.CREATE: "to create",
    Action.UPDATE: "to update",
    Action.REPLACE: "to replace",
    Action.TOGGLE: "to toggle",
    Action.DELETE: "to delete",
    Action.CONFLICT: "in conflict",
}


def _plan_summary(result: Plan) -> str:
    counts = result.counts()
    changes = [f"{counts[a.value]} {words}" for a, words in PLAN_WORDS.items() if counts[a.value]]
    head = ", ".join(changes) if changes else "no differences"
    retained = f"{counts['retain']} retained; " if counts["retain"] else ""
    unmanaged = len(result.unmanaged)
    return f"Plan: {head}; {counts['unchanged']} unchanged; {retained}{unmanaged} unmanaged."


def _unmanaged(out: Output, result: Plan) -> None:
    """Workflows no file manages; those of this project's other stacks only as a count."""
    sibling = [w for w in result.unmanaged if resource_of(w.owner, result.project)]
    others = [w for w in result.unmanaged if w not in sibling]
    if others:
        out.line()
        out.table(
            "Workflows in the org that no file of this stack manages",
            ("uniqueIdentifier", "Name", "Team", "Owner marker", "Active"),
            [(w.unique_identifier, w.name, w.team_id, w.owner, w.is_active) for w in others],
            no_wrap=("uniqueIdentifier",),
        )
    if sibling:
        stacks = Counter(stack_of(w.owner) for w in sibling)
        listing = ", ".join(f"{stack}: {count}" for stack, count in sorted(stacks.items()))
        out.line()
        out.line(f"{len(sibling)} more belong to other stacks of {result.project} ({listing}).")


def _changes(out: Output, changes: Sequence[FieldChange], before: str, after: str) -> None:
    for change in changes:
        out.line(f"    ~ {change.path}")
        out.line(f"        {before}: {shown(change.live)}", "red")
        out.line(f"        {after}: {shown(change.wanted)}", "green")


def exported(out: Output, report: ExportReport) -> None:
    files = report.files
    out.table(
        f"Exported to {report.out_dir}",
        ("File", "Workflow", "uniqueIdentifier", "Variables"),
        [(f.filename, f.name, f.unique_identifier, ", ".join(f.variables)) for f in files],
        no_wrap=("File", "uniqueIdentifier"),
    )
    for file in files:
        for problem in file.problems:
            out.line(f"{file.filename}: {problem}", "yellow")
    out.line(f"{len(files)} workflow(s) exported; each file says adoptExisting: true.")
    secrets = [(file, secret) for file in files for secret in file.secrets]
    if secrets:
        out.line()
        out.line(
            f"{len(secrets)} step input(s) named like secrets or holding credentials were not "
            "written; each file has "
            "${secret.NAME} instead. Set each in every stack that deploys the file (the command "
            "asks for the value):",
            "yellow",
        )
        for file, secret in secrets:
            out.line(f"  {file.filename}: {secret.path}")
            out.line(
                f"    pulumi config set --secret --path 'thena-workflows:secrets.{secret.name}' "
                "--stack <stack>"
            )
    if not report.valid:
        out.line("Some files do not validate as exported; fix them before deploying.", "yellow")


def env_diff(out: Output, result: EnvDiff) -> None:
    out.table(
        f"Live workflows: {result.from_stack} -> {result.to_stack}",
        ("Resource", "Status", "Workflow", "Fields / note"),
        [
            (
                Text(i.resource),
                Text(_env_status(result, i.status), style=_env_style(i.status)),
                i.name,
                ", ".join(i.fields) or i.note or "",
            )
            for i in result.items
        ],
        no_wrap=("Resource", "Status"),
    )
    for item in result.items:
        if item.changes:
            out.line()
            out.line(f"~ {item.resource} ({item.name})", "bold")
            _changes(out, item.changes, f"{result.from_stack} (in {result.to_stack}'s terms)",
                     result.to_stack)  # fmt: skip
    different = sum(i.status not in AGREE for i in result.items)
    out.line()
    out.line(
        f"{different} of {len(result.items)} workflow(s) differ." if different else
        f"{result.to_stack} is up to date with {result.from_stack}.",
        "bold" if different else "green",
    )  # fmt: skip


def _env_status(result: EnvDiff, status: Status) -> str:
    if status is Status.ONLY_FROM:
        return f"only in {result.from_stack}"
    if status is Status.ONLY_TO:
        return f"only in {result.to_stack}"
    if status is Status.NOT_INCLUDED:
        return f"not included in {result.to_stack}"
    return status.value


def _env_style(status: Status) -> str:
    styles = {Status.SAME: "green", Status.NOT_INCLUDED: "dim", Status.CONFLICT: "bold red"}
    return styles.get(status, "yellow")


def runs(out: Output, report: RunsReport, with_tasks: bool) -> None:
    workflow = report.workflow
    title = f"Executions of '{workflow.name}' ({workflow.unique_identifier})"
    if not report.runs:
        out.line(f"{title}: none in this window.")
        return
    out.table(
        title,
        ("Started", "Execution", "Version", "Status", "Duration"),
        [_run_row(run) for run in report.runs],
        no_wrap=("Started", "Execution", "Status"),
    )
    if with_tasks:
        for run in report.runs:
            _tasks(out, run)


def _run_row(run: Run) -> tuple[object, ...]:
    execution = run.execution
    seconds = run.seconds
    return (
        _when(execution.started_at),
        execution.id,
        execution.version,
        _status(execution.status),
        f"{seconds:.1f}s" if seconds is not None else None,
    )


def _tasks(out: Output, run: Run) -> None:
    out.line()
    rows = [
        (
            task.step_identifier,
            task.activity if isinstance(task.activity, str) else shown(task.activity),
            _kind(task),
            _status(task.status),
            f"{task.execution_time:g}s" if task.execution_time is not None else None,
            _when(task.started_at),
        )
        for task in run.tasks or ()
    ]
    out.table(
        f"Tasks of {run.execution.id}",
        ("Step", "Activity", "Kind", "Status", "Time", "Started"),
        rows,
        no_wrap=("Activity", "Kind", "Status", "Started"),
    )


def _kind(task: WorkflowTask) -> str:
    if task.is_compensation:
        return "compensation"
    return "retry" if task.is_retry else "run"


def _status(value: object) -> Text:
    text = str(getattr(value, "value", value) or "-")
    return Text(text, style=STATUS_STYLE.get(text, "yellow"))


def _when(text: str | None) -> str:
    if not text:
        return "-"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def doctor(out: Output, report: DoctorReport) -> None:
    out.table(
        f"SPEC assumptions against {report.api_url}",
        ("Assumption", "Check", "Result", "Detail"),
        [
            (f.assumption, f.check, Text(f.verdict.value, style=VERDICT_STYLE[f.verdict]), f.detail)
            for f in report.findings
        ],
        no_wrap=("Assumption", "Result"),
    )
    counts = report.counts()
    out.line()
    out.line(
        f"{counts['held']} held, {counts['did not hold']} did not hold, "
        f"{counts['not checked']} not checked.",
        "green" if report.ok else "bold red",
    )
    if report.api_paths:
        out.line()
        out.line("The service's OpenAPI gives other paths; set them for each stack:", "bold")
        for name, path in report.api_paths.items():
            out.line(f"  pulumi config set --path 'thena:apiPaths.{name}' '{path}'")
        out.line("(or THENA_API_PATHS for the command line without a stack; docs/client.md)")
    elif not report.ok:
        out.line(
            "Where a path did not hold, set the right one in thena:apiPaths (docs/client.md); "
            "`doctor --discover` reads it from the service's OpenAPI, where it serves one."
        )


def emulator_workflows(out: Output, live: Sequence[Workflow]) -> None:
    """The workflows the local emulator holds, after ``thena-workflows local up``."""
    out.table(
        "Workflows in the emulator",
        ("Name", "uniqueIdentifier", "Version", "Active", "Steps", "Owner marker"),
        [
            (
                wf.name,
                wf.unique_identifier,
                wf.version,
                wf.is_active,
                len(wf.workflow_definition or []),
                owner_marker(wf.metadata) or "-",
            )
            for wf in live
        ],
        no_wrap=("uniqueIdentifier",),
    )
