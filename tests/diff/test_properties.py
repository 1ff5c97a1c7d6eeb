"""Property tests: values pass through the SDK's rpc serialization, as they do under the engine."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_thena.diff import (
    canonical_inputs,
    changed_fields,
    live_to_inputs,
    raw_changes,
    shown_fields,
    to_api_body,
)
from pulumi_thena.models import DEFINITION_FIELDS, Workflow
from pulumi_thena.resources import WorkflowProvider
from tests.strategies import api_definitions, definitions, scalars, through_rpc


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


FILTERS = st.sampled_from([{}, {"priority": {"~in": ["low"]}}, {"status": {"~eq": "open"}}])
TEAMS = st.sampled_from(["team-a", "team-b", "team-c"])


@given(
    api_definitions(),
    api_definitions(),
    st.fixed_dictionaries(
        {"filters": FILTERS, "teamId": TEAMS, "executingAgent": st.sampled_from(["bot", "bot-2"])}
    ),
    st.sets(st.sampled_from(sorted(DEFINITION_FIELDS)), min_size=1, max_size=3),
)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_quick_read_never_hides_drift_the_conversion_finds(
    stated: dict[str, Any], other: dict[str, Any], more: dict[str, Any], edited: set[str]
) -> None:
    """``read`` calls an answer equal to state as it is (``shown_fields``) no drift without
    converting it: wherever it does, the conversion finds no drift either."""
    state = through_rpc(canonical_inputs(through_rpc(stated)).inputs)
    other = {**other, **more}
    answer = {**state, **{k: other[k] for k in edited if k in other}}
    body = to_api_body(answer, [k for k in answer if k != "isActive"], "p/s/r", "EVT")
    doc = {
        **through_rpc(body),
        "uniqueIdentifier": "W",
        "version": 1.0,
        "isActive": answer["isActive"],
        "triggerEvent": {"uid": "EVT", "eventName": answer["triggerEvent"]},
    }
    live = Workflow.model_validate(doc)
    if not raw_changes(state, shown_fields(live, state), DEFINITION_FIELDS):
        assert changed_fields(state, live_to_inputs(live, state), new_is_canonical=True) == []
    else:
        assert any(state.get(k) != answer.get(k) for k in edited)


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
