"""The ``thena-workflows`` command line: validate, plan, export, diff-envs, runs, doctor, emulator,
graph, post-comment, init (a repository of one's own), schema, guardrails and pulumi-env.

``cli`` is the click group (test it with ``click.testing.CliRunner``); ``main`` is the console
script. Exit codes: 0 nothing to report, 1 error, 2 differences found, 64 usage error.
"""

from pulumi_thena.cli import commands as _commands  # noqa: F401  (registers the commands)
from pulumi_thena.cli import guardrails as _guardrails  # noqa: F401  (registers guardrails)
from pulumi_thena.cli import init as _init  # noqa: F401  (registers init and schema)
from pulumi_thena.cli import pulumi_env as _pulumi_env  # noqa: F401  (registers pulumi-env)
from pulumi_thena.cli import review as _review  # noqa: F401  (registers graph, post-comment)
from pulumi_thena.cli import workflow_test as _workflow_test  # noqa: F401  (registers test)
from pulumi_thena.cli.app import cli, main
from pulumi_thena.cli.errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_DIFFERENCES", "EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "cli", "main"]
