"""Definition models: strict names, lenient numbers, canonical order, problems with paths."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pulumi_thena.models import (
    Registry,
    WorkflowDefinition,
    definition_problems,
    problems_from_validation_error,
    registry_problems,
)
from tests.fixtures import small, steps


def problems_of(data: dict) -> list[str]:
    try:
        definition = WorkflowDefinition.model_validate(data)
    except ValidationError as error:
        return [str(p) for p in problems_from_validation_error(error, WorkflowDefinition)]
    return [str(p) for p in definition_problems(definition)]


def test_floats_from_rpc_validate_and_canonicalize_to_integers() -> None:
    data = small(workflowDefinition=steps(2))
    data["workflowDefinition"][1]["stepIdentifier"] = 2.0
    data["workflowDefinition"][1]["retryPolicy"]["maximumAttempts"] = 3.0
    data["workflowDefinition"][1]["input"]["n"] = 2.0
    wire = WorkflowDefinition.model_validate(data).canonical().to_wire()
    step = wire["workflowDefinition"][1]
    assert step["stepIdentifier"] == 2 and type(step["stepIdentifier"]) is int
    assert type(step["retryPolicy"]["maximumAttempts"]) is int
    assert type(step["input"]["n"]) is int


def test_fractional_step_identifier_is_rejected() -> None:
    data = small()
    data["workflowDefinition"][0]["stepIdentifier"] = 1.5
    assert any("whole number" in p for p in problems_of(data))


def test_boolean_is_not_a_number() -> None:
    data = small()
    data["workflowDefinition"][0]["stepIdentifier"] = True
    assert problems_of(data) == [
        "workflowDefinition[0].stepIdentifier: expected a number, got a boolean"
    ]


def test_a_boolean_is_true_or_false_and_nothing_else() -> None:
    data = small(isActive="no")
    data["workflowDefinition"][0]["requireApproval"] = 1
    data["workflowDefinition"][0]["activity"]["autoUpgradeToLatestVersion"] = "false"
    hint = "write true or false without quotes (yes, no, on and off are strings in YAML 1.2)"
    assert problems_of(data) == [
        f"workflowDefinition[0].activity.autoUpgradeToLatestVersion: expected true or false, "
        f"got 'false'; {hint}",
        f"workflowDefinition[0].requireApproval: expected true or false, got 1; {hint}",
        f"isActive: expected true or false, got 'no'; {hint}",
    ]


def test_defaults_are_filled_so_explicit_defaults_compare_equal() -> None:
    explicit = small()
    explicit.update(type="MANUAL", subType="WORKFLOW", annotations=[], metadata={})
    explicit["workflowDefinition"][0].update(onFailure="ABORT", requireApproval=False)
    explicit["workflowDefinition"][0]["activity"]["autoUpgradeToLatestVersion"] = True
    a = WorkflowDefinition.model_validate(small()).canonical().to_wire()
    b = WorkflowDefinition.model_validate(explicit).canonical().to_wire()
    assert a == b


def test_canonical_orders_steps_and_dependencies() -> None:
    data = small(workflowDefinition=list(reversed(steps(3))))
    data["workflowDefinition"][0]["dependencies"] = ["2", "1"]
    canonical = WorkflowDefinition.model_validate(data).canonical().to_wire()
    assert [s["stepIdentifier"] for s in canonical["workflowDefinition"]] == [1, 2, 3]
    assert canonical["workflowDefinition"][2]["dependencies"] == ["1", "2"]


def test_numeric_dependencies_sort_as_numbers() -> None:
    data = small(workflowDefinition=steps(10))
    data["workflowDefinition"][9]["dependencies"] = ["9", "2", 1]
    canonical = WorkflowDefinition.model_validate(data).canonical().to_wire()
    assert canonical["workflowDefinition"][9]["dependencies"] == ["1", "2", "9"]


def test_unknown_field_names_the_path_and_suggests_the_closest() -> None:
    data = small()
    data["workflowDefinition"][0]["dependancies"] = []
    [problem] = problems_of(data)
    assert problem.startswith("workflowDefinition[0].dependancies: unknown field 'dependancies'.")
    assert "Did you mean 'dependencies'?" in problem


def test_missing_required_field_is_named() -> None:
    data = small()
    del data["executingAgent"]
    assert problems_of(data) == ["executingAgent: this field is required; add it"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d["workflowDefinition"].append(dict(d["workflowDefinition"][0])),
            "workflowDefinition[1].stepIdentifier: stepIdentifier 1 is used by more than one step",
        ),
        (
            lambda d: d["workflowDefinition"][0].update(dependencies=["7"]),
            "workflowDefinition[0].dependencies[0]: depends on step 7, which does not exist",
        ),
        (
            lambda d: d["workflowDefinition"][0].update(dependencies=["1"]),
            "workflowDefinition[0].dependencies[0]: a step cannot depend on itself",
        ),
        (
            lambda d: d["workflowDefinition"][0]["activity"].update(
                autoUpgradeToLatestVersion=False
            ),
            "workflowDefinition[0].activity.version: autoUpgradeToLatestVersion is false",
        ),
        (
            lambda d: d["filters"]["~and"][0]["priority"].update({"~inn": ["x"]}),
            "filters.~and[0].priority.~inn: unknown filter operator '~inn'; did you mean '~in'?",
        ),
        (
            lambda d: d["filters"]["~and"][1]["status"].update({"~in": "closed"}),
            "filters.~and[1].status.~in: ~in takes a list of values",
        ),
        (
            lambda d: d["workflowDefinition"][0].update(isSleepActivity=True),
            "workflowDefinition[0].activity.uniqueIdentifier: a sleep step",
        ),
        (
            lambda d: d["workflowDefinition"][0].update(approver="u1"),
            "workflowDefinition[0].requireApproval: an approver is set but requireApproval",
        ),
    ],
)
def test_rule_violations_name_their_path(mutate: Any, expected: str) -> None:
    data = small()
    mutate(data)
    assert any(p.startswith(expected) for p in problems_of(data)), problems_of(data)


def test_cycle_is_reported_with_its_steps() -> None:
    data = small(workflowDefinition=steps(3))
    data["workflowDefinition"][0]["dependencies"] = ["3"]
    [problem] = problems_of(data)
    assert "cycle (1 -> 3 -> 2 -> 1)" in problem


def test_realistic_definition_has_no_problems() -> None:
    assert problems_of(small(workflowDefinition=steps(30))) == []


def test_registry_cross_check_names_unknown_event_activity_and_version() -> None:
    data = small(triggerEvent="ticket:escalatd")
    data["workflowDefinition"][0]["activity"] = {
        "uniqueIdentifier": "tickets:add-comment-platform",
        "autoUpgradeToLatestVersion": False,
        "version": 9,
    }
    offered = Registry(
        event_names={"ticket:escalated": "EVT1"},
        activity_versions={"tickets:add-comment-platform": frozenset({1, 2})},
    )
    found = [str(p) for p in registry_problems(WorkflowDefinition.model_validate(data), offered)]
    assert found[0].startswith(
        "triggerEvent: unknown trigger event 'ticket:escalatd'; did you mean"
    )
    assert found[1] == (
        "workflowDefinition[0].activity.version: activity 'tickets:add-comment-platform' has no "
        "version 9; available versions: 1, 2"
    )
    assert offered.event_uid("EVT1") == "EVT1" and offered.event_uid("nope") is None
