"""The policy pack's parts without the engine: what it reads of the stack, the policies it makes,
and what a policy reports for a resource (tests/e2e/test_guardrails_pack.py runs it for real)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationArgs

from pulumi_thena.guardrails.crossguard import (
    PROJECT_DIR_VARIABLE,
    WORKFLOW_TYPE,
    find_project_dir,
    guardrails_pack,
    pack_path,
    stack_config,
)

TOKEN = "hook-token-4b1d9e"


def env(guardrails: Any = None, **extra: str) -> dict[str, str]:
    config: dict[str, str] = {
        "thena-workflows:secrets": json.dumps({"hookToken": TOKEN}),
        "thena-workflows:vars": json.dumps({"team": "t"}),
    }
    if guardrails is not None:
        config["thena-workflows:guardrails"] = json.dumps(guardrails)
    return {
        "PULUMI_STACK": "prod",
        "PULUMI_PROJECT": "thena-workflows",
        "PULUMI_CONFIG": json.dumps(config),
        **extra,
    }


def workflow(name: str = "Alert", *, retry: bool = False, **inputs: Any) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepIdentifier": 1.0,  # numbers cross the engine as floats
        "activity": {"uniqueIdentifier": "slack:send-message"},
        "input": {"channel": "#a", **inputs},
    }
    if retry:
        step["retryPolicy"] = {"maximumAttempts": 3.0}
    return {
        "name": name,
        "triggerEvent": "ticket:created",
        "executingAgent": "bot",
        "teamId": "t",
        "workflowDefinition": [step],
        "owner": f"thena-workflows/prod/{name.lower()}",
        "adoptExisting": False,
        "isActive": True,
    }


def analyze(
    pack: Any, rule: str, props: dict[str, Any], name: str = "alert", **config: Any
) -> list[str]:
    known = pack.enforcement.registry.get(rule)
    policy = pack.policy(known)
    defaults = (
        {k: v["default"] for k, v in (policy.config_schema.properties or {}).items()}
        if (policy.config_schema)
        else {}
    )
    args = ResourceValidationArgs(
        WORKFLOW_TYPE, props, f"urn:...::{name}", name, None, None, {**defaults, **config}, {}
    )
    reported: list[str] = []
    policy.validate(args, lambda message, urn=None: reported.append(message))
    return reported


def test_the_pack_is_shipped_with_the_package() -> None:
    assert (pack_path() / "PulumiPolicy.yaml").is_file()
    assert (pack_path() / "__main__.py").read_text().count("serve()") == 1


def test_levels_and_options_come_from_the_stacks_setting() -> None:
    setting = {"rules": {"retry-on-external": "mandatory", "max-steps": {"maximum": 5}}}
    pack = guardrails_pack(env(setting))
    assert pack.problems == ()
    policies = {p.name: p for p in map(pack.policy, pack.enforcement.registry)}
    assert policies["retry-on-external"].enforcement_level is EnforcementLevel.MANDATORY
    assert policies["no-clear-credentials"].enforcement_level is EnforcementLevel.ADVISORY
    schema = policies["max-steps"].config_schema
    assert schema is not None and schema.properties["maximum"] == {
        "type": "integer",
        "default": 5,
    }
    assert policies["retry-on-external"].config_schema.properties["activities"] == {  # type: ignore[union-attr]
        "type": "array",
        "items": {"type": "string"},
        "default": ["http:*", "slack:*", "email:*"],
    }


def test_a_wrong_setting_is_said_and_the_rest_applies() -> None:
    pack = guardrails_pack(env({"rules": {"retry-on-extrnal": "mandatory"}}))
    [problem] = pack.problems
    assert problem.startswith("thena-workflows:guardrails.rules.retry-on-extrnal: no rule")
    assert "retry-on-external" in pack.enforcement.registry


def test_a_policy_reports_what_its_rule_finds_with_the_fix() -> None:
    pack = guardrails_pack(env())
    assert analyze(pack, "retry-on-external", workflow()) == [
        "workflow alert: workflowDefinition[0].retryPolicy: step 1 calls 'slack:send-message' and "
        "has no retry policy. Fix: add retryPolicy: {maximumAttempts: 3, initialInterval: 2, "
        "backoffCoefficient: 2} to the step (maximumAttempts counts the first attempt)"
    ]
    # One resource is read once a run (by its URN): each case below is another resource.
    assert analyze(pack, "retry-on-external", workflow(retry=True), name="kept") == []
    # The pack's config (--policy-pack-config) reaches the rule; numbers come back as floats.
    stricter = analyze(
        pack, "retry-on-external", workflow(retry=True), "strict", minimumAttempts=4.0
    )
    assert stricter[0].startswith(
        "workflow strict: workflowDefinition[0].retryPolicy.maximumAttempts"
    )


def test_other_resources_and_exempted_workflows_are_passed_over() -> None:
    pack = guardrails_pack(env())
    policy = pack.policy(pack.enforcement.registry.get("retry-on-external"))  # type: ignore[arg-type]
    reported: list[str] = []
    args = ResourceValidationArgs("random:index:Pet", workflow(), "urn", "pet", None, None, {}, {})
    policy.validate(args, lambda message, urn=None: reported.append(message))
    assert reported == []
    exempt = {
        **workflow(),
        "guardrailExemptions": [{"rule": "retry-on-external", "reason": "posts twice"}],
    }
    assert analyze(pack, "retry-on-external", exempt, name="exempt") == []


def test_a_secret_is_read_as_a_secret_and_a_literal_as_a_credential() -> None:
    pack = guardrails_pack(env())
    secret = workflow(retry=True, headers={"Authorization": f"Bearer {TOKEN}"})
    assert analyze(pack, "no-clear-credentials", secret) == []
    clear = workflow(retry=True, headers={"Authorization": "Bearer literal-abcdefgh"})
    [message] = analyze(pack, "no-clear-credentials", clear, name="clear")
    assert "holds a Bearer token in clear" in message and "literal-abcdefgh" not in message


def test_names_are_compared_with_the_workflows_seen_before() -> None:
    pack = guardrails_pack(env())
    assert analyze(pack, "unique-workflow-names", workflow("Alert"), name="first") == []
    [message] = analyze(pack, "unique-workflow-names", workflow("Alert"), name="second")
    assert "workflow name 'Alert' is already used by first for the same team" in message
    assert analyze(pack, "unique-workflow-names", workflow("Other"), name="third") == []


def test_an_invalid_or_unknown_definition_is_left_to_the_provider() -> None:
    pack = guardrails_pack(env())
    broken = {**workflow(), "workflowDefinition": []}
    assert analyze(pack, "retry-on-external", broken) == []


def test_the_stack_and_project_come_from_the_engines_environment(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    (project / "stacks").mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: thena-workflows\nruntime: python\n")
    other = tmp_path / "repo" / "stacks" / "nested"
    other.mkdir()
    (other / "Pulumi.yaml").write_text("name: another-project\n")
    read = stack_config(env(PWD=str(other)))
    assert read.stack == "prod" and read.setting("vars") == {"team": "t"}
    assert read.project_dir == project  # the nearest Pulumi.yaml of *this* project
    given = {"PULUMI_PROJECT": "x", PROJECT_DIR_VARIABLE: str(other), "PWD": "/"}
    assert find_project_dir(given, "x") == other
    assert find_project_dir({"PWD": str(tmp_path)}, "thena-workflows") is None


def test_modules_are_loaded_from_the_project_directory(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: thena-workflows\n")
    (tmp_path / "ours.py").write_text(
        "from pulumi_thena.guardrails import rule\n"
        "@rule('always', description='d', fix='f', level='mandatory')\n"
        "def always(d, c):\n    return [('name', 'found')]\n"
        "RULES = [always]\n"
    )
    pack = guardrails_pack(env({"modules": ["ours.py"]}, PWD=str(tmp_path)))
    assert "always" in pack.enforcement.registry
    assert analyze(pack, "always", workflow()) == ["workflow alert: name: found. Fix: f"]
    lost = guardrails_pack(env({"modules": ["ours.py"]}, PWD="/"))
    assert any(PROJECT_DIR_VARIABLE in problem for problem in lost.problems)


@pytest.mark.parametrize("config", ["not json", json.dumps([1, 2])])
def test_a_config_that_cannot_be_read_is_an_empty_one(config: str) -> None:
    read = stack_config({"PULUMI_CONFIG": config})
    assert read.config == {} and read.setting("guardrails") is None
