"""Whether the engine should write a stack's state after every step or once, at the end.

By default the Pulumi engine rewrites the whole state file after every resource step (a
checkpoint), so an operation on N workflows writes O(N²) bytes: at 500 workflows that is most of
the first ``up``'s time (``benchmarks/RESULTS.md``). ``PULUMI_SKIP_CHECKPOINTS=true`` writes the
state once, at the end. What it risks, a run killed half-way leaving no record of the workflows
it created, the owner marker covers: the next ``up`` adopts them instead of creating them again
(``tests/reliability``, scenario "interrupted-no-checkpoints"). So a stack of at least
``LARGE_STACK`` workflows runs without checkpoints; a smaller one keeps them, for the little
they cost there. A value the user set in the environment always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SKIP_CHECKPOINTS = "PULUMI_SKIP_CHECKPOINTS"
LARGE_STACK = 100
"""From this many workflows on, a stack runs without checkpoints."""


@dataclass(frozen=True)
class CheckpointChoice:
    """What the engine should do for one stack, and why, in a sentence for the user."""

    environment: dict[str, str]
    """The variables to set (empty: leave the engine's default, or the user's value)."""
    reason: str


def checkpoint_choice(stack: str, workflows: int, environ: Mapping[str, str]) -> CheckpointChoice:
    """The engine's checkpoint setting for ``stack``, which deploys ``workflows`` files."""
    if SKIP_CHECKPOINTS in environ:
        return CheckpointChoice(
            {}, f"{SKIP_CHECKPOINTS}={environ[SKIP_CHECKPOINTS]} is set already; kept as it is"
        )
    count = f"stack '{stack}' deploys {workflows} workflow(s)"
    if workflows >= LARGE_STACK:
        return CheckpointChoice(
            {SKIP_CHECKPOINTS: "true"},
            f"{count} (at least {LARGE_STACK}): the engine writes its state once, at the end "
            "(a killed run is recovered by `pulumi cancel` and the next `pulumi up`)",
        )
    return CheckpointChoice(
        {}, f"{count} (fewer than {LARGE_STACK}): the engine keeps a checkpoint after every step"
    )
