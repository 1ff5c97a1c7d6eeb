"""``thena-workflows init``: a repository of one's own; ``schema``: its JSON Schema, kept current.

``init`` renders the scaffold of the installed version (``pulumi_thena.scaffold``), checks that
none of its paths exists (before reading the org, and again before writing), and writes it.
With ``--from-org`` the org's unmanaged workflows are exported (``definitions.export``, as
``thena-workflows export`` does) into ``stacks/workflows/`` with ``adoptExisting: true``, so
that the first ``pulumi up`` takes them over; workflows that a stack manages already are listed
and left out, since adoption never takes one from its owner. ``schema`` writes (or checks) the
one scaffold file that follows the package version.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from pulumi_thena.cli import render
from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.cli.errors import EXIT_ERROR, EXIT_OK, SetupError
from pulumi_thena.client import event_names
from pulumi_thena.definitions import project_schemas, stale_schemas, write_schemas
from pulumi_thena.definitions.export import ExportedFile, ExportReport, export_workflows
from pulumi_thena.diff import owner_marker
from pulumi_thena.models import Workflow
from pulumi_thena.scaffold import (
    DEFAULT_ENVS,
    PathExistsError,
    ScaffoldError,
    ScaffoldFile,
    ScaffoldOptions,
    first_existing,
    parse_envs,
    render_scaffold,
    write_scaffold,
)
from pulumi_thena.scaffold.render import WORKFLOWS_DIR


@cli.command(
    short_help="Start a repository of your own in a new directory.",
    epilog="Exit codes: 0 written, 1 a path exists (then nothing is written), the org cannot "
    "be read, or an exported file does not validate, 64 usage error.",
)
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--env",
    "envs",
    default=",".join(DEFAULT_ENVS),
    show_default=True,
    help="The environments' stacks, comma-separated, in promotion order (`local`, the "
    "emulator, is always there).",
)
@click.option("--project", help="The Pulumi project name (default: the directory's name).")
@click.option(
    "--from-org",
    is_flag=True,
    help="Fill stacks/workflows/ with the org's unmanaged workflows (adoptExisting: true) "
    "instead of a starter workflow.",
)
@click.option(
    "--stack", "-s", help="With --from-org: the URL and key of this stack of the current project."
)
@click.option("--team", help="With --from-org: only the workflows of this team.")
@common_options
@pass_state
@click.pass_context
def init(
    ctx: click.Context,
    state: CliState,
    directory: Path,
    envs: str,
    project: str | None,
    from_org: bool,
    stack: str | None,
    team: str | None,
) -> None:
    """Write a new repository in DIRECTORY (created if needed; nothing in it is overwritten):
    Pulumi.yaml, the program, a local stack on the emulator and one stack per --env, the JSON
    Schema, a starter workflow, a CI pipeline, a README, and requirements.txt pinning this
    pulumi-thena. With --from-org, the org's workflows instead of the starter (credentials: --stack
    of the current project, else THENA_API_URL and THENA_API_KEY), adopted at the first
    `pulumi up`."""
    if (stack or team) and not from_org:
        raise click.UsageError("--stack and --team go with --from-org")
    try:
        options = ScaffoldOptions(project or _directory_name(directory), parse_envs(envs))
    except ScaffoldError as error:
        raise click.UsageError(str(error)) from None
    _refuse_existing(directory, render_scaffold(options))
    adopted, skipped = _from_org(state, stack, team) if from_org else (None, [])
    files = render_scaffold(options, adopted)
    try:
        write_scaffold(directory, files)
    except PathExistsError as error:  # appeared while the org was read
        raise _exists(directory, error.path) from None
    report = ExportReport(f"{directory / WORKFLOWS_DIR}", tuple(adopted or ()))
    if state.json:
        state.output.json(_json(directory, options, files, report, skipped))
    else:
        _show(state, directory, options, report if adopted is not None else None, skipped)
    ctx.exit(EXIT_OK if report.valid else EXIT_ERROR)


def _directory_name(directory: Path) -> str:
    return directory.resolve().name


def _refuse_existing(directory: Path, files: Sequence[ScaffoldFile]) -> None:
    existing = first_existing(directory, files)
    if existing is not None:
        raise _exists(directory, existing)


def _exists(directory: Path, path: Path) -> SetupError:
    shown = directory / path.relative_to(directory) if path != directory else directory
    return SetupError(
        f"{shown} exists; init overwrites nothing, and wrote nothing: choose a new directory "
        "or move that path away"
    )


def _from_org(
    state: CliState, stack: str | None, team: str | None
) -> tuple[list[ExportedFile], list[Workflow]]:
    """The org's unmanaged workflows as files, and those a stack manages (left out)."""
    with state.api(state.credentials(stack)) as client:
        live = state.list_workflows(client, team)
        names = event_names(client)
    unmanaged = [wf for wf in live if owner_marker(wf.metadata) is None]
    managed = [wf for wf in live if owner_marker(wf.metadata) is not None]
    return export_workflows(unmanaged, event_names=names), managed


