"""What an answer shows (docs/api.md §8, U-22, U-23): one reading of a live workflow, any shape.

A workflow read back in the documented shape (approver ``{type, uid, timeout}``, no
``requireApproval``/``approverType``/``approvalTimeout``, ``{}`` for no compensation, server
defaults filled, ``activity.name``) compares equal to what was sent; a real edit of a shown field
is exactly one difference; a removal is one too; a workflow the models cannot read is an error
naming the field.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_thena.diff import canonical_inputs, changed_fields, field_changes, live_to_inputs
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.models import Workflow, definition_problems
from pulumi_thena.models.definition import WorkflowDefinition
from tests.fixtures import small, steps


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    result = canonical_inputs(data)
    assert result.problems == []
    return result.inputs


def with_approval(**approval: Any) -> dict[str, Any]:
    data = small(workflowDefinition=steps(2))
    data["workflowDefinition"][1].update(requireApproval=True, **approval)
    return data


def documented_step(step: dict[str, Any]) -> dict[str, Any]:
    """A step as the create page's 201 sample shows it, with the server's defaults filled."""
    shown = {k: v for k, v in step.items() if k not in ("requireApproval",)}
    shown["activity"] = {"name": "An activity", "version": 3, **step["activity"]}
    shown.setdefault("retryPolicy", {"maximumAttempts": 1, "initialInterval": 1})
    shown["retryPolicy"] = {"backoffCoefficient": 2, **shown["retryPolicy"]}
    shown.setdefault("executionTimeout", 300)
    shown["compensationActivity"] = step.get("compensationActivity") or {}
    approver = step.get("approver")
    shown["approver"] = {"timeout": 86400, **approver} if approver else {}
    return shown


def documented(inputs: dict[str, Any], **extra: Any) -> Workflow:
    """The live workflow of ``inputs`` in the documented answer shape."""
    doc = {
        **{k: v for k, v in inputs.items() if k not in ("owner", "adoptExisting")},
        "uniqueIdentifier": "W1",
        "uid": "U1",
        "version": 1,
        "triggerEvent": {"uid": "EVT-ESC", "eventName": inputs["triggerEvent"]},
        "workflowDefinition": [documented_step(s) for s in inputs["workflowDefinition"]],
        **extra,
    }
    return Workflow.model_validate(doc)


APPROVAL_SHAPES = {
    "documented": {"approver": {"type": "TEAM", "uid": "team-leads", "timeout": 3600}},
    "object with id": {"approver": {"type": "TEAM", "id": "team-leads"}, "approvalTimeout": 3600},
    "string": {"approver": "team-leads", "approverType": "TEAM", "approvalTimeout": 3600},
}


@pytest.mark.parametrize("shape", list(APPROVAL_SHAPES))
def test_every_approver_shape_has_one_canonical_form(shape: str) -> None:
    inputs = canonical(with_approval(**APPROVAL_SHAPES[shape]))
    step = inputs["workflowDefinition"][1]
    assert step["approver"] == {"type": "TEAM", "uid": "team-leads", "timeout": 3600}
    assert step["requireApproval"] is True
    assert "approverType" not in step and "approvalTimeout" not in step


@pytest.mark.parametrize("shape", list(APPROVAL_SHAPES))
def test_moving_a_file_to_the_documented_shape_is_no_change(shape: str) -> None:
    older = canonical(with_approval(**APPROVAL_SHAPES[shape]))
    newer = canonical(with_approval(**APPROVAL_SHAPES["documented"]))
    assert changed_fields(older, newer) == []


@pytest.mark.parametrize(
    ("approval", "path", "words"),
    [
        (
            {"approver": {"type": "USER", "uid": "u", "id": "u"}},
            "approver.id",
            "keep uid and remove id",
        ),
        (
            {"approver": {"type": "USER", "uid": "u"}, "approvalTimeout": 60},
            "approvalTimeout",
            "write approver.timeout instead",
        ),
        (
            {"approver": {"type": "USER", "id": "u"}, "approverType": "USER"},
            "approverType",
            "write approver.type instead",
        ),
        ({"approver": {"type": "USER", "id": "u", "timeout": 60}}, "approver.id", "rename id"),
        ({"approver": {"type": "USER"}}, "approver.uid", "names no one"),
        ({"approvalTimeout": 60}, "approvalTimeout", "without an approver"),
    ],
)
def test_a_step_that_mixes_shapes_says_which_to_keep(
    approval: dict[str, Any], path: str, words: str
) -> None:
    definition = WorkflowDefinition.model_validate(with_approval(**approval))
    problems = {p.path: p.message for p in definition_problems(definition)}
    assert words in problems[f"workflowDefinition[1].{path}"]


@pytest.mark.parametrize("shape", list(APPROVAL_SHAPES))
def test_the_documented_answer_is_no_drift(shape: str) -> None:
    inputs = canonical(with_approval(**APPROVAL_SHAPES[shape]))
    assert changed_fields(inputs, live_to_inputs(documented(inputs), inputs)) == []


def test_no_drift_against_an_older_state_either() -> None:
    """State written before canonical form held the documented approver reads as no drift."""
    state = with_approval(**APPROVAL_SHAPES["object with id"])
    live = documented(canonical(state))
    assert changed_fields(state, live_to_inputs(live, state)) == []


def test_an_edit_of_a_shown_field_is_exactly_that_field() -> None:
    inputs = canonical(with_approval(**APPROVAL_SHAPES["documented"]))
    edited = copy.deepcopy(inputs)
    edited["workflowDefinition"][1]["approver"]["uid"] = "someone-else"
    edited["workflowDefinition"][0]["retryPolicy"]["maximumAttempts"] = 9
    read = live_to_inputs(documented(edited), inputs)
    assert field_changes(inputs, read) == [
        "workflowDefinition[0].retryPolicy.maximumAttempts",
        "workflowDefinition[1].approver.uid",
    ]


def test_removing_a_set_optional_field_by_hand_is_a_difference() -> None:
    inputs = canonical(small(workflowDefinition=steps(2)))
    removed = copy.deepcopy(inputs)
    del removed["workflowDefinition"][0]["compensationActivity"]
    read = live_to_inputs(documented(removed), inputs)
    assert field_changes(inputs, read) == ["workflowDefinition[0].compensationActivity"]


def test_what_the_server_fills_where_the_file_is_silent_is_no_difference() -> None:
    inputs = canonical(small())  # no retryPolicy, executionTimeout, version or compensation
    read = live_to_inputs(documented(inputs), inputs)
    assert changed_fields(inputs, read) == []
    step = read["workflowDefinition"][0]
    assert "retryPolicy" not in step and "executionTimeout" not in step
    assert "version" not in step["activity"]


def test_without_a_wanted_definition_the_answer_is_read_as_it_shows() -> None:
    """export and diff-envs: an approver shown means approval; fills are the server's values."""
    inputs = canonical(with_approval(**APPROVAL_SHAPES["documented"]))
    read = live_to_inputs(documented(inputs))
    step = read["workflowDefinition"][1]
    assert step["requireApproval"] is True
    assert step["approver"] == {"type": "TEAM", "uid": "team-leads", "timeout": 3600}
    assert read["workflowDefinition"][0]["executionTimeout"] == 300


def test_an_unreadable_answer_names_the_workflow_and_the_field() -> None:
    inputs = canonical(small())
    live = documented(inputs)
    live.workflow_definition[0]["onFailure"] = "EXPLODE"  # type: ignore[index]
    with pytest.raises(UnreadableWorkflowError) as error:
        live_to_inputs(live, inputs)
    message = str(error.value)
    assert "workflow W1 ('Escalation comment')" in message
    assert "workflowDefinition[0].onFailure" in message


def test_a_field_the_answer_never_shows_is_taken_from_the_wanted_definition() -> None:
    """An approval by anyone (no approver): the documented answer shows neither field."""
    inputs = canonical(with_approval())
    live = documented(inputs)
    assert "requireApproval" not in live.workflow_definition[1]  # type: ignore[index]
    assert changed_fields(inputs, live_to_inputs(live, inputs)) == []
