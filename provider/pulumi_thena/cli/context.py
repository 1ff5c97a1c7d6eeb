"""The state one ``thena-workflows`` run shares between the group and its command.

It holds the global options, finds the project, resolves credentials and opens API clients
whose errors become one-line ``ApiFailure``s naming where the URL and key came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click

from pulumi_thena.cli import credentials
from pulumi_thena.cli.credentials import Credentials
from pulumi_thena.cli.errors import ProblemsFound, SetupError, api_failure
from pulumi_thena.cli.output import Output
from pulumi_thena.client import RetryPolicy, ThenaClient, ThenaError
from pulumi_thena.definitions import DefinitionLoadError, StackDefinitions, load_stack
from pulumi_thena.definitions.project import Project, find_project_dir
from pulumi_thena.models import Workflow

DEFAULT_RETRIES = 3
# A command line waits less than a deployment: a few retries of errors within half a minute.
# Waits for the rate limit are not retries: the client honours them apart (up to 90 s each).
MAX_RETRY_SECONDS = 30.0


@dataclass
class CliState:
    """Global options and what is derived from them, built once per run."""

    project_dir: Path | None = None
    json: bool = False
    no_progress: bool = False
    retries: int = DEFAULT_RETRIES
    _project: Project | None = field(default=None, repr=False)
    _output: Output | None = field(default=None, repr=False)

    @property
    def project(self) -> Project:
        if self._project is None:
            root = self.project_dir or find_project_dir(Path.cwd())
            if not root.is_dir():
                raise SetupError(f"the project directory {root} does not exist")
            self._project = Project.at(root.resolve())
        return self._project

    @property
    def output(self) -> Output:
        if self._output is None:
            self._output = Output(json_mode=self.json, progress=not self.no_progress)
        return self._output

    def credentials(self, stack: str | None) -> Credentials:
        """The stack's URL and key, or the environment's without a stack."""
        if stack is None:
            return credentials.from_environment()
        return credentials.for_stack(self.project, stack)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.retries + 1, max_total_seconds=MAX_RETRY_SECONDS)

    @contextmanager
    def api(self, creds: Credentials) -> Iterator[ThenaClient]:
        """A client for ``creds``; its errors leave as ApiFailure, the key never shown."""
        try:
            client = ThenaClient(
                creds.api_url, creds.api_key, retry=self.retry_policy(), paths=creds.api_paths
            )
        except ValueError as error:
            raise SetupError(str(error)) from None
        try:
            yield client
        except ThenaError as error:
            raise api_failure(error, creds.api_url, creds.url_source, creds.key_source) from None
        finally:
            client.close()

    def list_workflows(self, client: ThenaClient, team: str | None = None) -> list[Workflow]:
        """Every workflow of the org (of one team), with a progress bar on a terminal."""
        with self.output.progress("Listing workflows") as advance:
            workflows = []
            for workflow in client.iter_workflows(team_id=team):
                workflows.append(workflow)
                advance(1)
        return workflows

    def load_stack(
        self, stack: str, decrypted: Mapping[str, str] | None = None
    ) -> StackDefinitions:
        """What ``stack`` deploys, from its stack file and the definition files."""
        self.project.require_stack(stack)
        try:
            return load_stack(self.project.root, stack, decrypted)
        except DefinitionLoadError as error:
            raise ProblemsFound(error.problems) from None


pass_state = click.make_pass_decorator(CliState, ensure=True)
"""Hands a command the run's CliState (made on first use)."""
