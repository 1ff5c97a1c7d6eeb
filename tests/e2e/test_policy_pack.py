"""``pulumi preview --policy-pack`` with a Python policy pack, through the real engine.

The engine starts the pack through the language host's RunPlugin (scripts/pulumi-language-python)
while the stack's Workflows run in the dynamic-provider plugin
(scripts/pulumi-resource-pulumi-python). The pack is the fixture in ``policy_fixture/``: a
mandatory rule (no "forbidden" in a workflow's name) and an advisory one that echoes what the
pack receives of each workflow. The steps share one project, emulator and state, in file order.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import REPO, PulumiProject, require_pulumi

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "policy_fixture"
WORKFLOW_TYPE = "pulumi-python:dynamic/thena:Workflow"
VIOLATING = "sla-breach-approval"
MANDATORY = "[mandatory]  workflow-name-not-forbidden"
ADVISORY = "[advisory]  workflow-echo"


@dataclass
class Project(PulumiProject):
    """The e2e project, with environment variables of its own for some commands."""

    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {**super().env(), **self.extra_env}


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
) -> PulumiProject:
    binary = require_pulumi()
    project = PulumiProject.copy_of_examples(tmp_path_factory.mktemp("e2e-policy"), binary)
    project.run("stack", "init", "local")
    project.run("config", "set", "thena:apiUrl", server.base_url)
    project.run("config", "set", "--secret", "thena:apiKey", api_key)
    return project


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture pack; its PulumiPolicy.yaml names .venv, a link to the project's venv."""
    return copy_of_pack(tmp_path_factory.mktemp("pack") / "pack")


def copy_of_pack(where: Path, *, venv: Path | None = REPO / ".venv") -> Path:
    shutil.copytree(FIXTURE, where, ignore=shutil.ignore_patterns("__pycache__"))
    if venv is not None:
        (where / ".venv").symlink_to(venv)
    return where


def api_writes(server: EmulatorServer) -> list[str]:
    log = EmulatorControl(server.base_url, server.api_key).requests()
    return [f"{r['method']} {r['path']}" for r in log if r["method"] != "GET"]


def forbidden_message(stem: str, name: str) -> str:
    return (
        f"workflow {stem}: field name is {name!r}, which contains 'forbidden'; "
        f"rename the workflow in stacks/workflows/{stem}.yaml"
    )


def test_1_the_pack_sees_each_workflows_type_token_and_inputs(
    project: PulumiProject, pack: Path, server: EmulatorServer
) -> None:
    preview = project.run("preview", "--policy-pack", str(pack))  # advisory only: exit 0
    files = workflow_files(project)
    assert files
    for file in files:
        definition = yaml.safe_load(file.read_text())
        # The definition crosses the engine as JSON text: the pack sees 1 where the file says 1
        # (a number of its own would be a protobuf double, 1.0).
        steps = [int(step["stepIdentifier"]) for step in definition["workflowDefinition"]]
        seen = f"pack-saw {file.stem} type={WORKFLOW_TYPE} name={definition['name']!r}"
        assert f"{seen} steps={steps}" in preview.stdout
    assert preview.stdout.count(ADVISORY) == len(files)
    assert MANDATORY not in preview.stdout
    assert api_writes(server) == []


def test_2_a_mandatory_violation_stops_preview_and_up_before_any_api_write(
    project: PulumiProject, pack: Path, server: EmulatorServer
) -> None:
    file = project.workflow_file(VIOLATING)
    original = file.read_text()
    definition = yaml.safe_load(original)
    name = f"{definition['name']} (forbidden)"
    file.write_text(yaml.safe_dump({**definition, "name": name}, sort_keys=False))
    try:
        preview = project.run("preview", "--policy-pack", str(pack), check=False)
        up = project.run("up", "--yes", "--policy-pack", str(pack), check=False)
    finally:
        file.write_text(original)
    for done in (preview, up):
        assert done.returncode != 0, done.stdout
        assert MANDATORY in done.stdout
        assert forbidden_message(VIOLATING, name) in done.stdout
        assert ADVISORY in done.stdout  # reported too, without being the cause
    assert api_writes(server) == []


def test_3_up_with_the_pack_creates_a_stack_that_passes(
    project: PulumiProject, pack: Path, server: EmulatorServer
) -> None:
    up = project.run("up", "--yes", "--policy-pack", str(pack))
    assert MANDATORY not in up.stdout
    assert api_writes(server) == ["POST /api/v1/workflows"] * len(workflow_files(project))


