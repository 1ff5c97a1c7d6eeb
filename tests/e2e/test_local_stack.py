"""The real ``pulumi`` against the emulator: one scenario after another on the local stack.

The steps share one project, one emulator and one state, in file order, as a user's session
would: each starts from where the previous one left the org and the state.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.diff.keys import SECRET_SIG_KEY
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import REPO, PulumiProject, require_pulumi
from tests.examples import EXAMPLE_WORKFLOWS

pytestmark = pytest.mark.e2e

CREATE = "POST /api/v1/workflows"
PATCH = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"
TOGGLE = "POST /api/v1/workflows/{workflowUniqueIdentifier}/toggle"
DELETE = "DELETE /api/v1/workflows/{workflowUniqueIdentifier}"
WRITES = (CREATE, PATCH, TOGGLE, DELETE)
EXAMPLES = sorted(p.stem for p in EXAMPLE_WORKFLOWS.glob("*.yaml"))


class Org:
    """The emulator seen from the tests: its workflows and the writes made since a mark."""

    def __init__(self, server: EmulatorServer) -> None:
        self.control = EmulatorControl(server.base_url, server.api_key)
        self.mark()

    def mark(self) -> None:
        self._base = dict(self.control.counters()["byRoute"])

    def writes(self) -> dict[str, int]:
        now = self.control.counters()["byRoute"]
        diff = {k: now[k] - self._base.get(k, 0) for k in WRITES if k in now}
        return {k: v for k, v in diff.items() if v}

    def workflows(self) -> list[dict[str, Any]]:
        return list(self.control.workflows())

    def by_owner(self, stem: str) -> dict[str, Any]:
        owner = f"thena-workflows/local/{stem}"
        [found] = [w for w in self.workflows() if w["metadata"].get(OWNER_METADATA_KEY) == owner]
        return found


@pytest.fixture(scope="module")
def api_key() -> str:
    return f"e2e-{secrets.token_hex(12)}"


@pytest.fixture(scope="module", params=["request", "documented"])
def server(api_key: str, request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """The whole lifecycle runs once per answer shape (docs/api.md §8): answers that echo the
    request, and answers in the documented shape (approver reshaped, fields left out, server
    defaults filled, {} for none)."""
    with EmulatorServer(port=0, api_key=api_key, response_shape=request.param) as running:
        yield running


@pytest.fixture(scope="module")
def org(server: EmulatorServer) -> Org:
    return Org(server)


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, server: EmulatorServer, api_key: str
) -> PulumiProject:
    binary = require_pulumi()
    project = PulumiProject.copy_of_examples(tmp_path_factory.mktemp("e2e"), binary)
    project.run("stack", "init", "local")
    project.run("config", "set", "thena:apiUrl", server.base_url)
    project.run("config", "set", "--secret", "thena:apiKey", api_key)
    return project


def edit(path: Path, change: Any) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_1_up_creates_every_example(project: PulumiProject, org: Org) -> None:
    project.run("up", "--yes", "--skip-preview")
    assert org.writes().get(CREATE) == len(EXAMPLES)
    owners = sorted(w["metadata"][OWNER_METADATA_KEY] for w in org.workflows())
    assert owners == [f"thena-workflows/local/{stem}" for stem in EXAMPLES]


def test_2_preview_shows_no_changes(project: PulumiProject, org: Org) -> None:
    org.mark()
    project.run("preview", "--expect-no-changes")
    assert org.writes() == {}


def test_2a_refresh_and_the_drift_job_find_no_drift(project: PulumiProject, org: Org) -> None:
    """In either answer shape: what the answers leave out, reshape or fill is not drift."""
    org.mark()
    project.run("refresh", "--yes", "--expect-no-changes")
    project.run("preview", "--refresh", "--expect-no-changes")  # the daily drift job
    project.run("up", "--yes", "--refresh", "--expect-no-changes")  # what scripts/demo runs
    assert org.writes() == {}


def plan(project: PulumiProject) -> tuple[int, dict[str, Any], str]:
    """``thena-workflows plan --stack local --json`` in the project, with the engine's env."""
    done = project.thena_workflows("plan", "--stack", "local", "--json")
    return done.returncode, json.loads(done.stdout), done.stdout + done.stderr


