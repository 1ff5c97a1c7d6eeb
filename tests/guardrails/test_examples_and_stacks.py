"""The shipped examples under their stacks' guardrails, and ``validate`` without a stack.

The examples set every built-in rule advisory in dev and mandatory in staging and prod (lints
stay advisory; unique-workflow-names keeps its own level, mandatory, everywhere), and pass the
rules of every stack. Without ``--stack``, each file gets the rules of every stack that deploys
it.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from pulumi_thena.definitions import DefinitionLoadError
from pulumi_thena.definitions.guarding import stack_enforcement_of
from pulumi_thena.definitions.stack import parse_settings, read_stack_config
from tests.examples import EXAMPLE_PROJECT
from tests.guardrails.cases import BUILTIN, BY_RULE, LINTS, only
from tests.guardrails.conftest import Workspace
from tests.stacks.harness import run_program


def levels(stack: str, project: Path = EXAMPLE_PROJECT) -> dict[str, str]:
    source = f"stacks/Pulumi.{stack}.yaml"
    raw, _ = read_stack_config(project / source, source)
    settings, problems = parse_settings(raw, source)
    enforcement, wrong = stack_enforcement_of(settings.guardrails, project, source)
    assert problems == [] and wrong == []
    return {rule.id: enforcement.level(rule.id).value for rule in enforcement.registry}


def test_dev_warns_and_staging_and_prod_enforce() -> None:
    dev = levels("dev")
    assert {dev[rule] for rule in BUILTIN if rule != "unique-workflow-names"} == {"advisory"}
    assert dev["unique-workflow-names"] == "mandatory"
    for stack in ("staging", "prod"):
        assert {levels(stack)[rule] for rule in BUILTIN} == {"mandatory"}
    for stack in ("dev", "staging", "prod", "local"):
        assert {levels(stack)[lint] for lint in LINTS} == {"advisory"}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_examples_pass_their_stacks_rules(stack: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        run = run_program(stack)
    assert run.workflows()
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [w for w in warned if any(f"] {rule}:" in w for rule in BUILTIN)] == []
    # The one exemption, with its reason, is shown.
    assert any(
        "slack-message-intake.yaml: retry-on-external exempted" in r.getMessage()
        for r in caplog.records
    )


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """A copy of the examples' project, to break."""
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLE_PROJECT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def without_exemption(project: Path) -> None:
    path = project / "stacks" / "workflows" / "slack-message-intake.yaml"
    data = yaml.safe_load(path.read_text())
    del data["guardrailExemptions"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_without_its_exemption_an_example_stops_prod_and_warns_in_dev(
    examples: Path, caplog: pytest.LogCaptureFixture
) -> None:
    without_exemption(examples)
    with pytest.raises(DefinitionLoadError) as caught:
        run_program("prod", project=examples)
    [problem] = caught.value.problems
    assert str(problem).startswith(
        "stacks/workflows/slack-message-intake.yaml: workflowDefinition[1].retryPolicy: "
        "[mandatory] retry-on-external: step 2 calls 'slack:send-message' and has no retry policy"
    )
    with caplog.at_level(logging.WARNING):
        run = run_program("dev", project=examples)
    assert "slack-message-intake" in run.workflows()
    assert any("[advisory] retry-on-external: step 2" in r.getMessage() for r in caplog.records)


# validate without a stack ------------------------------------------------------------------


def test_without_a_stack_a_file_meets_the_strictest_stack_that_deploys_it(
    workspace: Workspace,
) -> None:
    workspace.guard(only("retry-on-external", "advisory"), stack="dev")
    workspace.guard(only("retry-on-external", "mandatory"), stack="prod")
    workspace.guard(
        only("retry-on-external", "mandatory"),
        stack="staging",
        **{"thena-workflows:include": ["shared"]},
    )
    (workspace.root / "stacks" / "Pulumi.test.yaml").unlink()
    violating = BY_RULE["retry-on-external"].violating
    workspace.write("shared", violating)
    workspace.write("dev-only", violating.replace("name: Alert", "name: Dev alert"))
    prod = yaml.safe_load((workspace.root / "stacks" / "Pulumi.prod.yaml").read_text())
    prod["config"]["thena-workflows:include"] = ["shared"]
    (workspace.root / "stacks" / "Pulumi.prod.yaml").write_text(yaml.safe_dump(prod))
    result = workspace.run("validate", "--json")
    assert result.exit_code == EXIT_ERROR, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    [problem] = report["problems"]
    assert problem["file"] == "stacks/workflows/shared.yaml"
    assert problem["message"].startswith(
        "[mandatory in stacks 'prod', 'staging'] retry-on-external: step 1 calls"
    )
    [warning] = report["warnings"]
    assert warning["file"] == "stacks/workflows/dev-only.yaml"
    assert warning["message"].startswith("[advisory in stack 'dev'] retry-on-external:")


def test_without_any_stack_the_rules_own_levels_apply(workspace: Workspace) -> None:
    (workspace.root / "stacks" / "Pulumi.test.yaml").unlink()
    workspace.write("wf", BY_RULE["retry-on-external"].violating)
    result = workspace.run("validate", "--json")
    assert result.exit_code == EXIT_OK, result.output
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["message"].startswith("[advisory] retry-on-external:")
