"""``thena-workflows pulumi-env``: the engine settings a stack should run with, as NAME=value lines.

Today that is one decision, whether the engine writes a checkpoint after every step
(``definitions.checkpoints``). The lines go to stdout so that a pipeline can append them to its
environment (``>> "$GITHUB_ENV"``); the reason goes to stderr.
"""

from __future__ import annotations

import os

import click

from pulumi_thena.cli.app import cli, common_options
from pulumi_thena.cli.context import CliState, pass_state
from pulumi_thena.definitions.checkpoints import LARGE_STACK, SKIP_CHECKPOINTS, checkpoint_choice
from pulumi_thena.definitions.stack import selected_stems

HELP = (
    "Print the environment variables `pulumi` should run with on a stack, one NAME=value per "
    'line, for a pipeline to append to its environment (>> "$GITHUB_ENV"). A stack that '
    f"deploys at least {LARGE_STACK} workflows gets {SKIP_CHECKPOINTS}=true: the engine writes "
    "its state once instead of after every step (docs/performance.md). A value already set in "
    "the environment is kept. The reason is printed on stderr."
)


@cli.command(
    "pulumi-env",
    help=HELP,
    short_help="The engine settings a stack should run with (NAME=value lines).",
    epilog="Exit codes: 0 printed, 1 the stack file has problems, 64 usage error.",
)
@click.option("--stack", "-s", required=True, help="The stack (stacks/Pulumi.<stack>.yaml).")
@common_options
@pass_state
def pulumi_env(state: CliState, stack: str) -> None:
    state.project.require_stack(stack)
    choice = checkpoint_choice(stack, len(selected_stems(state.project.root, stack)), os.environ)
    if state.json:
        state.output.json(
            {"stack": stack, "environment": choice.environment, "reason": choice.reason}
        )
        return
    state.output.note(choice.reason)
    for name, value in choice.environment.items():
        state.output.line(f"{name}={value}")
