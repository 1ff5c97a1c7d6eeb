"""The committed examples load in every stack; the committed JSON Schema is current and agrees."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pulumi_thena.definitions import SCHEMA_FILE, load_stack, render_schema, workflow_file_schema
from pulumi_thena.definitions.stack import build_stack, read_stack_config
from tests.examples import EXAMPLE_PROJECT, EXAMPLE_WORKFLOWS

PROJECT_DIR = Path(__file__).resolve().parents[2]  # the schema is the repository's
EXAMPLES = sorted(EXAMPLE_WORKFLOWS.glob("*.yaml"))
STACKS = ("local", "dev", "staging", "prod")
TEST_SECRETS = {"reportingWebhookToken": "test-reporting-token"}


def stack_settings(stack: str) -> dict[str, Any]:
    """The stack file's settings with the encrypted secrets a real stack would hold."""
    display = f"stacks/Pulumi.{stack}.yaml"
    raw, problems = read_stack_config(EXAMPLE_PROJECT / display, display)
    assert problems == []
    return {**raw, "secrets": {**(raw.get("secrets") or {}), **TEST_SECRETS}}


def test_there_are_at_least_five_examples_each_with_the_schema_comment() -> None:
    assert len(EXAMPLES) >= 5
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../workflow.schema.json", path.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_selected_example_loads_in_every_stack(stack: str) -> None:
    loaded = build_stack(EXAMPLE_PROJECT, stack, stack_settings(stack))
    expected = {p.stem for p in EXAMPLES if loaded.policy.selects(p.stem)}
    assert {w.stem for w in loaded.workflows} == expected
    assert len(expected) >= 5


def test_the_local_stack_loads_as_committed() -> None:
    stack = load_stack(EXAMPLE_PROJECT, "local")
    assert {w.stem for w in stack.workflows} == {p.stem for p in EXAMPLES}


def test_the_examples_together_use_every_feature() -> None:
    steps = [s for p in EXAMPLES for s in yaml.safe_load(p.read_text())["workflowDefinition"]]
    files = [yaml.safe_load(p.read_text()) for p in EXAMPLES]
    text = "\n".join(p.read_text() for p in EXAMPLES)
    assert "~and" in text and "~or" in text
    assert any(f.get("annotations") for f in files)
    assert any(f.get("previousNames") for f in files) and any(f.get("adoptExisting") for f in files)
    assert any(s.get("retryPolicy") for s in steps)
    assert any(s.get("onFailure") == "COMPENSATE" for s in steps)
    assert any(s.get("compensationActivity") for s in steps)
    assert any(s.get("requireApproval") and s.get("approver") for s in steps)
    assert any(
        s.get("isSleepActivity") and s["activity"]["uniqueIdentifier"] == "workflows:sleep-platform"
        for s in steps
    )
    assert any(
        s["activity"].get("autoUpgradeToLatestVersion") is False and s["activity"]["version"] == 2
        for s in steps
    )
    assert any(len(f["workflowDefinition"]) >= 3 and _has_dependencies(f) for f in files)
    assert any(f["triggerEvent"] == "schedule:daily" for f in files)
    assert "${secret." in text


def _has_dependencies(definition: dict[str, Any]) -> bool:
    return any(step.get("dependencies") for step in definition["workflowDefinition"])


def test_the_committed_schema_is_up_to_date() -> None:
    committed = (PROJECT_DIR / SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render_schema(), "stale schema: run scripts/generate-schema and commit it"


def test_generate_schema_check_passes() -> None:
    result = subprocess.run(
        [str(PROJECT_DIR / "scripts" / "generate-schema"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(workflow_file_schema())


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_validates_against_the_committed_schema(path: Path) -> None:
    schema = json.loads((PROJECT_DIR / SCHEMA_FILE).read_text(encoding="utf-8"))
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
    assert errors == []


def test_the_schema_catches_what_the_loader_catches() -> None:
    validator = jsonschema.Draft202012Validator(workflow_file_schema())
    document = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    document["triggerEvnt"] = document.pop("triggerEvent")
    document["workflowDefinition"][0]["retryPolicy"] = {"maximumAttempts": "three"}
    errors = list(validator.iter_errors(document))
    messages = " ".join(e.message for e in errors)
    assert "'triggerEvent' is a required property" in messages
    assert "'triggerEvnt' was unexpected" in messages
    assert "$.workflowDefinition[0].retryPolicy" in {e.json_path for e in errors}


def test_the_schema_accepts_placeholders_where_numbers_and_booleans_go() -> None:
    validator = jsonschema.Draft202012Validator(workflow_file_schema())
    document = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    step = document["workflowDefinition"][0]
    step["executionTimeout"] = "${var.timeout}"
    step["isSleepActivity"] = "${var.sleep}"
    step["onFailure"] = "${var.onFailure}"
    assert list(validator.iter_errors(document)) == []
    step["executionTimeout"] = "ten seconds"
    assert list(validator.iter_errors(document)) != []
