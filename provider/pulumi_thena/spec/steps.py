"""How a wire workflow and its steps read for a run: trigger, retries, onFailure, waits, undo.

Each function takes the API's camelCase dicts (docs/api.md 4.3-4.6) in any shape the SPEC
allows: ``triggerEvent`` as a name or uid string or as the answer's object; the three approver
shapes of U-23; ``compensationActivity: {}`` meaning none (U-22).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

ON_FAILURE: Final = ("ABORT", "CONTINUE", "COMPENSATE")
DEFAULT_ON_FAILURE: Final = "ABORT"
EVENT_IDENTITY: Final = ("name", "eventName", "uid")
"""The keys of an event (as a caller passes it) that name which event it is."""


def trigger_names(trigger: Any) -> frozenset[str]:
    """The names a ``triggerEvent`` answers to: the string, or the object's name and uid."""
    if isinstance(trigger, str):
        return frozenset({trigger})
    if isinstance(trigger, Mapping):
        return frozenset(str(trigger[key]) for key in ("eventName", "uid") if trigger.get(key))
    return frozenset()


def event_names(event: Mapping[str, Any]) -> frozenset[str]:
    """The names an event carries (``name``, ``eventName``, ``uid``)."""
    return frozenset(str(event[key]) for key in EVENT_IDENTITY if event.get(key))


def is_active(workflow: Mapping[str, Any]) -> bool:
    """``isActive`` left out means active: new workflows start active (SPEC U-9)."""
    return workflow.get("isActive", True) is not False


def on_failure(step: Mapping[str, Any]) -> str:
    """The step's ``onFailure``; ABORT when left out or unknown (SPEC 4.3)."""
    value = step.get("onFailure")
    return value if value in ON_FAILURE else DEFAULT_ON_FAILURE


def max_attempts(step: Mapping[str, Any]) -> int:
    """``retryPolicy.maximumAttempts`` (attempts including the first); 1 without a policy."""
    policy = step.get("retryPolicy")
    attempts = policy.get("maximumAttempts") if isinstance(policy, Mapping) else None
    if isinstance(attempts, bool) or not isinstance(attempts, int | float):
        return 1
    return max(1, int(attempts))


def approval(step: Mapping[str, Any]) -> dict[str, Any] | None:
    """Who approves the step, as ``{type, uid, timeout}``; None when it needs no approval.

    ``requireApproval: true`` asks for one; left out, a non-empty ``approver`` does (an answer
    omits ``requireApproval``, SPEC U-22); ``false`` never does.
    """
    required = step.get("requireApproval")
    approver = step.get("approver")
    if required is False or (required is not True and not approver):
        return None
    if isinstance(approver, Mapping):
        uid = approver.get("uid", approver.get("id"))
        kind = approver.get("type", step.get("approverType"))
        timeout = approver.get("timeout", step.get("approvalTimeout"))
    else:
        uid = approver if isinstance(approver, str) else None
        kind, timeout = step.get("approverType"), step.get("approvalTimeout")
    return {"type": kind, "uid": uid, "timeout": timeout}


def is_sleep(step: Mapping[str, Any]) -> bool:
    return step.get("isSleepActivity") is True


def sleep_duration(step: Mapping[str, Any]) -> float | None:
    """The sleep's ``input.duration`` (seconds) when it is a number; the SPEC names no field."""
    value = (step.get("input") or {}).get("duration")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def compensation(step: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The step's ``compensationActivity``; None when absent or ``{}`` (SPEC U-22)."""
    undo = step.get("compensationActivity")
    if isinstance(undo, Mapping) and isinstance(undo.get("activity"), Mapping):
        return undo
    return None


def activity_name(holder: Mapping[str, Any]) -> str:
    """The ``activity.uniqueIdentifier`` of a step or a compensation activity."""
    activity = holder.get("activity")
    return str(activity.get("uniqueIdentifier", "")) if isinstance(activity, Mapping) else ""


def annotation_items(workflow: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The workflow's annotation objects; the old string form carries no path and is passed over."""
    items = workflow.get("annotations") or []
    return [item for item in items if isinstance(item, Mapping) and item.get("pathToAnnotate")]
