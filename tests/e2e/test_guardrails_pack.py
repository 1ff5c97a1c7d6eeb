"""The guardrails' policy pack (``thena-workflows guardrails pack-path``) through the real engine.

The pack runs as a team runs it: from where the package installed it, with the project's Python
named by ``PULUMI_PYTHON_CMD`` (its PulumiPolicy.yaml names no interpreter). The project is the
examples' local stack, which leaves every guardrail at its own level (advisory, but
unique-workflow-names), so a finding the program only warns about is what the pack can stop, when
``--policy-pack-config`` or the stack file make it mandatory. The steps share one project,
emulator and state, in file order; no step writes to the API before the last.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.guardrails.crossguard import pack_path
from pulumi_thena.guardrails.enforce import builtin_registry
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import REPO, PulumiProject, require_pulumi

pytestmark = pytest.mark.e2e

PACK = pack_path()
BUILTIN = [rule.id for rule in builtin_registry() if not rule.lint]
RETRY_STOPPED = (
    "workflow sla-breach-approval: workflowDefinition[2].retryPolicy: step 3 calls "
    "'email:send-email' and has no retry policy. Fix: add retryPolicy"
)


@dataclass
class Project(PulumiProject):
    """The examples' project, run the way the docs say: PULUMI_PYTHON_CMD names the Python."""

    def env(self) -> dict[str, str]:
        python = str(REPO / ".venv" / "bin" / "python")
        return {**super().env(), "PULUMI_PYTHON_CMD": python, "PWD": str(self.root)}


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"e2e-{secrets.token_hex(12)}"


@pytest.fixture(scope="module")
def server(api_key: str) -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, api_key=api_key) as running:
        yield running


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, server: EmulatorServer, api_key: str
) -> Project:
    copied = PulumiProject.copy_of_examples(tmp_path_factory.mktemp("e2e-guardrails"), "")
    project = Project(copied.root, require_pulumi())
    project.run("stack", "init", "local")
    project.run("config", "set", "thena:apiUrl", server.base_url)
    project.run("config", "set", "--secret", "thena:apiKey", api_key)
    return project


def api_writes(server: EmulatorServer) -> list[str]:
    log = EmulatorControl(server.base_url, server.api_key).requests()
    return [f"{r['method']} {r['path']}" for r in log if r["method"] != "GET"]


def pack_config(tmp: Path, config: dict[str, object]) -> str:
    path = tmp / "policy-pack-config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return str(path)


def preview(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return project.run("preview", "--policy-pack", str(PACK), *args, check=False)


def test_1_the_command_prints_the_installed_pack(project: Project) -> None:
    done = project.thena_workflows("guardrails", "pack-path")
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == PACK
    assert (PACK / "PulumiPolicy.yaml").is_file() and (PACK / "__main__.py").is_file()


def test_2_a_clean_stack_passes_every_builtin_rule_made_mandatory(
    project: Project, server: EmulatorServer, tmp_path: Path
) -> None:
    config = pack_config(tmp_path, {rule: "mandatory" for rule in BUILTIN})
    done = preview(project, "--policy-pack-config", config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "thena-workflows-guardrails" in done.stdout  # the pack ran
    assert "[mandatory]" not in done.stdout
    # slack-message-intake is exempt from retry-on-external in its file; the nightly sweep's
    # Authorization header holds a ${secret.*}, which the pack reads as [secret], not in clear.
    assert "slack-message-intake: workflowDefinition[1].retryPolicy" not in done.stdout
    assert "no-clear-credentials" not in done.stdout
    assert api_writes(server) == []


def test_3_the_pack_stops_a_mandatory_violation_the_stack_only_warns_about(
    project: Project, server: EmulatorServer, tmp_path: Path
) -> None:
    config = pack_config(tmp_path, {"retry-on-external": "mandatory"})
    with without_retry_policy(project, "sla-breach-approval", step=3):
        previewed = preview(project, "--policy-pack-config", config)
        up = project.run(
            "up", "--yes", "--policy-pack", str(PACK), "--policy-pack-config", config, check=False
        )
    for done in (previewed, up):
        assert done.returncode != 0, done.stdout
        assert "[mandatory]  retry-on-external" in done.stdout
        assert RETRY_STOPPED in done.stdout
        # The program itself only warns: the local stack leaves the rule advisory.
        assert "[advisory] retry-on-external: step 3 calls 'email:send-email'" in done.stdout
    assert api_writes(server) == []


def test_4_the_stack_file_gives_the_pack_its_levels_and_options(
    project: Project, server: EmulatorServer, tmp_path: Path
) -> None:
    stack_file = project.root / "stacks" / "Pulumi.local.yaml"
    original = stack_file.read_text(encoding="utf-8")
    settings = yaml.safe_load(original)
    settings["config"]["thena-workflows:guardrails"] = {
        "rules": {"max-steps": {"level": "advisory", "maximum": 2}}
    }
    stack_file.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    try:
        advisory = preview(project)
        stricter = preview(
            project,
            "--policy-pack-config",
            pack_config(tmp_path, {"max-steps": {"enforcementLevel": "mandatory"}}),
        )
    finally:
        stack_file.write_text(original, encoding="utf-8")
    assert advisory.returncode == 0, advisory.stdout + advisory.stderr
    assert "[advisory]  max-steps" in advisory.stdout
    too_long = "workflow urgent-ticket-escalation: workflowDefinition: has 3 steps; this stack"
    assert f"{too_long} allows at most 2" in advisory.stdout
    # --policy-pack-config raises the level; the stack file's option (2) still holds.
    assert stricter.returncode != 0
    assert "[mandatory]  max-steps" in stricter.stdout
    assert "has 3 steps; this stack allows at most 2" in stricter.stdout
    assert api_writes(server) == []


def test_5_up_with_the_pack_deploys_the_clean_stack(
    project: Project, server: EmulatorServer, tmp_path: Path
) -> None:
    config = pack_config(tmp_path, {rule: "mandatory" for rule in BUILTIN})
    project.run("up", "--yes", "--policy-pack", str(PACK), "--policy-pack-config", config)
    files = sorted((project.root / "stacks" / "workflows").glob("*.yaml"))
    assert api_writes(server) == ["POST /api/v1/workflows"] * len(files)


def test_6_the_key_and_the_secret_are_in_no_output(project: Project, api_key: str) -> None:
    assert len(project.outputs) > 5
    for text in [*project.outputs, project.logs()]:
        assert api_key not in text


@contextmanager
def without_retry_policy(project: Project, stem: str, *, step: int) -> Iterator[None]:
    """A workflow file with one step's retry policy taken out, put back afterwards."""
    file = project.workflow_file(stem)
    original = file.read_text(encoding="utf-8")
    definition = yaml.safe_load(original)
    for item in definition["workflowDefinition"]:
        if item["stepIdentifier"] == step:
            del item["retryPolicy"]
    file.write_text(yaml.safe_dump(definition, sort_keys=False), encoding="utf-8")
    try:
        yield
    finally:
        file.write_text(original, encoding="utf-8")