def test_2b_plan_decrypts_the_stacks_secrets_and_compares_them(project: PulumiProject) -> None:
    secret_path = "thena-workflows:secrets.reportingWebhookToken"
    code, report, text = plan(project)
    assert (code, report["secretsCompared"], report["hasChanges"]) == (0, True, False), text
    project.run("config", "set", "--secret", "--path", secret_path, "rotated-4f9a1c")
    try:
        code, report, text = plan(project)
        assert code == 2 and report["secretsCompared"] is True, text
        [item] = [i for i in report["items"] if i["action"] != "unchanged"]
        assert item["resource"] == "nightly-stale-ticket-sweep"
        assert [(c["live"], c["wanted"]) for c in item["changes"]] == [("[secret]", "[secret]")]
        assert "rotated-4f9a1c" not in text and "local-not-a-secret" not in text
    finally:
        project.run("config", "set", "--secret", "--path", secret_path, "local-not-a-secret")


def test_3_editing_one_file_is_one_patch(project: PulumiProject, org: Org) -> None:
    stem = "urgent-ticket-escalation"
    edit(project.workflow_file(stem), lambda d: d.update(name="Urgent ticket escalation v2"))
    # The definition is one JSON text in state; the engine's diff decodes it and marks the field.
    shown = project.run("preview", "--diff").stdout
    assert "~ definition: (json) {" in shown
    assert '"Urgent ticket escalation" => "Urgent ticket escalation v2"' in shown
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {PATCH: 1}
    assert org.by_owner(stem)["name"] == "Urgent ticket escalation v2"
    assert org.by_owner(stem)["version"] == 2


def test_4_activation_override_is_one_toggle(project: PulumiProject, org: Org) -> None:
    stem = "slack-message-intake"
    before = org.by_owner(stem)
    project.run(
        "config",
        "set",
        "--path",
        f"thena-workflows:activation.overrides.{stem}",
        "false",
        "--type",
        "bool",
    )
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {TOGGLE: 1}
    after = org.by_owner(stem)
    assert after["isActive"] is False and after["version"] == before["version"]


def test_5_deleted_behind_pulumis_back_is_noticed_and_recreated(
    project: PulumiProject, org: Org, server: EmulatorServer
) -> None:
    stem = "nightly-stale-ticket-sweep"
    server.backend.delete_workflow(org.by_owner(stem)["uniqueIdentifier"])
    refresh = project.run("refresh", "--yes")
    assert "deleted" in refresh.stdout
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {CREATE: 1}
    assert org.by_owner(stem)["version"] == 1


def test_6_drift_shows_in_preview_and_up_restores_the_file(
    project: PulumiProject, org: Org, server: EmulatorServer
) -> None:
    stem = "sla-breach-approval"
    live = org.by_owner(stem)
    server.backend.update_workflow(live["uniqueIdentifier"], {"name": "Changed by hand"})
    drift = project.run("preview", "--refresh", "--expect-no-changes", check=False)
    assert drift.returncode != 0 and "name" in drift.stdout
    project.run("up", "--yes", "--skip-preview", "--refresh")
    assert org.by_owner(stem)["name"] == live["name"]


def test_7_a_workflow_made_by_hand_is_adopted_not_duplicated(
    project: PulumiProject, org: Org, server: EmulatorServer
) -> None:
    source = yaml.safe_load(project.workflow_file("comment-mirror-webhook").read_text())
    hand_made = {
        "name": "Hand-made escalation note",
        "triggerEvent": "ticket:escalated",
        "executingAgent": "bot-local",
        "teamId": "team-local-support",
        "workflowDefinition": [
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
                "input": {"text": "escalated"},
            }
        ],
    }
    created = server.backend.create_workflow(hand_made)
    assert source  # the examples are untouched by this step
    file = project.workflow_file("hand-made-escalation-note")
    file.write_text(yaml.safe_dump({**hand_made, "adoptExisting": True}, sort_keys=False))
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert CREATE not in org.writes()
    named = [w for w in org.workflows() if w["name"] == "Hand-made escalation note"]
    assert [w["uniqueIdentifier"] for w in named] == [created["uniqueIdentifier"]]
    assert named[0]["metadata"][OWNER_METADATA_KEY].endswith("/hand-made-escalation-note")


IMPORT_PROGRAM = """
import pulumi
from pulumi_thena import Workflow

Workflow(
    "imported",
    name="Hand-made escalation note",
    trigger_event="ticket:escalated",
    executing_agent="bot-local",
    team_id="team-local-support",
    workflow_definition=[{"stepIdentifier": 1,
                          "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
                          "input": {"text": "escalated"}}],
    opts=pulumi.ResourceOptions(import_="%s"),
)
"""


