"""The commands of ``thena-workflows``: options in, a report out (table or JSON), an exit code.

Each command is thin: the logic lives in ``definitions.plan``/``export``/``envs`` and in
``cli.validation``/``runs``/``doctor``; printing lives in ``cli.render``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from pulumi_thena.cli import render
from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.cli.credentials import SECRETS_SETTING, decrypted_secrets
from pulumi_thena.cli.doctor import run_doctor
from pulumi_thena.cli.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, SetupError
from pulumi_thena.cli.local import run_local
from pulumi_thena.cli.output import Output
from pulumi_thena.cli.runs import Run, RunsReport, find_workflow, parse_duration
from pulumi_thena.client import RetryPolicy, ThenaClient, event_names
from pulumi_thena.definitions.envs import Environment, compare_environments
from pulumi_thena.definitions.errors import MappingError
from pulumi_thena.definitions.export import (
    ExportReport,
    export_workflows,
    read_variable_mapping,
)
from pulumi_thena.definitions.loader import definition_stems, display_path
from pulumi_thena.definitions.plan import build_plan
from pulumi_thena.definitions.snapshots import take_snapshot, write_snapshot
from pulumi_thena.definitions.stack import is_secure
from pulumi_thena.definitions.validation import (
    AllStacksReport,
    ValidationReport,
    registry_report,
    validate_all_stacks,
    validate_files,
)
from pulumi_thena.diff import owner_marker
from pulumi_thena.emulator.__main__ import main as emulator_main
from pulumi_thena.models import ExecutionStatus
from pulumi_thena.review.markdown import envs_markdown, plan_markdown

STACK_HELP = "The stack (stacks/Pulumi.<stack>.yaml): its variables, policy and credentials."


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> timedelta | None:
    """``--since``: ``30m``, ``24h``, ``7d``."""
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx, param) from None


def _emit(state: CliState, report: Any, human: Callable[[Output], None]) -> None:
    if state.json:
        state.output.json(report.to_json())
    else:
        human(state.output)


# -- validate ------------------------------------------------------------------------------


@cli.command(
    short_help="Check definition files offline.",
    epilog="Exit codes: 0 no problems (things to set up and notes do not count), 1 problems "
    "or an error, 64 usage error.",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--stack", "-s", help=STACK_HELP)
@click.option("--all-stacks", is_flag=True, help="Check with every stack's settings in turn.")
@click.option("--online", is_flag=True, help="Also check names against the org's live registries.")
@common_options
@pass_state
@click.pass_context
def validate(
    ctx: click.Context,
    state: CliState,
    paths: Sequence[Path],
    stack: str | None,
    all_stacks: bool,
    online: bool,
) -> None:
    """Check definition files: schema, step graph, filters, variables and secrets, and event and
    activity names against the committed registry snapshots (stacks/registry/); with --online,
    against the org's live registries."""
    if all_stacks and stack:
        raise click.UsageError("give --stack or --all-stacks, not both")
    if all_stacks:
        every = validate_all_stacks(state.project, paths)
        if online:
            every = AllStacksReport(
                tuple(_online(state, report) for report in every.reports), online=True
            )
        _emit(state, every, lambda out: render.all_stacks(out, every))
        ctx.exit(EXIT_OK if every.valid else EXIT_ERROR)
    report = validate_files(state.project, paths, stack)
    if online:
        report = _online(state, report)
    _emit(state, report, lambda out: render.validation(out, report))
    ctx.exit(EXIT_OK if report.valid else EXIT_ERROR)


def _online(state: CliState, report: ValidationReport) -> ValidationReport:
    with (
        state.api(state.credentials(report.stack)) as client,
        state.output.progress("Checking the registries"),
    ):
        return registry_report(report, state.project, client)


# -- registry snapshot ---------------------------------------------------------------------


@cli.group(
    short_help="Registry snapshots, for checking names offline.",
    epilog="Exit codes: those of its command.",
)
def registry() -> None:
    """The event and activity registries of a stack's org, kept in stacks/registry/."""


