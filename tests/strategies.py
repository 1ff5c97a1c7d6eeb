"""Hypothesis strategies for workflow definitions, and the SDK's RPC round trip."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import strategies as st
from pulumi.runtime import rpc

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


APPROVALS = st.one_of(
    st.builds(
        lambda kind, uid, timeout: {"approver": {"type": kind, "uid": uid, "timeout": timeout}},
        st.sampled_from(["USER", "TEAM"]),
        st.text("abcdef0123", min_size=1, max_size=8),
        st.integers(1, 86_400),
    ),
    st.builds(
        lambda kind, uid, timeout: {
            "approver": {"type": kind, "id": uid},
            "approvalTimeout": timeout,
        },
        st.sampled_from(["USER", "TEAM"]),
        st.text("abcdef0123", min_size=1, max_size=8),
        st.integers(1, 86_400),
    ),
    st.builds(
        lambda kind, uid: {"approver": uid, "approverType": kind},
        st.sampled_from(["USER", "TEAM"]),
        st.text("abcdef0123", min_size=1, max_size=8),
    ),
    st.just({}),  # approval by anyone: requireApproval without an approver
)


@st.composite
def api_definitions(draw: st.DrawFn) -> dict[str, Any]:
    """``definitions`` with what answers reshape or fill: approvals in every shape (U-23),
    compensation, execution timeouts, pinned activity versions, teams and filters."""
    definition = draw(definitions())
    for step in definition["workflowDefinition"]:
        if draw(st.booleans()):
            step.update(requireApproval=True, **draw(APPROVALS))
        if draw(st.booleans()):
            step["compensationActivity"] = {
                "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
                "input": draw(json_objects),
            }
        if draw(st.booleans()):
            step["executionTimeout"] = draw(st.integers(1, 3600))
        if draw(st.booleans()):
            step["activity"] = {
                **step["activity"],
                "autoUpgradeToLatestVersion": False,
                "version": 1,
            }
    if draw(st.booleans()):
        definition["teamId"] = draw(st.sampled_from(["team-a", "team-b"]))
    if draw(st.booleans()):
        definition["filters"] = {"priority": {"~in": ["high", "urgent"]}}
    return definition
