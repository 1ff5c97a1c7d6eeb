"""stacks/__main__.py under Pulumi's mocks, for each stack: resources, inputs, options, exports."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from pulumi_thena.definitions import DefinitionLoadError
from pulumi_thena.diff import canonical_inputs
from pulumi_thena.models import DEFINITION_FIELDS
from tests.examples import EXAMPLE_PROJECT
from tests.stacks.harness import (
    STACKS,
    TEST_SECRETS,
    WORKFLOW_TYPE,
    ProgramRun,
    run_program,
    unwrap,
)

PROJECT_DIR = EXAMPLE_PROJECT
EXAMPLES = {p.stem for p in (PROJECT_DIR / "stacks" / "workflows").glob("*.yaml")}
PROMOTED = EXAMPLES - {"comment-mirror-webhook"}
EXPECTED = {"local": EXAMPLES, "dev": EXAMPLES, "staging": PROMOTED, "prod": PROMOTED}


def stack_vars(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((PROJECT_DIR / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    variables: dict[str, Any] = config["config"]["thena-workflows:vars"]
    return variables


@pytest.fixture(scope="module", params=STACKS)
def run(request: pytest.FixtureRequest) -> tuple[str, ProgramRun]:
    return request.param, run_program(request.param)


def test_one_workflow_per_selected_file(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    assert set(result.declared) == EXPECTED[stack]
    assert {d.type for d in result.declared.values()} == {WORKFLOW_TYPE}


def test_owner_is_project_stack_and_file(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    for name, declared in result.workflows().items():
        assert declared.inputs["owner"] == f"thena-workflows/{stack}/{name}"


def test_variables_are_resolved_with_their_types(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    variables = stack_vars(stack)
    declared = result.workflows()["urgent-ticket-escalation"]
    inputs, definition = declared.inputs, declared.definition
    assert definition["executingAgent"] == variables["botAgentId"]
    assert definition["teamId"] == variables["supportTeamId"]
    steps = definition["workflowDefinition"]
    assert steps[0]["input"]["channel"] == variables["escalationChannel"]
    assert steps[0]["retryPolicy"]["maximumAttempts"] == variables["slackRetryAttempts"]
    assert (
        steps[1]["input"]["content"] == f"Escalated to on-call in {variables['escalationChannel']}."
    )
    assert "${" not in repr(inputs)


def test_the_api_sees_event_and_activity_names(run: tuple[str, ProgramRun]) -> None:
    _, result = run
    definition = result.workflows()["slack-message-intake"].definition
    steps = definition["workflowDefinition"]
    assert definition["triggerEvent"] == "slack:message"
    assert steps[0]["activity"]["uniqueIdentifier"] == "tickets:create-ticket-platform"


def test_file_only_settings_steer_the_resource(run: tuple[str, ProgramRun]) -> None:
    _, result = run
    workflows = result.workflows()
    assert workflows["slack-message-intake"].alias_names == ["slack-intake"]
    assert workflows["vip-account-onboarding"].inputs["adoptExisting"] is True
    assert "adoptExisting" not in workflows["urgent-ticket-escalation"].inputs  # false: left out
    for declared in workflows.values():
        assert "previousNames" not in declared.inputs


def test_steps_using_a_secret_are_stored_as_a_secret(run: tuple[str, ProgramRun]) -> None:
    _, result = run
    for name, declared in result.workflows().items():
        assert declared.definition_is_secret == (name == "nightly-stale-ticket-sweep"), name
    steps = result.workflows()["nightly-stale-ticket-sweep"].definition["workflowDefinition"]
    token = TEST_SECRETS["reportingWebhookToken"]
    assert steps[0]["input"]["headers"] == {"Authorization": f"Bearer {token}"}


def test_activation_follows_the_stack(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    active = {name: d.inputs["isActive"] for name, d in result.workflows().items()}
    off = {"nightly-stale-ticket-sweep"} if stack == "dev" else set()
    assert {name for name, on in active.items() if not on} == off


def test_deletion_guards_follow_the_stack(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    for declared in result.workflows().values():
        assert declared.protect == (stack == "prod")
        assert declared.retain_on_delete == (stack in ("staging", "prod"))


def test_the_workflows_export(run: tuple[str, ProgramRun]) -> None:
    stack, result = run
    # slack-message-intake.yaml says previousNames: [slack-intake]: a rename, not a new workflow
    assert set(result.exports) == EXPECTED[stack] | {"slack-intake"}
    assert result.exports["slack-intake"] == {"renamedTo": "slack-message-intake"}
    sweep = result.exports["nightly-stale-ticket-sweep"]
    assert sweep["uniqueIdentifier"] == "WF-nightly-stale-ticket-sweep"
    assert sweep["version"] == 1
    assert sweep["isActive"] is (stack != "dev")


# -- what stops the program before anything is declared ---------------------------------------


def failure(stack: str, **kwargs: Any) -> tuple[list[str], ProgramRun]:
    """The problem lines the program stops with, and what it had declared by then."""
    run = ProgramRun()
    with pytest.raises(DefinitionLoadError) as caught:
        run_program(stack, run=run, **kwargs)
    return str(caught.value).splitlines(), run


def test_a_missing_secret_stops_the_program_before_any_resource() -> None:
    lines, run = failure("prod", secrets={})
    assert lines == [
        "stacks/workflows/nightly-stale-ticket-sweep.yaml: workflowDefinition[0].input.headers."
        "Authorization: unknown secret 'reportingWebhookToken'. Known secrets "
        "(thena-workflows:secrets): none. Fix the name, or set it in the stack: `pulumi config "
        "set --secret --path 'thena-workflows:secrets.reportingWebhookToken' <value>` (line 19)"
    ]
    assert run.declared == {}


def test_every_settings_and_file_problem_is_reported_at_once() -> None:
    variables = {k: v for k, v in stack_vars("staging").items() if k != "supportTeamId"}
    overrides = {"thena-workflows:vars": variables, "thena-workflows:protected": True}
    lines, run = failure("staging", overrides=overrides)
    assert lines[0].startswith(
        "stacks/Pulumi.staging.yaml: thena-workflows:protected: unknown setting; did you mean "
        "'thena-workflows:protect'?"
    )
    files = {line.split(":", 1)[0] for line in lines[1:]}
    assert files == {f"stacks/workflows/{stem}.yaml" for stem in PROMOTED}  # each uses it
    assert all("unknown variable 'supportTeamId'" in line for line in lines[1:])
    assert run.declared == {}


def test_an_unknown_include_name_stops_the_program() -> None:
    lines, run = failure("prod", overrides={"thena-workflows:include": ["sla-breach-aproval"]})
    assert lines[0].startswith(
        "stacks/Pulumi.prod.yaml: thena-workflows:include[0]: no workflow file is named "
        "'sla-breach-aproval'; did you mean 'sla-breach-approval'?"
    )
    assert run.declared == {}


def test_an_api_key_in_clear_stops_a_real_stack() -> None:
    (line,), run = failure("prod", overrides={"thena:apiKey": "tk_live_leaked"})
    assert line.startswith("stacks/Pulumi.prod.yaml: thena:apiKey: the Thena API key is stored")
    assert "tk_live_leaked" not in line
    assert run.declared == {}


def test_the_secrets_never_reach_a_message() -> None:
    secret = "tk-secret-in-a-bad-place"
    lines, _ = failure(
        "dev",
        secrets={"reportingWebhookToken": secret, "x": 1},
        overrides={"thena-workflows:vars": {"botAgentId": "b"}},
    )
    assert lines and not any(secret in line for line in lines)


def test_a_setting_that_is_not_data_names_the_expected_shape() -> None:
    (line,), run = failure("prod", overrides={"thena-workflows:protect": "maybe"})
    assert line == "stacks/Pulumi.prod.yaml: thena-workflows:protect: must be true or false"
    assert run.declared == {}


def test_the_local_emulator_key_may_be_in_clear() -> None:
    assert run_program("local").declared


def test_definitions_are_declared_in_canonical_form(run: tuple[str, ProgramRun]) -> None:
    """What lets the provider answer an unchanged workflow without validating it again."""
    _, result = run
    for name, declared in result.workflows().items():
        fields = {key: unwrap(value)[0] for key, value in declared.inputs.items()}
        canonical = canonical_inputs(fields).inputs
        assert {k: fields[k] for k in DEFINITION_FIELDS if k in fields} == {
            k: canonical[k] for k in DEFINITION_FIELDS if k in canonical
        }, name