@registry.command(
    "snapshot",
    short_help="Write stacks/registry/<stack>.json from the stack's org.",
    epilog="Exit codes: 0 written, 1 error (no key, API unreachable), 64 usage error.",
)
@click.option("--stack", "-s", required=True, help=STACK_HELP)
@click.option(
    "--team",
    "teams",
    multiple=True,
    help="A team to read (default: every team "
    "the stack's files name, and the org-wide registries).",
)
@common_options
@pass_state
def registry_snapshot(state: CliState, stack: str, teams: Sequence[str]) -> None:
    """Read the event and activity registries of the stack's org (each team its files name, and
    the org-wide ones) and write them to stacks/registry/<stack>.json, to be committed."""
    chosen = list(teams) or _teams_of(state, stack)
    with state.api(state.credentials(stack)) as client:
        document = take_snapshot(client, stack, chosen)
    path = write_snapshot(state.project.root, document)
    shown = display_path(path, state.project.root)
    if state.json:
        state.output.json({"file": shown, "teams": list(document["teams"])})
    else:
        listing = ", ".join(t or "(org-wide)" for t in document["teams"])
        state.output.line(f"Wrote {shown} (teams: {listing}); commit it.")


def _teams_of(state: CliState, stack: str) -> list[str]:
    """The teams the stack's files name (files that do not load yet are skipped)."""
    report = validate_files(state.project, [], stack)
    return sorted({w.definition.team_id for w in report.loaded if w.definition.team_id})


# -- local ---------------------------------------------------------------------------------


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    short_help="Run pulumi on the local stack, against the emulator.",
    epilog="Exit codes: pulumi's own; 1 when the local stack cannot be set up (no Pulumi CLI, "
    "the emulator does not start, state and emulator disagree). Global options (--project-dir) "
    "go before `local`; everything after it goes to pulumi.",
)
@click.argument("pulumi_args", nargs=-1, type=click.UNPROCESSED)
@pass_state
@click.pass_context
def local(ctx: click.Context, state: CliState, pulumi_args: Sequence[str]) -> None:
    """Run `pulumi PULUMI_ARGS --stack local` the way scripts/demo does: state and Pulumi home in
    .pulumi-local/, passphrase `local`, the emulator of stacks/Pulumi.local.yaml with its state in
    .pulumi-local/emulator.json (started for the run if it is not running), the stack created
    the first time. Stops first when the stack's state and the emulator disagree, and says to
    run with --refresh. Examples: `thena-workflows local up`, `thena-workflows local preview
    --diff`, `thena-workflows local stack export`."""
    ctx.exit(
        run_local(
            state.project, pulumi_args, lambda live: render.emulator_workflows(state.output, live)
        )
    )


# -- plan ----------------------------------------------------------------------------------


@cli.command(
    short_help="What `pulumi up` would change in a stack's org.",
    epilog="Exit codes: 0 no differences, 2 differences (as `terraform plan "
    "-detailed-exitcode`), 1 an error, 64 usage error.",
)
@click.option("--stack", "-s", required=True, help=STACK_HELP)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown"]),
    default="table",
    help="table (default), or markdown: the pull-request comment, with a picture of each change.",
)
@common_options
@pass_state
@click.pass_context
def plan(ctx: click.Context, state: CliState, stack: str, output_format: str) -> None:
    """Compare the files of a stack with the live org (read-only; no Pulumi state needed)."""
    encrypted = _has_encrypted_secrets(state, stack)
    decrypted = decrypted_secrets(state.project, stack) if encrypted else None
    definitions = state.load_stack(stack, decrypted)
    with state.api(state.credentials(stack)) as client:
        live = state.list_workflows(client)
    result = build_plan(definitions, live, state.project.name)
    if encrypted:
        result = replace(result, secrets_compared=decrypted is not None)
    if output_format == "markdown" and not state.json:
        command = f"thena-workflows plan --stack {stack} --format markdown"
        state.output.raw(plan_markdown(result, command))
    else:
        _emit(state, result, lambda out: render.plan(out, result))
    ctx.exit(EXIT_DIFFERENCES if result.has_changes else EXIT_OK)


def _has_encrypted_secrets(state: CliState, stack: str) -> bool:
    """Whether the stack file holds encrypted workflow secrets (then the Pulumi CLI is asked)."""
    secrets = state.project.stack_config(stack).get(SECRETS_SETTING)
    return isinstance(secrets, dict) and any(is_secure(value) for value in secrets.values())


# -- export --------------------------------------------------------------------------------


