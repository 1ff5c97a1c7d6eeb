"""The null program: the real program's loading, one NullWorkflow per selected file.

Copied into a benchmark project as ``stacks/__main__.py``; ``benchmarks`` is importable because
the benchmark puts the repository on PYTHONPATH for the engine and its plugins.
"""

from pathlib import Path

import pulumi

from benchmarks.null_provider import NullWorkflow
from pulumi_thena.definitions import stack_from_config
from pulumi_thena.diff.encoding import encoded

PROJECT_DIR = Path(__file__).resolve().parent.parent

stack = stack_from_config(PROJECT_DIR, pulumi.get_stack(), pulumi.Config("thena-workflows"))
resources = {}
for loaded in stack.workflows:
    props = loaded.definition.canonical().to_wire()
    props["isActive"] = stack.policy.is_active(loaded.stem, loaded.is_active)
    resources[loaded.stem] = NullWorkflow(loaded.stem, encoded(props))  # as Workflow declares
pulumi.export("workflows", {stem: resource.id for stem, resource in resources.items()})
