"""The ``thena-workflows`` group: global options, exit codes, and one-line errors.

Usage errors exit 64 (not click's 2, which means "differences found" here). A ``CliError``
prints ``error: ...`` on stderr (and, with ``--json``, ``{"error": ...}`` on stdout) and exits
with its own code; client errors that escape a command become an ``ApiFailure``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from pulumi_thena.cli.context import DEFAULT_RETRIES, CliState
from pulumi_thena.cli.errors import (
    EXIT_USAGE,
    ApiFailure,
    CliError,
    ProblemsFound,
    SetupError,
    UsageFailure,
)
from pulumi_thena.client import ThenaError
from pulumi_thena.definitions.errors import DefinitionLoadError, ProjectError

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EPILOG = (
    "Exit codes: 0 nothing to report, 1 error, 2 differences found (plan, diff-envs), "
    "64 usage error. Credentials: --stack reads thena:apiUrl/thena:apiKey from "
    "stacks/Pulumi.<stack>.yaml (secure keys via the Pulumi CLI, else THENA_API_KEY_<STACK> "
    "or THENA_API_KEY); without --stack, THENA_API_URL and THENA_API_KEY."
)


@contextmanager
def _usage_exit_code() -> Iterator[None]:
    try:
        yield
    except UsageFailure:
        raise
    except click.UsageError as error:
        raise UsageFailure(error.format_message(), error.ctx) from None


@contextmanager
def _reported(ctx: click.Context) -> Iterator[None]:
    """Errors as one line (or JSON with --json); known failures of lower layers translated."""
    try:
        yield
    except DefinitionLoadError as error:
        raise _shown(ctx, ProblemsFound(error.problems)) from None
    except ProjectError as error:
        raise _shown(ctx, SetupError(str(error))) from None
    except ThenaError as error:
        raise _shown(ctx, ApiFailure(str(error))) from None
    except CliError as error:
        raise _shown(ctx, error) from None


def _shown(ctx: click.Context, error: CliError) -> CliError:
    state = ctx.find_object(CliState)
    if state is not None and state.json:
        state.output.json(error.to_json())
    return error


class ThenaGroup(click.Group):
    """A click group whose usage errors exit 64 and whose errors print one line each."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _usage_exit_code():
            return super().make_context(info_name, args, parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:  # the help, as a usage error (click would exit 2)
            click.echo(ctx.get_help())
            ctx.exit(EXIT_USAGE)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with _usage_exit_code(), _reported(ctx):
            return super().invoke(ctx)


def _set(attribute: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(ctx.ensure_object(CliState), attribute, value)

    return callback


def common_options(function: F) -> F:
    """``--json``, ``--no-progress`` and ``--project-dir``, also accepted after the command."""
    options = [
        click.option(
            "--project-dir",
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            expose_value=False,
            callback=_set("project_dir"),
            help="The project (default: the nearest directory upward with a Pulumi.yaml).",
        ),
        click.option(
            "--json",
            "json_mode",
            is_flag=True,
            expose_value=False,
            callback=_set("json"),
            help="Print one JSON document on stdout instead of tables.",
        ),
        click.option(
            "--no-progress",
            is_flag=True,
            expose_value=False,
            callback=_set("no_progress"),
            help="No progress bars (they only show on a terminal anyway).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(cls=ThenaGroup, context_settings=CONTEXT_SETTINGS, epilog=EPILOG)
@common_options
@click.option(
    "--retries",
    type=click.IntRange(0, 10),
    envvar="THENA_RETRIES",
    default=None,
    help=f"Retries of a failed request (transient errors only; default {DEFAULT_RETRIES}).",
)
@click.version_option(package_name="pulumi-thena", prog_name="thena-workflows")
@click.pass_context
def cli(ctx: click.Context, retries: int | None) -> None:
    """Thena workflows as code: validate files, plan against the live org, export, check runs."""
    state = ctx.ensure_object(CliState)
    if retries is not None:
        state.retries = retries


def main() -> None:
    """The console script ``thena-workflows``."""
    cli(prog_name="thena-workflows")
