"""Fixtures for the definition-file tests: a throw-away project with its own workflow files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.definitions import (
    DefinitionLoadError,
    LoadedWorkflow,
    Substitutions,
    load_definitions,
)

VALID = """\
# yaml-language-server: $schema=../workflow.schema.json
name: Escalation note
triggerEvent: ticket:escalated
executingAgent: ${var.agent}
teamId: ${var.team}
workflowDefinition:
  - stepIdentifier: 1
    activity:
      uniqueIdentifier: tickets:add-comment-platform
    input:
      ticketId: "{{context.event.message.payload.ticketId}}"
      content: Escalated
  - stepIdentifier: 2
    dependencies: ["1"]
    activity:
      uniqueIdentifier: slack:send-message
    input:
      channel: "#escalations"
      text: done
"""

VARIABLES: dict[str, Any] = {"agent": "bot-1", "team": "team-1", "attempts": 3}
SECRETS: dict[str, Any] = {"hookToken": "s3cr3t-value-9d2e"}


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Project:
    """A project directory with ``stacks/workflows/`` to write definition files into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.workflows = root / "stacks" / "workflows"
        self.workflows.mkdir(parents=True)

    def write(self, name: str, text: str) -> Path:
        path = self.workflows / name
        path.write_text(text, encoding="utf-8")
        return path

    def stack_file(self, stack: str, text: str) -> Path:
        path = self.root / "stacks" / f"Pulumi.{stack}.yaml"
        path.write_text(dedent(text), encoding="utf-8")
        return path

    def load(
        self,
        variables: Mapping[str, Any] = VARIABLES,
        secrets: Mapping[str, Any] = SECRETS,
    ) -> tuple[LoadedWorkflow, ...]:
        return load_definitions(self.workflows, Substitutions(variables, secrets), root=self.root)

    def problems(self, **kwargs: Any) -> list[str]:
        """The message lines of the DefinitionLoadError that loading must raise."""
        with pytest.raises(DefinitionLoadError) as caught:
            self.load(**kwargs)
        assert str(caught.value) == "\n".join(str(p) for p in caught.value.problems)
        return str(caught.value).splitlines()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


@pytest.fixture
def only_problem(project: Project) -> Callable[[str], str]:
    """Write one file as x.yaml and return the single problem line loading it gives."""

    def run(text: str) -> str:
        project.write("x.yaml", text)
        lines = project.problems()
        assert len(lines) == 1, lines
        return lines[0]

    return run