def _show(
    state: CliState,
    directory: Path,
    options: ScaffoldOptions,
    report: ExportReport | None,
    skipped: Sequence[Workflow],
) -> None:
    out = state.output
    if report is not None:
        render.exported(out, report)
        for wf in skipped:
            out.warn(
                f"left out '{wf.name}' ({wf.unique_identifier}): the stack "
                f"'{owner_marker(wf.metadata)}' manages it, and adoption never takes a workflow "
                "from its owner"
            )
        out.line()
    stacks = ", ".join(("local", *options.envs))
    out.line(
        f"Wrote a new repository in {directory}: project {options.project}, stacks {stacks}, "
        f"pulumi-thena=={options.version} in requirements.txt. Next:"
    )
    if Path.cwd().resolve() != directory.resolve():
        out.line(f"  cd {_shell_path(directory)}")
    if not (directory / ".venv" / "bin" / "python").exists():
        out.line("  python3 -m venv .venv")
    out.line("  .venv/bin/pip install -r requirements.txt")
    out.line("  .venv/bin/thena-workflows validate --all-stacks")
    out.line("  .venv/bin/thena-workflows local up")
    out.line("README.md there says what each file is, and how to set up each environment.")


def _shell_path(directory: Path) -> str:
    relative = os.path.relpath(directory.resolve(), Path.cwd().resolve())
    return relative if not relative.startswith("..") else str(directory)


def _json(
    directory: Path,
    options: ScaffoldOptions,
    files: Sequence[ScaffoldFile],
    report: ExportReport,
    skipped: Sequence[Workflow],
) -> dict[str, Any]:
    return {
        "directory": str(directory),
        "project": options.project,
        "stacks": ["local", *options.envs],
        "version": options.version,
        "files": [file.path for file in files],
        "adopted": [file.to_json() for file in report.files],
        "skipped": [
            {
                "name": wf.name,
                "uniqueIdentifier": wf.unique_identifier,
                "owner": owner_marker(wf.metadata),
            }
            for wf in skipped
        ],
        "valid": report.valid,
    }


@cli.command(
    short_help="Write the JSON Schemas of stacks/ for this version.",
    epilog="Exit codes: 0 written or already current, 1 out of date (with --check) or an "
    "error, 64 usage error.",
)
@click.option("--check", is_flag=True, help="Only say whether the files are current (1 if not).")
@common_options
@pass_state
@click.pass_context
def schema(ctx: click.Context, state: CliState, check: bool) -> None:
    """Write the JSON Schemas of a workflow file and of a workflow test file, as the installed
    pulumi-thena reads them, to the project's stacks/workflow.schema.json and
    stacks/workflow-test.schema.json (editors check files with them). Run it after an upgrade;
    CI runs it with --check."""
    root = state.project.root
    stale = stale_schemas(root) if check else write_schemas(root)
    files = list(project_schemas())
    if state.json:
        state.output.json(
            {
                "files": files,
                "current": [name for name in files if name not in stale],
                "written": [] if check else stale,
            }
        )
    elif not stale:
        state.output.line(f"{' and '.join(files)} are current")
    elif check:
        raise SetupError(
            f"{', '.join(stale)}: not the schema of the installed pulumi-thena; run "
            "`thena-workflows schema` and commit the result"
        )
    else:
        state.output.line(f"Wrote {', '.join(stale)}; commit the result.")
    ctx.exit(EXIT_ERROR if stale and check else EXIT_OK)
