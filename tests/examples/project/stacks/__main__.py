"""The Pulumi program of thena-workflows: one Thena workflow per file in stacks/workflows/.

The logic lives in ``pulumi_thena.definitions``: the stack's settings (variables, secrets,
policy) come from ``thena-workflows:*`` in Pulumi.<stack>.yaml, and every problem of every file
is reported at once, before anything is declared.
"""

from pathlib import Path

import pulumi

from pulumi_thena.definitions import declare_workflows_async, stack_from_config, workflow_exports

PROJECT_DIR = Path(__file__).resolve().parent.parent

stack = stack_from_config(PROJECT_DIR, pulumi.get_stack(), pulumi.Config("thena-workflows"))


async def main() -> pulumi.Inputs:
    """Declare the workflows in turns with the engine, which starts on the first ones while the
    others are declared; every file was checked above, before any of them."""
    workflows = await declare_workflows_async(stack.workflows, stack.policy)
    return {"workflows": workflow_exports(workflows)}


pulumi.run(main)
