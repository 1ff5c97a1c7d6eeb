"""State written by an older pulumi-thena keeps working: preview, refresh and destroy on it.

Each folder ``state-<version>/`` holds a user's project as that version left it, its Pulumi state
and its org. The current package must find no change to make, no drift, and delete exactly
those workflows. The pickled provider (``__provider``) in that state names
``pulumi_thena.resources.workflow.WorkflowProvider``: this is what breaks if that path moves.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pulumi_thena.emulator import EmulatorServer
from tests.e2e.engine import REPO, PulumiProject, require_pulumi

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent
VERSIONS = sorted(p.name for p in FIXTURES.glob("state-*") if p.is_dir())
API_KEY = "thena-local-emulator-key"  # the local stack's documented key, in its stack file


def _pointed_at(text: str, old_url: str, new_url: str) -> str:
    return text.replace(old_url, new_url)


def _project(tmp: Path, fixture: Path, binary: str) -> PulumiProject:
    root = tmp / "project"
    shutil.copytree(fixture / "project", root, symlinks=True)
    (root / ".venv").symlink_to(REPO / ".venv")
    (tmp / "state").mkdir()
    (tmp / "home").mkdir()
    return PulumiProject(root, binary)


@pytest.mark.parametrize("version", VERSIONS)
def test_an_older_state_previews_refreshes_and_destroys(tmp_path: Path, version: str) -> None:
    fixture = FIXTURES / version
    org = tmp_path / "emulator.json"
    shutil.copy(fixture / "emulator.json", org)
    project = _project(tmp_path, fixture, require_pulumi())
    stack_file = project.root / "stacks" / "Pulumi.local.yaml"
    export = (fixture / "stack-export.json").read_text(encoding="utf-8")
    old_url = "http://127.0.0.1:8797"  # where the emulator listened when the state was written
    with EmulatorServer(port=0, api_key=API_KEY, state_file=org) as server:
        stack_file.write_text(_pointed_at(stack_file.read_text(), old_url, server.base_url))
        state = tmp_path / "stack-export.json"
        state.write_text(_pointed_at(export, old_url, server.base_url), encoding="utf-8")
        before = {w["uniqueIdentifier"] for w in server.backend.stored_workflows()}
        assert before  # each version's org: six workflows for 0.1.0, two for 0.2.0

        project.run("stack", "init", "local")
        project.run("stack", "import", "--file", str(state), "--stack", "local")
        project.run("preview", "--stack", "local", "--expect-no-changes")
        project.run("refresh", "--stack", "local", "--yes", "--expect-no-changes")
        project.run("preview", "--stack", "local", "--expect-no-changes")
        exported = json.loads(project.run("stack", "export", "--stack", "local").stdout)
        resources = exported["deployment"]["resources"]
        workflows = [r for r in resources if r["type"].endswith("Workflow")]
        assert {r["id"] for r in workflows} == before
        # The refresh rewrote the outputs in today's shape: the definition as one JSON text (or
        # encrypted), no separate fields.
        for resource in workflows:
            text = resource["outputs"]["definition"]
            assert isinstance(text, str) or "ciphertext" in text, resource["urn"]
            assert "workflowDefinition" not in resource["outputs"], resource["urn"]
        project.run("destroy", "--stack", "local", "--yes")
        assert server.backend.stored_workflows() == []
