"""The examples the project ships, as its tests know them: their own copy of the repository's
``Pulumi.yaml`` and ``stacks/``.

A team edits ``stacks/`` (its own workflows, its own stack settings); the project's tests must
never break because of that, so the tests of the examples read this copy. The check a team runs
on its own files is ``thena-workflows validate --all-stacks``. When the shipped examples change,
change both.
"""

from pathlib import Path

EXAMPLE_PROJECT = Path(__file__).resolve().parent / "project"
EXAMPLE_STACKS = ("dev", "local", "prod", "staging")
EXAMPLE_WORKFLOWS = EXAMPLE_PROJECT / "stacks" / "workflows"
