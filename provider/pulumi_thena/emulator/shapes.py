"""How a stored workflow is shown in an answer: as it was sent, or as docs/api.md section 8 shows.

The store keeps each workflow as its request sent it, so either shape can be served from it at
any time. ``request`` echoes the stored fields. ``documented`` renders every step like the 201
sample of Thena's create page (SPEC section 8, U-22): ``activity`` with ``name`` and a version,
``approver`` as ``{type, uid, timeout}`` (``{}`` when none) and no ``requireApproval``,
``approverType`` or ``approvalTimeout``, ``compensationActivity: {}`` when none, and the server
defaults below wherever the request left a field out.
"""

from __future__ import annotations

import copy
from typing import Any

from pulumi_thena.emulator.registry import RegistryView
from pulumi_thena.emulator.settings import ResponseShape
from pulumi_thena.spec.graph import step_ref

DEFAULT_ON_FAILURE = "ABORT"
DEFAULT_EXECUTION_TIMEOUT = 300
"""Seconds; what a documented answer shows for a step sent without ``executionTimeout``."""
DEFAULT_RETRY_POLICY: dict[str, int] = {
    "maximumAttempts": 1,
    "initialInterval": 1,
    "backoffCoefficient": 2,
}
"""Filled field by field: a step sent with ``{maximumAttempts: 3}`` shows the other two."""
DEFAULT_APPROVER_TYPE = "USER"
DEFAULT_APPROVAL_TIMEOUT = 86400
"""Seconds (one day); what a documented answer shows for an approver sent without a timeout."""


def render_workflow(
    record: dict[str, Any], shape: ResponseShape, registry: RegistryView
) -> dict[str, Any]:
    """A copy of a stored workflow in the answer shape ``shape``."""
    answer = copy.deepcopy(record)
    if shape == "documented":
        answer["workflowDefinition"] = [
            documented_step(step, registry) for step in record.get("workflowDefinition", [])
        ]
    return answer


def documented_step(step: dict[str, Any], registry: RegistryView) -> dict[str, Any]:
    """One stored step as section 8 draws it, keys in the sample's order."""
    compensation = step.get("compensationActivity")
    return {
        "stepIdentifier": step["stepIdentifier"],
        "activity": documented_activity(step["activity"], registry),
        "input": _given(step, "input", {}),
        "retryPolicy": {**DEFAULT_RETRY_POLICY, **_present(step.get("retryPolicy") or {})},
        "onFailure": _given(step, "onFailure", DEFAULT_ON_FAILURE),
        "isSleepActivity": _given(step, "isSleepActivity", False),
        "executionTimeout": _given(step, "executionTimeout", DEFAULT_EXECUTION_TIMEOUT),
        "approver": documented_approver(step),
        "dependencies": [step_ref(dep) for dep in step.get("dependencies") or []],
        "filters": _given(step, "filters", {}),
        "compensationActivity": (
            {
                "activity": documented_activity(compensation["activity"], registry),
                "input": _given(compensation, "input", {}),
            }
            if compensation
            else {}
        ),
    }


def documented_activity(ref: dict[str, Any], registry: RegistryView) -> dict[str, Any]:
    """``{name, uniqueIdentifier, version, autoUpgradeToLatestVersion}`` with the registry's help.

    ``version`` is the pinned one, else the registry's latest; ``name`` the registry's (the
    identifier itself when the registry no longer lists the activity).
    """
    identifier = str(ref["uniqueIdentifier"])
    version = ref.get("version")
    if version is None:
        version = registry.latest_version(identifier)
    return {
        "name": registry.activity_name(identifier, version) or identifier,
        "uniqueIdentifier": identifier,
        "version": version,
        "autoUpgradeToLatestVersion": _given(ref, "autoUpgradeToLatestVersion", True),
    }


def documented_approver(step: dict[str, Any]) -> dict[str, Any]:
    """``{type, uid, timeout}`` from whichever approver shape was sent (U-23); ``{}`` for none."""
    approver = step.get("approver")
    if isinstance(approver, str) and approver:
        given: dict[str, Any] = {"uid": approver}
    elif isinstance(approver, dict) and (approver.get("uid") or approver.get("id")):
        given = {
            "type": approver.get("type"),
            "uid": approver.get("uid") or approver.get("id"),
            "timeout": approver.get("timeout"),
        }
    else:
        return {}
    return {
        "type": given.get("type") or step.get("approverType") or DEFAULT_APPROVER_TYPE,
        "uid": given["uid"],
        "timeout": _first(
            given.get("timeout"), step.get("approvalTimeout"), DEFAULT_APPROVAL_TIMEOUT
        ),
    }


def _given(fields: dict[str, Any], name: str, default: Any) -> Any:
    """The stored value, or the server's default when the request left it out (or sent null)."""
    value = fields.get(name)
    return copy.deepcopy(value) if value is not None else default


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def _first(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)
