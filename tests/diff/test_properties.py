"""Property tests: values pass through the SDK's rpc serialization, as they do under the engine."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_thena.diff import canonical_inputs, changed_fields, live_to_inputs, to_api_body
from pulumi_thena.models import Workflow
from pulumi_thena.resources import WorkflowProvider
from tests.strategies import definitions, scalars, through_rpc


@given(definitions())
@settings(max_examples=150, deadline=None)
def test_canonicalization_is_idempotent_across_rpc(definition: dict[str, Any]) -> None:
    once = canonical_inputs(through_rpc(definition))
    assert once.problems == []
    twice = canonical_inputs(through_rpc(once.inputs))
    assert twice.inputs == once.inputs


@given(definitions())
@settings(max_examples=150, deadline=None)
def test_created_then_read_back_diffs_as_unchanged(definition: dict[str, Any]) -> None:
    inputs = canonical_inputs(through_rpc(definition)).inputs
    body = to_api_body(inputs, [k for k in inputs if k != "isActive"], "p/s/r", "EVT")
    # The API answers with what was stored, the trigger resolved and its own fields added.
    doc = {
        **through_rpc(body),
        "uniqueIdentifier": "W",
        "version": 1.0,
        "isActive": inputs["isActive"],
        "triggerEvent": {"uid": "EVT", "eventName": "ticket:created"},
    }
    projected = live_to_inputs(Workflow.model_validate(doc), through_rpc(inputs))
    assert changed_fields(through_rpc(inputs), through_rpc(projected)) == []


junk = st.recursive(
    scalars | st.none(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "type",
                "triggerEvent",
                "filters",
                "workflowDefinition",
                "executingAgent",
                "metadata",
                "isActive",
                "annotations",
                "teamId",
                "unknownThing",
            ]
        ),
        junk,
    )
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_input_never_crashes_check(news: dict[str, Any]) -> None:
    result = WorkflowProvider().check({}, {**through_rpc(news), "owner": "p/s/r"})
    assert isinstance(result.failures, list)
    if not result.failures:  # only a valid definition passes, and it is canonical
        assert canonical_inputs(result.inputs).inputs == result.inputs
