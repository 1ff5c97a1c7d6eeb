"""The null program: the real program's loading, one NullWorkflow per selected file.

Copied into a benchmark project as ``stacks/__main__.py``; ``benchmarks`` is importable because
the benchmark puts the repository on PYTHONPATH for the engine and its plugins.
"""

import asyncio
from pathlib import Path

import pulumi

from benchmarks.null_provider import NullWorkflow
from pulumi_thena.definitions import stack_from_config
from pulumi_thena.definitions.program import DECLARED_PER_TURN
from pulumi_thena.diff.encoding import encoded

PROJECT_DIR = Path(__file__).resolve().parent.parent

stack = stack_from_config(PROJECT_DIR, pulumi.get_stack(), pulumi.Config("thena-workflows"))


async def main() -> pulumi.Inputs:
    """As the real program: declared in turns with the engine (``declare_workflows_async``)."""
    resources = {}
    for count, loaded in enumerate(stack.workflows, 1):
        props = loaded.definition.canonical().to_wire()
        props["isActive"] = stack.policy.is_active(loaded.stem, loaded.is_active)
        resources[loaded.stem] = NullWorkflow(loaded.stem, encoded(props))  # as Workflow declares
        if count % DECLARED_PER_TURN == 0:
            await asyncio.sleep(0)
    return {"workflows": {stem: resource.id for stem, resource in resources.items()}}


pulumi.run(main)