@cli.command(
    short_help="Write live workflows as definition files to adopt.",
    epilog="Exit codes: 0 written, 1 a written file does not validate or an error, 64 usage error.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the files (e.g. stacks/workflows).",
)
@click.option("--team", help="Only the workflows of this team.")
@click.option(
    "--vars",
    "vars_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML of NAME: value; strings equal to a value become ${var.NAME}.",
)
@click.option("--stack", "-s", help="Take the URL and key from this stack.")
@click.option("--unmanaged-only", is_flag=True, help="Skip workflows that carry an owner marker.")
@click.option("--overwrite", is_flag=True, help="Replace files of the same name.")
@common_options
@pass_state
@click.pass_context
def export(
    ctx: click.Context,
    state: CliState,
    out_dir: Path,
    team: str | None,
    vars_file: Path | None,
    stack: str | None,
    unmanaged_only: bool,
    overwrite: bool,
) -> None:
    """Write existing workflows as definition files (adoptExisting: true)."""
    mapping = _variable_mapping(state, vars_file)
    with state.api(state.credentials(stack)) as client:
        live = state.list_workflows(client, team)
        names = event_names(client)
    if unmanaged_only:
        live = [wf for wf in live if owner_marker(wf.metadata) is None]
    out_dir.mkdir(parents=True, exist_ok=True)
    files = export_workflows(
        live,
        mapping=mapping,
        event_names=names,
        taken=() if overwrite else definition_stems(out_dir),
        schema_ref=state.project.schema_ref(out_dir),
    )
    for file in files:
        (out_dir / file.filename).write_text(file.text, encoding="utf-8")
    report = ExportReport(str(out_dir), tuple(files))
    _emit(state, report, lambda out: render.exported(out, report))
    ctx.exit(EXIT_OK if report.valid else EXIT_ERROR)


def _variable_mapping(state: CliState, vars_file: Path | None) -> dict[str, str]:
    if vars_file is None:
        return {}
    try:
        mapping, warnings = read_variable_mapping(vars_file)
    except MappingError as error:
        raise SetupError(str(error)) from None
    for warning in warnings:
        state.output.warn(warning)
    return mapping


# -- diff-envs -----------------------------------------------------------------------------


@cli.command(
    "diff-envs",
    short_help="Compare the live workflows of two stacks.",
    epilog="Exit codes: 0 the stacks agree, 2 differences, 1 an error, 64 usage error.",
)
@click.option("--from", "from_stack", required=True, help="The stack to promote from.")
@click.option("--to", "to_stack", required=True, help="The stack to promote to.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown"]),
    default="table",
    help="table (default), or markdown: the pull-request comment.",
)
@common_options
@pass_state
@click.pass_context
def diff_envs(
    ctx: click.Context, state: CliState, from_stack: str, to_stack: str, output_format: str
) -> None:
    """Compare the live workflows of two stacks, environment variables mapped."""
    source = _environment(state, from_stack)
    target = _environment(state, to_stack)
    files = state.project.all_definition_data()
    result = compare_environments(state.project.name, source, target, files)
    if output_format == "markdown" and not state.json:
        command = f"thena-workflows diff-envs --from {from_stack} --to {to_stack} --format markdown"
        state.output.raw(envs_markdown(result, command))
    else:
        _emit(state, result, lambda out: render.env_diff(out, result))
    ctx.exit(EXIT_DIFFERENCES if result.has_differences else EXIT_OK)


def _environment(state: CliState, stack: str) -> Environment:
    settings = state.project.stack_settings(stack)
    with state.api(state.credentials(stack)) as client:
        live = state.list_workflows(client)
    return Environment(stack, settings, live)


# -- runs ----------------------------------------------------------------------------------