def test_4_the_engine_runs_our_language_host_and_provider_plugin_together(
    project: PulumiProject, pack: Path, api_key: str
) -> None:
    bin_dir = Path(project.binary).parent
    if not (bin_dir / "BUILD-INFO").exists():
        pytest.skip("not the engine built by scripts/install-pulumi")
    done = project.run("preview", "--policy-pack", str(pack), *VERBOSE)
    logged = engine_log(done)
    found = dict(m.groups() for m in map(PLUGIN_FOUND.search, logged) if m)
    assert found["language, python"] == str(bin_dir / "pulumi-language-python")
    shim = Path(found["resource, pulumi-python"])
    assert shim == bin_dir / "pulumi-resource-pulumi-python"
    assert shim.read_text() == (REPO / "scripts" / "pulumi-resource-pulumi-python").read_text()
    assert pack_command(logged).startswith(f"{pack}/.venv/bin/python -u -m pulumi.policy ")
    assert pack_command(logged).endswith(f" {pack}")
    assert ADVISORY in done.stdout
    assert api_key not in done.stdout + done.stderr


def test_5_without_a_virtualenv_option_the_pack_runs_with_python3_on_path(
    project: PulumiProject, tmp_path: Path
) -> None:
    pack = copy_of_pack(tmp_path / "pack", venv=None)
    set_runtime(pack, {"name": "python"})
    venv_bin = REPO / ".venv" / "bin"
    activated = Project(project.root, project.binary)
    bin_dir = str(Path(project.binary).parent)
    activated.extra_env["PATH"] = f"{bin_dir}:{venv_bin}:{activated.env()['PATH']}"
    done = activated.run("preview", "--policy-pack", str(pack), *VERBOSE)
    project.outputs += activated.outputs
    assert ADVISORY in done.stdout
    assert pack_command(engine_log(done)).startswith(f"{venv_bin}/python3 -u -m pulumi.policy ")


def test_6_a_missing_virtualenv_fails_naming_the_option_and_the_fix(
    project: PulumiProject, server: EmulatorServer, tmp_path: Path
) -> None:
    pack = copy_of_pack(tmp_path / "pack", venv=None)
    set_runtime(pack, {"name": "python", "options": {"virtualenv": "missing-venv"}})
    before = api_writes(server)
    done = project.run("preview", "--policy-pack", str(pack), check=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert (
        f'policy pack {pack}: PulumiPolicy.yaml sets runtime.options.virtualenv to "missing-venv"'
        in output
    )
    venv = pack / "missing-venv"
    assert f"python3 -m venv {venv} && {venv}/bin/python -m pip install pulumi-policy" in output
    assert api_writes(server) == before


def test_7_an_interpreter_without_pulumi_policy_fails_naming_it_and_the_fix(
    project: PulumiProject, server: EmulatorServer, tmp_path: Path
) -> None:
    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    pack = copy_of_pack(tmp_path / "pack", venv=bare)
    before = api_writes(server)
    done = project.run("preview", "--policy-pack", str(pack), check=False)
    output = done.stdout + done.stderr
    python = f"{pack}/.venv/bin/python"
    assert done.returncode != 0
    assert f"policy pack {pack}: {python} cannot import pulumi_policy" in output
    assert f"{python} -m pip install pulumi-policy" in output
    assert api_writes(server) == before


def test_8_the_key_is_in_no_output(project: PulumiProject, api_key: str) -> None:
    assert len(project.outputs) > 5
    for text in [*project.outputs, project.logs()]:
        assert api_key not in text


VERBOSE = ("-v=6", "--logtostderr", "--logflow")  # plugin lookups (v6) and the pack command (v5)
PLUGIN_FOUND = re.compile(r"^GetPluginPath\((\w+, [\w-]+),.*\): found on \$PATH (\S+)$")


def engine_log(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The messages of the engine's JSON log lines on stderr (``--logtostderr --logflow``)."""
    return [json.loads(line)["msg"] for line in done.stderr.splitlines() if line.startswith("{")]


def pack_command(logged: list[str]) -> str:
    """The command line the language host started the pack with (its ``RunPlugin:`` log)."""
    [command] = [m.removeprefix("RunPlugin: ") for m in logged if m.startswith("RunPlugin: ")]
    return command


def set_runtime(pack: Path, runtime: dict[str, object]) -> None:
    manifest = pack / "PulumiPolicy.yaml"
    settings = yaml.safe_load(manifest.read_text())
    manifest.write_text(yaml.safe_dump({**settings, "runtime": runtime}))


def workflow_files(project: PulumiProject) -> list[Path]:
    return sorted((project.root / "stacks" / "workflows").glob("*.yaml"))
