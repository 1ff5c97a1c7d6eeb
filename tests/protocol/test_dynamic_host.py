"""The provider behind the SDK's real dynamic-provider host, over gRPC, as the engine drives it."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from pulumi_thena.diff.encoding import decoded, encoded
from pulumi_thena.resources import WorkflowProvider
from tests.fixtures import small, steps
from tests.protocol.host import DynamicHost
from tests.support import CREATE, PATCH, TOGGLE, Calls

OWNER = "thena-workflows/local/escalation"


def props(**overrides: Any) -> dict[str, Any]:
    return {**small(**overrides), "owner": OWNER, "adoptExisting": False, "isActive": True}


def test_serialized_provider_is_tiny_by_reference_and_holds_no_key() -> None:
    serialized = serialize_provider(WorkflowProvider())
    assert len(serialized) < 200
    assert b"pulumi_thena.resources.workflow" in base64.b64decode(serialized)
    assert WorkflowProvider.serialize_as_secret_always is False


def test_check_accepts_floats_and_returns_canonical_inputs(host: DynamicHost) -> None:
    news = props(workflowDefinition=list(reversed(steps(3))))
    state, failures = host.check(news)
    assert failures == []
    assert isinstance(state["definition"], str)  # one JSON text, for the engine's sake
    inputs = decoded(state)
    assert [s["stepIdentifier"] for s in inputs["workflowDefinition"]] == [1, 2, 3]


def test_check_failure_names_a_top_level_property_and_the_whole_path(host: DynamicHost) -> None:
    """The engine finds a failure's property among the inputs by top-level key only."""
    news = props()
    news["workflowDefinition"][0]["onFailure"] = "EXPLODE"
    _, failures = host.check(news)
    [(prop, reason)] = failures
    assert prop == "workflowDefinition"
    assert "workflowDefinition[0].onFailure: Input should be 'ABORT'" in reason


def test_a_failure_in_the_definition_text_is_reported_on_definition(host: DynamicHost) -> None:
    """What a program declares: the definition as one text; the reason keeps the field path."""
    news = props()
    news["workflowDefinition"][0]["onFailure"] = "EXPLODE"
    _, failures = host.check(encoded(news))
    [(prop, reason)] = failures
    assert prop == "definition"
    assert "workflowDefinition[0].onFailure: Input should be 'ABORT'" in reason


def test_unknown_values_during_preview_make_no_call(host: DynamicHost, calls: Calls) -> None:
    news = props(teamId=rpc.UNKNOWN)
    _, failures = host.check(news)
    assert failures == []
    answer = host.diff("W", {**props(), "uniqueIdentifier": "W"}, news)
    assert answer.changes == "DIFF_SOME"
    # As a program declares it: the whole definition text is not known until `up`.
    unknown = {"definition": rpc.UNKNOWN, "isActive": True, "owner": news["owner"]}
    _, failures = host.check(unknown)
    assert failures == []
    answer = host.diff("W", {**encoded(props()), "uniqueIdentifier": "W"}, unknown)
    assert answer.changes == "DIFF_SOME"
    assert calls.since() == {}


def test_whole_lifecycle_with_the_fewest_calls(
    host: DynamicHost, thena_emulator: Any, calls: Calls
) -> None:
    inputs, _ = host.check(props(workflowDefinition=steps(5)))
    calls.reset()
    id_, outs = host.create(inputs)
    assert calls.writes() == {CREATE: 1}

    unchanged, _ = host.check(props(workflowDefinition=steps(5)), olds=inputs)
    assert host.diff(id_, outs, unchanged).changes == "DIFF_NONE"

    paused, _ = host.check({**props(workflowDefinition=steps(5)), "isActive": False}, olds=inputs)
    assert host.diff(id_, outs, paused).changes == "DIFF_SOME"
    calls.reset()
    outs = host.update(id_, outs, paused)
    assert calls.writes() == {TOGGLE: 1} and outs["version"] == 1

    edited = props(name="Edited", workflowDefinition=steps(5))
    edited_inputs, _ = host.check({**edited, "isActive": False}, olds=paused)
    calls.reset()
    outs = host.update(id_, outs, edited_inputs)
    assert calls.writes() == {PATCH: 1} and outs["version"] == 2

    read_id, read_outs, _ = host.read(id_, outs)
    assert read_id == id_
    assert host.diff(id_, read_outs, edited_inputs).changes == "DIFF_NONE"

    host.delete(id_, outs)
    assert thena_emulator.control.workflows() == []


def test_subtype_change_asks_for_delete_before_replace(host: DynamicHost) -> None:
    inputs, _ = host.check(props())
    id_, outs = host.create(inputs)
    changed, _ = host.check(props(subType="AI_AGENT"), olds=inputs)
    answer = host.diff(id_, outs, changed)
    assert answer.replaces == ["subType"] and answer.delete_before_replace is True


def test_api_error_reaches_the_engine_as_one_clear_line(
    host: DynamicHost, thena_emulator: Any
) -> None:
    import grpc

    inputs, _ = host.check(props())
    thena_emulator.control.inject_fault("POST", "/api/v1/workflows", "status", status=403)
    with pytest.raises(grpc.RpcError) as caught:
        host.create(inputs)
    last_line = caught.value.details().strip().splitlines()[-1]  # type: ignore[attr-defined]
    assert "creating workflow 'Escalation comment'" in last_line
    assert "403" in last_line and "pulumi up" in last_line
    assert thena_emulator.api_key not in caught.value.details()  # type: ignore[attr-defined]