def test_7b_the_import_option_does_not_work_with_dynamic_providers(
    project: PulumiProject, org: Org, server: EmulatorServer, api_key: str
) -> None:
    """Documents pulumi/pulumi#16175 with this SDK: import_ reaches Read without __provider."""
    [target] = [w for w in org.workflows() if w["name"] == "Hand-made escalation note"]
    other = PulumiProject(project.root.parent / "import-project", project.binary)
    other.root.mkdir()
    (other.root / "Pulumi.yaml").write_text(
        "name: import-probe\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
    )
    (other.root / "__main__.py").write_text(IMPORT_PROGRAM % target["uniqueIdentifier"])
    (other.root / ".venv").symlink_to(REPO / ".venv")
    other.run("stack", "init", "probe")
    other.run("config", "set", "thena:apiUrl", server.base_url)
    other.run("config", "set", "--secret", "thena:apiKey", api_key)
    org.mark()
    attempt = other.run("up", "--yes", "--skip-preview", check=False)
    assert attempt.returncode != 0
    assert "__provider" in attempt.stdout + attempt.stderr
    assert org.writes() == {}
    project.outputs += other.outputs


def test_8_subtype_change_deletes_then_recreates(project: PulumiProject, org: Org) -> None:
    stem = "vip-account-onboarding"
    old = org.by_owner(stem)
    edit(project.workflow_file(stem), lambda d: d.update(subType="AI_AGENT"))
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {DELETE: 1, CREATE: 1}
    new = org.by_owner(stem)
    assert new["uniqueIdentifier"] != old["uniqueIdentifier"] and new["subType"] == "AI_AGENT"


def test_8b_a_rename_moves_the_marker_and_frees_the_old_name(
    project: PulumiProject, org: Org
) -> None:
    old, new = "comment-mirror-webhook", "comment-mirror-renamed"
    before = org.by_owner(old)
    renamed = project.workflow_file(new)
    project.workflow_file(old).rename(renamed)
    edit(renamed, lambda d: d.update(previousNames=[old]))
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {PATCH: 1}  # the owner marker, nothing else
    after = org.by_owner(new)
    assert after["uniqueIdentifier"] == before["uniqueIdentifier"]
    assert {k: after[k] for k in ("name", "workflowDefinition")} == {
        k: before[k] for k in ("name", "workflowDefinition")
    }
    # Once deployed, the old name may be dropped from the file and used again: a new file of
    # that name is a new workflow, not the renamed one adopted again.
    edit(renamed, lambda d: d.pop("previousNames"))
    data = yaml.safe_load(renamed.read_text())
    project.workflow_file(old).write_text(
        yaml.safe_dump({**data, "name": "Comment mirror, second"}, sort_keys=False)
    )
    org.mark()
    project.run("up", "--yes", "--skip-preview")
    assert org.writes() == {CREATE: 1}
    assert org.by_owner(new)["name"] == before["name"]
    assert org.by_owner(old)["uniqueIdentifier"] != before["uniqueIdentifier"]


def test_9_the_key_is_nowhere_and_the_provider_is_tiny(
    project: PulumiProject, api_key: str
) -> None:
    exported = project.run("stack", "export").stdout
    assert api_key not in exported
    resources = json.loads(exported)["deployment"]["resources"]
    workflows = [r for r in resources if r["type"] == "pulumi-python:dynamic/thena:Workflow"]
    assert len(workflows) == len(EXAMPLES) + 2  # + the adopted one, + the old name reused
    for resource in workflows:
        provider = resource["outputs"]["__provider"]
        assert isinstance(provider, str) and len(provider) < 200
    # The definition is one JSON text in state (one value for the engine); a workflow whose
    # steps use a secret keeps it encrypted, as text too.
    secret_steps = 0
    for resource in workflows:
        for part in ("inputs", "outputs"):
            assert "workflowDefinition" not in resource[part], resource["urn"]
            text = resource[part]["definition"]
            if isinstance(text, dict):
                assert set(text) == {SECRET_SIG_KEY, "ciphertext"}, resource["urn"]
                secret_steps += 1
            else:
                assert isinstance(json.loads(text)["workflowDefinition"], list), resource["urn"]
    assert secret_steps >= 2  # the reporting webhook's token, in inputs and outputs
    assert "local-not-a-secret" not in exported


def test_10_destroy_leaves_the_org_empty(project: PulumiProject, org: Org, api_key: str) -> None:
    project.run("destroy", "--yes")
    assert org.workflows() == []
    for text in [*project.outputs, project.logs()]:
        assert api_key not in text
