"""Every answer shape of the emulator, through the provider (docs/api.md §8, U-22, U-23).

For generated definitions: created, then read back, the workflow shows no drift in either shape;
one out-of-band edit of a field the answer shows, or the removal of one that was set, shows as
exactly that field.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_thena.client import ThenaClient
from pulumi_thena.diff import changed_fields, field_changes
from pulumi_thena.diff.encoding import decoded
from pulumi_thena.resources import WorkflowProvider, use_session
from tests.strategies import api_definitions
from tests.support import fresh_session

SHAPES = ["request", "documented"]
_owners = itertools.count()
SETTINGS = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _created(emulator: Any, definition: dict[str, Any]) -> tuple[WorkflowProvider, str, Any]:
    fresh_session(emulator)
    provider = WorkflowProvider()
    props = {**definition, "owner": f"p/s/wf-{next(_owners)}", "adoptExisting": False}
    checked = provider.check({}, props)
    assert checked.failures == [], checked.failures
    created = provider.create(checked.inputs)
    return provider, created.id, created.outs


@pytest.mark.parametrize(
    "thena_emulator", [{"response_shape": s} for s in SHAPES], ids=SHAPES, indirect=True
)
@SETTINGS
@given(definition=api_definitions())
def test_created_then_read_is_no_drift(thena_emulator: Any, definition: dict[str, Any]) -> None:
    provider, uid, outs = _created(thena_emulator, definition)
    fresh_session(thena_emulator)  # refresh runs in a process of its own
    read = provider.read(uid, outs)
    assert read.inputs is None, field_changes(outs, read.inputs)
    assert changed_fields(outs, read.outs) == []
    use_session(None)


EDITS = ["name", "input", "maximumAttempts", "removed retryPolicy", "removed step approval"]


def _edit(steps: list[dict[str, Any]], kind: str) -> tuple[str, str] | None:
    """Apply one out-of-band edit to a copy of the steps; the changed field and path."""
    for index, step in enumerate(steps):
        if kind == "input":
            step["input"] = {**step.get("input", {}), "editedByHand": True}
            return "workflowDefinition", f"workflowDefinition[{index}].input.editedByHand"
        if kind == "maximumAttempts" and step.get("retryPolicy"):
            step["retryPolicy"]["maximumAttempts"] += 1
            return "workflowDefinition", f"workflowDefinition[{index}].retryPolicy.maximumAttempts"
        if kind == "removed retryPolicy" and step.get("retryPolicy"):
            del step["retryPolicy"]
            return "workflowDefinition", f"workflowDefinition[{index}].retryPolicy"
        if kind == "removed step approval" and step.get("approver"):
            for key in ("approver", "approverType", "approvalTimeout"):
                step.pop(key, None)
            step["requireApproval"] = False
            return "workflowDefinition", f"workflowDefinition[{index}].approver"
    return None


@pytest.mark.parametrize(
    "thena_emulator", [{"response_shape": s} for s in SHAPES], ids=SHAPES, indirect=True
)
@SETTINGS
@given(definition=api_definitions(), kind=st.sampled_from(EDITS))
def test_one_edit_by_hand_shows_as_exactly_that_field(
    thena_emulator: Any, definition: dict[str, Any], kind: str
) -> None:
    provider, uid, state = _created(thena_emulator, definition)
    outs = decoded(state)  # steps, filters and metadata are JSON text in state
    client = ThenaClient(thena_emulator.base_url, thena_emulator.api_key, rate_limit_rps=None)
    if kind == "name":
        body, field, path = {"name": outs["name"] + " (by hand)"}, "name", "name"
    else:
        steps = copy.deepcopy(outs["workflowDefinition"])
        edited = _edit(steps, kind)
        if edited is None:
            return  # this definition has nothing of that kind to edit
        (field, path), body = edited, {"workflowDefinition": steps}
    client.update_workflow(uid, body)
    fresh_session(thena_emulator)
    read = provider.read(uid, state)
    assert read.inputs is not None
    assert changed_fields(outs, decoded(read.inputs)) == [field]
    # In the documented shape a removed retryPolicy comes back as the server's default one.
    paths = field_changes(outs, decoded(read.inputs))
    assert any(p == path or p.startswith(f"{path}.") for p in paths), paths
    use_session(None)
