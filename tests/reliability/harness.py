"""A throw-away project with a few workflow files, one stack of it on an emulator, and its runs.

``ReliabilityProject`` is the e2e ``PulumiProject`` with its own small set of definition files
(no stack config files from the repository) and extra environment for the provider (timeout,
rate limit). ``Deployment`` is one stack of such a project on one ``EmulatorServer`` with a
random API key; it runs ``pulumi`` and keeps every text the run produced for the secret scan.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import REPO, PulumiProject
from tests.examples import EXAMPLE_PROJECT

PROJECT_NAME = "thena-workflows"
WORKFLOW_TYPE = "pulumi-python:dynamic/thena:Workflow"
CREATE = "POST /api/v1/workflows"
PATCH = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"
TOGGLE = "POST /api/v1/workflows/{workflowUniqueIdentifier}/toggle"
DELETE = "DELETE /api/v1/workflows/{workflowUniqueIdentifier}"
WRITES = (CREATE, PATCH, TOGGLE, DELETE)
TRACEBACK = "Traceback (most recent call last)"
# Engine lines that say that something failed, not what: skipped when summarising a failure.
_GENERIC_ERRORS = ("update failed", "preview failed", "Resource monitor has terminated")


def workflow_yaml(index: int, *, name: str | None = None, text: str = "hello") -> str:
    """A small valid definition file: one comment step on ``ticket:escalated``."""
    return (
        f"name: {name or f'Reliability workflow {index}'}\n"
        "triggerEvent: ticket:escalated\n"
        "executingAgent: bot-reliability\n"
        "teamId: team-reliability\n"
        "workflowDefinition:\n"
        "  - stepIdentifier: 1\n"
        "    activity:\n"
        "      uniqueIdentifier: tickets:add-comment-platform\n"
        "    input:\n"
        '      ticketId: "{{context.event.message.payload.ticketId}}"\n'
        f"      content: {text} {index}\n"
    )


def new_api_key() -> str:
    """A random key per emulator, so that a leak can be told apart from any other string."""
    return f"rel-{secrets.token_hex(16)}"


@dataclass
class ReliabilityProject(PulumiProject):
    """A copy of the project's program with the given definition files and provider settings."""

    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def with_files(
        cls,
        tmp: Path,
        binary: str,
        files: Mapping[str, str | bytes],
        extra_env: Mapping[str, str] | None = None,
    ) -> ReliabilityProject:
        """``files`` maps a file name in ``stacks/workflows/`` to its text (or bytes)."""
        root = tmp / "project"
        (root / "stacks" / "workflows").mkdir(parents=True)
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        shutil.copy(EXAMPLE_PROJECT / "stacks" / "__main__.py", root / "stacks" / "__main__.py")
        (root / ".venv").symlink_to(REPO / ".venv")
        (tmp / "state").mkdir()
        (tmp / "home").mkdir()
        project = cls(root, binary, extra_env=dict(extra_env or {}))
        project.write_workflows(files)
        return project

    def write_workflows(self, files: Mapping[str, str | bytes]) -> None:
        """Replace every definition file with ``files``."""
        for old in self.workflows_dir.iterdir():
            old.unlink()
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            self.workflows_dir.joinpath(name).write_bytes(data)

    @property
    def workflows_dir(self) -> Path:
        return self.root / "stacks" / "workflows"

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra_env}


@dataclass(frozen=True)
class RunOutcome:
    """How one ``pulumi`` command ended, with the line that says why when it failed."""

    ok: bool
    last_line: str
    output: str

    def describe(self) -> str:
        return "succeeded" if self.ok else f"failed: {self.last_line}"


def summary_line(output: str) -> str:
    """The most specific error line of a failed run, else its last non-empty line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [
        line
        for line in lines
        if line.startswith("error:") and not any(g in line for g in _GENERIC_ERRORS)
    ]
    chosen = errors[-1] if errors else (lines[-1] if lines else "")
    return re.sub(r"\s+", " ", chosen)


@dataclass
class Deployment:
    """One stack of a ReliabilityProject on one emulator; every command's text is kept."""

    project: ReliabilityProject
    server: EmulatorServer
    stack: str = "rel"
    control: EmulatorControl = field(init=False)

    def __post_init__(self) -> None:
        self.control = EmulatorControl(self.server.base_url, self.server.api_key)

    @property
    def api_key(self) -> str:
        return self.server.api_key

    @property
    def owner_prefix(self) -> str:
        return f"{PROJECT_NAME}/{self.stack}/"

    def init(self) -> Deployment:
        """Create the stack and point it at the emulator (the key stored as a secret)."""
        self.project.run("stack", "init", self.stack)
        self.pulumi("config", "set", "thena:apiUrl", self.server.base_url)
        self.pulumi("config", "set", "--secret", "thena:apiKey", self.api_key)
        return self

    def pulumi(self, *args: str, check: bool = True) -> RunOutcome:
        """Run ``pulumi ARGS --stack <stack>``."""
        done = self.project.run(*args, "--stack", self.stack, check=check)
        output = done.stdout + done.stderr
        return RunOutcome(done.returncode == 0, summary_line(output), output)

    def up(self, *extra: str) -> RunOutcome:
        return self.pulumi("up", "--yes", "--skip-preview", *extra, check=False)

    def set_activation(self, stem: str, active: bool) -> None:
        path = f"thena-workflows:activation.overrides.{stem}"
        self.pulumi("config", "set", "--path", path, str(active).lower(), "--type", "bool")

    def export(self) -> dict[str, Any]:
        """The stack's checkpoint (``pulumi stack export``)."""
        exported: dict[str, Any] = json.loads(self.pulumi("stack", "export").output)
        return exported

    def state_workflows(self, exported: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Workflow resources in a checkpoint, by resource name: their outputs."""
        resources = exported["deployment"].get("resources") or []
        return {
            r["urn"].rsplit("::", 1)[1]: r.get("outputs", {})
            for r in resources
            if r["type"] == WORKFLOW_TYPE
        }

    def texts(self) -> list[str]:
        """Everything the runs printed, plus the engine's logs: what the secret scan reads."""
        return [*self.project.outputs, self.project.logs()]

    def close(self) -> None:
        self.control.close()


def open_deployment(
    tmp: Path,
    binary: str,
    files: Mapping[str, str | bytes],
    server: EmulatorServer,
    extra_env: Mapping[str, str] | None = None,
    stack: str = "rel",
) -> Deployment:
    """A fresh project with ``files``, one stack initialised against ``server``."""
    project = ReliabilityProject.with_files(tmp, binary, files, extra_env)
    return Deployment(project, server, stack).init()
