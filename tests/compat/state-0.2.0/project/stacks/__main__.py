"""The Pulumi program: one Thena workflow per file in stacks/workflows/.

The logic lives in ``pulumi_thena.definitions`` (the package pinned in requirements.txt): the
stack's settings (variables, secrets, policy) come from ``thena-workflows:*`` in
Pulumi.<stack>.yaml, and every problem of every file is reported at once, before anything is
declared.
"""

from pathlib import Path

import pulumi

from pulumi_thena.definitions import declare_workflows, stack_from_config, workflow_exports

PROJECT_DIR = Path(__file__).resolve().parent.parent

stack = stack_from_config(PROJECT_DIR, pulumi.get_stack(), pulumi.Config("thena-workflows"))
workflows = declare_workflows(stack.workflows, stack.policy)
pulumi.export("workflows", workflow_exports(workflows))
