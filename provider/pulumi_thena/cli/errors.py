"""Exit codes of ``thena-workflows`` and the errors that carry them (as click's exceptions do).

    0   nothing to report: valid, no differences, all checked assumptions held
    1   an error: bad files or settings, unknown stack, API unreachable, key rejected
    2   differences found (``plan``, ``diff-envs``), as ``terraform plan -detailed-exitcode``
    64  usage error: unknown option, bad value (EX_USAGE; click's default 2 would read as
        "differences")

Error tree::

    click.ClickException
    ├── click.UsageError
    │   └── UsageFailure            exit 64; click's usage message
    └── CliError                    exit 1; prints one line "error: ..." on stderr
        ├── SetupError      stack, credentials, project directory
        ├── ApiFailure              the API could not be reached or refused the request
        ├── WorkflowNotFound        no workflow, or more than one, answers to a name
        └── ProblemsFound           definition files or settings are wrong: one line each

Messages are scrubbed of every API key the client has seen, and printed terminal-safe
(``client.safe_text``: a name or an API message cannot send escape sequences to the terminal).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import click

from pulumi_thena.client import (
    AuthenticationError,
    PermissionDeniedError,
    ThenaError,
    ThenaTransportError,
)
from pulumi_thena.client.errors import scrub
from pulumi_thena.client.safe_text import terminal_safe

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_DIFFERENCES = 2
EXIT_USAGE = 64


class CliError(click.ClickException):
    """A failure the user can act on: one line saying what is wrong and what to do."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))

    def lines(self) -> list[str]:
        """What to print, one problem per line."""
        return [self.format_message()]

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines():
            click.echo(f"error: {terminal_safe(line)}", file=file, err=file is None)

    def to_json(self) -> dict[str, Any]:
        return {"error": {"message": self.format_message(), "exitCode": self.exit_code}}


class UsageFailure(click.UsageError):
    """A usage error (unknown option, bad value): exit 64, since 2 means "differences"."""

    exit_code = EXIT_USAGE


class SetupError(CliError):
    """The stack, its credentials or the project directory are missing or wrong."""


class ApiFailure(CliError):
    """The Thena API could not be reached, or it refused the request."""


class WorkflowNotFound(CliError):
    """No workflow, or more than one, answers to the name given."""


class ProblemsFound(CliError):
    """Definition files or stack settings are wrong; every problem is listed."""

    def __init__(self, problems: Iterable[object]) -> None:
        self.problems = [scrub(str(problem)) for problem in problems]
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found")

    def lines(self) -> list[str]:
        return [*self.problems, self.format_message()]

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data["error"]["problems"] = self.problems
        return data


def api_failure(error: ThenaError, api_url: str, url_source: str, key_source: str) -> ApiFailure:
    """The one-line ApiFailure for a client error, naming the setting to check."""
    if isinstance(error, ThenaTransportError):
        return ApiFailure(
            f"cannot reach the Thena API at {api_url} ({error}); check {url_source} and that "
            "the service is up"
        )
    if isinstance(error, AuthenticationError):
        return ApiFailure(
            f"the Thena API at {api_url} rejected the API key (401); check {key_source} "
            "(regenerating a key in Thena deactivates the old one)"
        )
    if isinstance(error, PermissionDeniedError):
        return ApiFailure(
            f"the API key from {key_source} may not do this ({error}); use a key with "
            "permission for workflows"
        )
    return ApiFailure(f"the Thena API at {api_url} failed: {error}")
