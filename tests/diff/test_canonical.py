"""Canonical inputs and comparison: equal things compare equal, real changes are named."""

from __future__ import annotations

import asyncio
import copy

import pulumi
from pulumi.output import Unknown

from pulumi_thena.diff import (
    OWNER_METADATA_KEY,
    UNKNOWN,
    canonical_inputs,
    changed_fields,
    declared_inputs,
    field_changes,
    live_to_inputs,
    replacement_fields,
    to_api_body,
)
from pulumi_thena.models import Workflow
from tests.fixtures import small, steps


def canonical(data: dict) -> dict:
    result = canonical_inputs(data)
    assert result.problems == []
    return result.inputs


def test_unknown_marker_matches_the_sdk() -> None:
    from pulumi.runtime import rpc

    assert UNKNOWN == rpc.UNKNOWN


def test_settings_pass_through_and_outputs_are_not_inputs() -> None:
    inputs = canonical({**small(), "owner": "p/s/r", "adoptExisting": False})
    assert inputs["owner"] == "p/s/r" and inputs["adoptExisting"] is False
    assert "uniqueIdentifier" not in inputs


def test_floats_and_order_do_not_count_as_changes() -> None:
    old = canonical(small(workflowDefinition=steps(3)))
    shuffled = small(workflowDefinition=list(reversed(copy.deepcopy(steps(3)))))
    for step in shuffled["workflowDefinition"]:
        step["stepIdentifier"] = float(step["stepIdentifier"])
    assert changed_fields(old, canonical(shuffled)) == []


def test_changed_fields_names_top_level_fields() -> None:
    old = canonical(small())
    new = canonical(small(name="Renamed", isActive=False))
    assert changed_fields(old, new) == ["name", "isActive"]
    assert replacement_fields(changed_fields(old, canonical(small(subType="AI_AGENT")))) == [
        "subType"
    ]


def test_field_changes_reads_like_a_path() -> None:
    new = small()
    new["workflowDefinition"][0]["input"]["text"] = "Changed"
    assert field_changes(canonical(small()), canonical(new)) == ["workflowDefinition[0].input.text"]


def test_unknown_values_pass_through_unvalidated() -> None:
    result = canonical_inputs(small(teamId=Unknown()))
    assert result.has_unknowns and result.problems == []
    result = canonical_inputs(small(executingAgent=UNKNOWN))
    assert result.has_unknowns


def test_problems_keep_the_raw_inputs() -> None:
    result = canonical_inputs(small(name=""))
    assert [p.path for p in result.problems] == ["name"]


def live_from(body: dict, **extra: object) -> Workflow:
    """What the emulator answers for a create with ``body``: trigger resolved, ids added."""
    doc = {
        **body,
        "uniqueIdentifier": "W1",
        "uid": "U1",
        "version": 1,
        "triggerEvent": {"uid": "EVT-ESC", "eventName": "ticket:escalated"},
        **extra,
    }
    return Workflow.model_validate(doc)


def test_created_then_read_back_diffs_as_unchanged() -> None:
    inputs = canonical(small(workflowDefinition=steps(5)))
    body = to_api_body(inputs, [k for k in inputs if k != "isActive"], "p/s/r", "EVT-ESC")
    assert body["metadata"] == {OWNER_METADATA_KEY: "p/s/r"}
    live = live_from(body, isActive=True, serverOnly="x")
    assert changed_fields(inputs, live_to_inputs(live, inputs)) == []


def test_read_back_keeps_the_users_name_for_the_event_and_hides_the_marker() -> None:
    inputs = canonical(small(triggerEvent="EVT-ESC"))
    live = live_from(to_api_body(inputs, ["name", "metadata"], "o", None), isActive=True)
    projected = live_to_inputs(live, inputs)
    assert projected["triggerEvent"] == "EVT-ESC"
    assert OWNER_METADATA_KEY not in projected.get("metadata", {})


def test_unmappable_annotations_and_approver_keep_the_last_applied_value() -> None:
    data = small()
    data["annotations"] = [
        {"entityType": "Ticket", "requiredFields": {"ticketId": "{{x}}"}, "pathToAnnotate": "t"}
    ]
    data["workflowDefinition"][0].update(requireApproval=True, approver={"type": "USER", "id": "u"})
    inputs = canonical(data)
    live = live_from({**inputs, "annotations": ["Ticket"]}, isActive=True)
    live.workflow_definition[0]["approver"] = "u"  # type: ignore[index]
    assert changed_fields(inputs, live_to_inputs(live, inputs)) == []


def test_drift_shows_in_the_projection() -> None:
    inputs = canonical(small())
    changed = copy.deepcopy(inputs)
    changed["workflowDefinition"][0]["input"]["text"] = "edited by hand"
    live = live_from(changed, isActive=False)
    assert changed_fields(inputs, live_to_inputs(live, inputs)) == [
        "workflowDefinition",
        "isActive",
    ]


def test_declared_inputs_are_canonical_when_known_and_as_written_otherwise() -> None:
    written = small(workflowDefinition=list(reversed(steps(3))), type="MANUAL")
    declared = declared_inputs(written)
    assert [s["stepIdentifier"] for s in declared["workflowDefinition"]] == [1, 2, 3]
    assert declared == canonical_inputs(written).inputs
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:  # a value from another resource, not known while the program runs: left as written
        pending = pulumi.Output.from_input("#from-another-resource")
        with_output = small(workflowDefinition=list(reversed(steps(3))))
        with_output["workflowDefinition"][0]["input"] = {"channel": pending}
        assert declared_inputs(with_output) == with_output
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    mistaken = small(isActive="yes")
    assert declared_inputs(mistaken) == mistaken  # check reports it, with its path
