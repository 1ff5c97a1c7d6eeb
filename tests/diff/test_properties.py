"""Property tests: values pass through the SDK's rpc serialization, as they do under the engine."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.runtime import rpc

from pulumi_thena.diff import canonical_inputs, changed_fields, live_to_inputs, to_api_body
from pulumi_thena.models import Workflow
from pulumi_thena.resources import WorkflowProvider

ACTIVITIES = ["tickets:add-comment-platform", "tickets:update-ticket-platform", "http:webhook"]

scalars = st.one_of(
    st.integers(-1000, 1000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=8),
    st.booleans(),
)
json_objects = st.dictionaries(
    st.text(min_size=1, max_size=6),
    st.one_of(scalars, st.lists(scalars, max_size=3)),
    max_size=4,
)


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(st.integers(1, 60), min_size=1, max_size=8, unique=True))
    steps = []
    for position, sid in enumerate(ids):
        earlier = ids[:position]
        step: dict[str, Any] = {
            "stepIdentifier": sid,
            "activity": {"uniqueIdentifier": draw(st.sampled_from(ACTIVITIES))},
            "input": draw(json_objects),
            "dependencies": [str(d) for d in draw(st.lists(st.sampled_from(earlier), unique=True))]
            if earlier
            else [],
        }
        if draw(st.booleans()):
            step["retryPolicy"] = {
                "maximumAttempts": draw(st.integers(1, 9)),
                "initialInterval": draw(st.integers(0, 30)),
                "backoffCoefficient": draw(st.sampled_from([1, 1.5, 2])),
            }
        if draw(st.booleans()):
            step["onFailure"] = draw(st.sampled_from(["ABORT", "CONTINUE", "COMPENSATE"]))
        steps.append(step)
    return {
        "name": draw(st.text(min_size=1, max_size=20)),
        "triggerEvent": "ticket:created",
        "executingAgent": "bot",
        "workflowDefinition": draw(st.permutations(steps)),
        "metadata": draw(json_objects),
        "isActive": draw(st.booleans()),
    }


def through_rpc(props: dict[str, Any]) -> dict[str, Any]:
    struct = asyncio.run(rpc.serialize_properties(props, {}))
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


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
