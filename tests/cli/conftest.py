"""Fixtures for the command-line tests: a throw-away project wired to the emulator, and a runner.

``project`` holds Pulumi.yaml, a stack ``test`` (and, on request, more stacks) whose config points
at the session emulator, and two definition files. ``project.deploy(stack)`` does what
``pulumi up`` would (the provider's create for each file), without the Pulumi engine.
"""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pulumi_thena.cli import cli
from pulumi_thena.definitions import load_stack
from pulumi_thena.resources import WorkflowProvider, use_session
from tests.support import fresh_session

PROJECT = "thena-workflows"

ESCALATION = """\
# yaml-language-server: $schema=../workflow.schema.json
name: Escalation note
triggerEvent: ticket:escalated
executingAgent: ${var.agent}
teamId: ${var.team}
filters:
  ticket.priority: { ~in: [high, urgent] }
workflowDefinition:
  - stepIdentifier: 1
    activity:
      uniqueIdentifier: tickets:add-comment-platform
    input:
      ticketId: "{{context.event.message.payload.ticketId}}"
      content: Escalated to ${var.channel}
    retryPolicy:
      maximumAttempts: ${var.attempts}
      initialInterval: 1
      backoffCoefficient: 2
  - stepIdentifier: 2
    dependencies: ["1"]
    activity:
      uniqueIdentifier: slack:send-message
    input:
      channel: ${var.channel}
      text: escalated
"""

ALERT = """\
name: Slack alert
triggerEvent: ticket:created
executingAgent: ${var.agent}
teamId: ${var.team}
workflowDefinition:
  - stepIdentifier: 1
    activity:
      uniqueIdentifier: slack:send-message
    input:
      channel: ${var.channel}
      text: new ticket
"""

VARIABLES: dict[str, Any] = {
    "agent": "bot-test",
    "team": "team-test",
    "channel": "#test-alerts",
    "attempts": 3,
}


class Project:
    """A project directory wired to the emulator, and a way to run commands in it."""

    def __init__(self, root: Path, emulator: Any) -> None:
        self.root = root
        self.emulator = emulator
        self.workflows = root / "stacks" / "workflows"
        self.workflows.mkdir(parents=True)
        (root / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\nmain: stacks/\n")
        self.write_stack("test")
        self.write("escalation-note", ESCALATION)
        self.write("slack-alert", ALERT)

    def write(self, stem: str, text: str) -> Path:
        path = self.workflows / f"{stem}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_stack(self, name: str, **config: Any) -> Path:
        settings: dict[str, Any] = {
            "thena:apiUrl": self.emulator.base_url,
            "thena:apiKey": self.emulator.api_key,
            "thena-workflows:vars": dict(VARIABLES),
        }
        settings.update(config)
        path = self.root / "stacks" / f"Pulumi.{name}.yaml"
        path.write_text(yaml.safe_dump({"config": settings}, sort_keys=False))
        return path

    def deploy(self, stack: str = "test") -> dict[str, str]:
        """What ``pulumi up`` does for each selected file: the provider's create."""
        loaded = load_stack(self.root, stack)
        fresh_session(self.emulator)
        provider = WorkflowProvider()
        ids = {}
        for workflow in loaded.workflows:
            props = workflow.definition.to_wire()
            props["isActive"] = loaded.policy.is_active(workflow.stem, workflow.is_active)
            props["owner"] = f"{PROJECT}/{stack}/{workflow.stem}"
            props["adoptExisting"] = workflow.adopt_existing
            ids[workflow.stem] = provider.create(provider.check({}, props).inputs).id
        use_session(None)
        return ids

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        """Run ``thena-workflows --project-dir <root> <args>`` in-process."""
        environment = {"THENA_RETRIES": "0", "THENA_RATE_LIMIT_RPS": "off", "COLUMNS": "200"}
        environment.update(env or {})
        runner = CliRunner()
        return runner.invoke(cli, ["--project-dir", str(self.root), *args], env=environment)


@pytest.fixture
def project(
    tmp_path: Path, thena_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Project]:
    # The emulator allows 1000 requests a minute; the client's default pacing would only
    # slow the suite down.
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "off")
    yield Project(tmp_path / "project", thena_emulator)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def seed_workflow(emulator: Any, **fields: Any) -> dict[str, Any]:
    """A hand-built workflow (no owner marker) stored in the emulator."""
    body: dict[str, Any] = {
        "name": "Hand built",
        "triggerEvent": "ticket:created",
        "executingAgent": "bot-test",
        "teamId": "team-test",
        "workflowDefinition": [
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "slack:send-message"},
                "input": {"channel": "#test-alerts", "text": "hi"},
            }
        ],
    }
    body.update(fields)
    stored: dict[str, Any] = emulator.control.seed(workflows=[body])["workflows"][0]
    return stored