@cli.command(
    short_help="Recent executions of a workflow and their steps.",
    epilog="Exit codes: 0 shown (none is fine), 1 no such workflow or an error, 64 usage error.",
)
@click.argument("name")
@click.option("--stack", "-s", help=STACK_HELP)
@click.option("--since", callback=_duration, help="Only runs started this long ago or later (24h).")
@click.option(
    "--status",
    type=click.Choice([s.value for s in ExecutionStatus], case_sensitive=False),
    help="Only runs in this status.",
)
@click.option("--tasks", "with_tasks", is_flag=True, help="Also list the steps of each run.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@common_options
@pass_state
def runs(
    state: CliState,
    name: str,
    stack: str | None,
    since: timedelta | None,
    status: str | None,
    with_tasks: bool,
    limit: int,
) -> None:
    """Recent executions of a workflow (file stem, name or uniqueIdentifier) and their tasks."""
    with state.api(state.credentials(stack)) as client:
        live = state.list_workflows(client)
        workflow = find_workflow(
            live, name, project=state.project.name, stack=stack, file_name=_file_name(state, name)
        )
        started = datetime.now(UTC) - since if since is not None else None
        executions = client.list_executions(
            workflow.unique_identifier, status=status.upper() if status else None, since=started
        )[:limit]
        found = [Run(run) for run in executions]
        if with_tasks:
            found = _with_tasks(state, client, found)
    report = RunsReport(workflow, tuple(found))
    _emit(state, report, lambda out: render.runs(out, report, with_tasks))


def _with_tasks(state: CliState, client: ThenaClient, found: list[Run]) -> list[Run]:
    with state.output.progress("Fetching tasks", total=len(found)) as advance:
        result = []
        for run in found:
            result.append(run.with_tasks(client.list_tasks(run.execution.id)))
            advance(1)
    return result


def _file_name(state: CliState, stem: str) -> str | None:
    """The ``name`` written in ``stacks/workflows/<stem>.yaml``, if it is a plain string."""
    data = state.project.definition_data(stem)
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and "${" not in name else None


# -- doctor --------------------------------------------------------------------------------


@cli.command(
    short_help="Check the API against our assumptions (docs/api.md).",
    epilog="Exit codes: 0 every checked assumption held, 1 one did not hold or an error, "
    "64 usage error.",
)
@click.option("--stack", "-s", help="Take the URL and key from this stack.")
@click.option(
    "--write-probe",
    is_flag=True,
    help="Also create, patch, toggle and delete a zz-probe-<random> workflow.",
)
@click.option(
    "--discover",
    "discover_paths",
    is_flag=True,
    help="First read the service's own OpenAPI document (/swagger-json and other usual places): "
    "it settles the assumed paths and says which thena:apiPaths to set.",
)
@common_options
@pass_state
@click.pass_context
def doctor(
    ctx: click.Context, state: CliState, stack: str | None, write_probe: bool, discover_paths: bool
) -> None:
    """Check the SPEC's assumptions (paths, envelopes, errors, headers) against the API."""
    creds = state.credentials(stack)

    def bad_key_client() -> ThenaClient:
        bogus = f"thena-doctor-invalid-{secrets.token_hex(8)}"
        return ThenaClient(
            creds.api_url, bogus, retry=RetryPolicy(max_attempts=1), paths=creds.api_paths
        )

    with state.api(creds) as client, state.output.progress("Checking assumptions"):
        report = run_doctor(
            client, bad_key_client, write_probe=write_probe, discover_paths=discover_paths
        )
    _emit(state, report, lambda out: render.doctor(out, report))
    ctx.exit(EXIT_OK if report.ok else EXIT_ERROR)


# -- emulator ------------------------------------------------------------------------------


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    short_help="Run the local emulator of Thena's API.",
    epilog="Exit codes: 0 stopped (Ctrl-C or SIGTERM), 1 cannot listen or a bad --state file, "
    "64 usage error.",
)
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default 8787; 0 picks one).")
@click.option("--api-key", help="The key to accept (default: THENA_EMULATOR_API_KEY or the "
              "documented local key).")  # fmt: skip
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False),
    help="JSON file that keeps state across restarts.",
)
@click.pass_context
def emulator(
    ctx: click.Context,
    host: str | None,
    port: int | None,
    api_key: str | None,
    state_file: str | None,
) -> None:
    """Run the local Thena API emulator in the foreground (Ctrl-C stops it).

    Every other option of `python -m pulumi_thena.emulator` (--response-shape, --page-base,
    --limit-cap, --order, --empty-bodies, --allow-host, ...) is passed on to it.
    """
    given = {"--host": host, "--port": port, "--api-key": api_key, "--state": state_file}
    argv = [
        part for flag, value in given.items() if value is not None for part in (flag, str(value))
    ]
    try:
        code = emulator_main([*argv, *ctx.args])
    except SystemExit:  # the emulator's parser refused an option, and said which on stderr
        raise click.UsageError(
            "see `python -m pulumi_thena.emulator --help` for the emulator's options"
        ) from None
    ctx.exit(code)
