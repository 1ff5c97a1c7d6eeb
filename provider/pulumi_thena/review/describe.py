"""What a reviewer reads about a workflow, in short plain lines: the trigger, each step, filters.

Input is the wire form of a definition (``WorkflowDefinition.to_wire()``) or a live workflow in
the same shape. Every field the API has had in more than one shape is read in all of them: the
approver (a string with ``approverType``, ``{type, id}`` with ``approvalTimeout``, or
``{type, uid, timeout}``), the trigger event (a string, or an object with ``eventName``) and an
empty ``compensationActivity`` (``{}`` means none). Values keep any ``${var.NAME}`` placeholder
text as written. The lines are plain text; each diagram format escapes them itself.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_thena.spec.graph import step_ref

SECRET = "[secret]"
SECRET_PLACEHOLDER = "${secret."
LINE_WIDTH = 46
"""Characters per line in a node; longer lines wrap (Mermaid is told to wrap at the same width)."""
VALUE_WIDTH = 40
"""Characters of one value (an operand, an approver id) before it is cut with an ellipsis."""
NAME_WIDTH = 120
MAX_FILTER_LINES = 6
ELLIPSIS = "\u2026"
TIMES = "\u00d7"

_COMPARISONS = {
    "~eq": "=",
    "~neq": "≠",
    "~gt": ">",
    "~gte": "≥",
    "~lt": "<",
    "~lte": "≤",
    "~in": "in",
    "~nin": "not in",
    "~regex": "matches",
    "~nregex": "does not match",
    "~starts": "starts with",
    "~nstarts": "does not start with",
    "~ends": "ends with",
    "~nends": "does not end with",
    "~contains": "contains",
    "~ncontains": "does not contain",
}
_QUOTED = frozenset({"~starts", "~nstarts", "~ends", "~nends", "~contains", "~ncontains"})


# -- secrets -------------------------------------------------------------------------------


def without_secrets(data: Any, secret_paths: Sequence[str] = (), path: str = "") -> Any:
    """A copy of ``data`` with each value at ``secret_paths``, and each ``${secret.*}``, hidden.

    Paths are written as the definition loader writes them (``workflowDefinition[0].input.x``,
    keys joined with dots even when a key holds a dot), relative to ``data``.
    """
    if path and path in secret_paths:
        return SECRET
    if isinstance(data, Mapping):
        return {
            key: without_secrets(value, secret_paths, f"{path}.{key}" if path else str(key))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [
            without_secrets(value, secret_paths, f"{path}[{index}]")
            for index, value in enumerate(data)
        ]
    if isinstance(data, str) and SECRET_PLACEHOLDER in data:
        return SECRET
    return data


# -- values --------------------------------------------------------------------------------


def shortened(text: str, width: int = VALUE_WIDTH) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when it was longer."""
    return text if len(text) <= width else text[: width - 1] + ELLIPSIS


def value_text(value: Any) -> str:
    """A value as a reader writes it: strings bare, lists in brackets, the rest as JSON; short."""
    if isinstance(value, str):
        return shortened(value)
    if isinstance(value, list):
        return shortened("[" + ", ".join(value_text(item) for item in value) + "]")
    return shortened(json.dumps(value, ensure_ascii=False, default=str))


def duration_text(seconds: Any) -> str:
    """Seconds for a reader: ``14400`` as ``4 h``, ``90`` as ``90 s``; placeholders as written."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        return value_text(seconds)
    if float(seconds).is_integer():
        whole = int(seconds)
        for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
            if whole >= size and whole % size == 0:
                return f"{whole // size} {unit}"
    return f"{value_text(seconds)} s"


def wrapped(text: str, width: int = LINE_WIDTH) -> list[str]:
    """``text`` as lines of at most ``width`` characters, continuation lines indented."""
    return textwrap.wrap(
        text, width, subsequent_indent="  ", break_long_words=True, break_on_hyphens=False
    ) or [""]


# -- filters -------------------------------------------------------------------------------


def filter_terms(filters: Any) -> list[str]:
    """The conditions of a filter object, one per term that must hold (``~and`` flattened)."""
    if not isinstance(filters, Mapping):
        return [value_text(filters)] if filters else []
    terms: list[str] = []
    for key, condition in filters.items():
        if key == "~and" and isinstance(condition, list):
            terms += [term for operand in condition for term in _operand_terms(operand)]
        elif key == "~or":
            terms.append(_any_of(condition))
        elif isinstance(condition, Mapping) and condition:
            terms += [_comparison(str(key), str(op), value) for op, value in condition.items()]
        else:
            terms.append(f"{key} {value_text(condition)}")
    return terms


def _operand_terms(operand: Any) -> list[str]:
    return filter_terms(operand) if isinstance(operand, Mapping) else [value_text(operand)]


def _any_of(operands: Any) -> str:
    if not isinstance(operands, list):
        return f"~or {value_text(operands)}"
    parts = []
    for operand in operands:
        inner = _operand_terms(operand)
        parts.append(inner[0] if len(inner) == 1 else "(" + " and ".join(inner) + ")")
    if len(parts) == 1:
        return parts[0]
    return "(" + " or ".join(parts) + ")" if parts else "(~or of nothing)"


def _comparison(field: str, operator: str, operand: Any) -> str:
    if operator == "~isnull":
        return f"{field} is {'' if operand is True else 'not '}null"
    if operator == "~isempty":
        return f"{field} is {'' if operand is True else 'not '}empty"
    word = _COMPARISONS.get(operator, operator)
    if isinstance(operand, str) and operator in ("~regex", "~nregex"):
        return f"{field} {word} /{shortened(operand)}/"
    if isinstance(operand, str) and operator in _QUOTED:
        return f'{field} {word} "{shortened(operand)}"'
    return f"{field} {word} {value_text(operand)}"


def filter_lines(filters: Any, lead: str = "if") -> list[str]:
    """A filter as wrapped lines (``if a = 1``, ``and b in [x, y]``), at most a few of them."""
    lines: list[str] = []
    for index, term in enumerate(filter_terms(filters)):
        lines += wrapped(f"{lead if index == 0 else 'and'} {term}")
    if len(lines) > MAX_FILTER_LINES:
        hidden = len(lines) - MAX_FILTER_LINES + 1
        lines = [*lines[: MAX_FILTER_LINES - 1], f"{ELLIPSIS} ({hidden} more lines)"]
    return lines


# -- the workflow --------------------------------------------------------------------------


def name_lines(name: Any) -> tuple[str, ...]:
    """A workflow's name, wrapped, cut only when it is very long (a name is what reviewers read)."""
    if not isinstance(name, str) or not name.strip():
        return ("(unnamed workflow)",)
    return tuple(wrapped(shortened(name, NAME_WIDTH)))


def trigger_event(wire: Mapping[str, Any]) -> str:
    """The trigger's event name (an input string, or the object a live workflow carries)."""
    event = wire.get("triggerEvent")
    if isinstance(event, Mapping):
        event = event.get("eventName") or event.get("uid")
    return value_text(event) if event not in (None, "") else "(no trigger event)"


def workflow_lines(wire: Mapping[str, Any]) -> list[str]:
    """The lines under the workflow's name: its trigger, what it loads, its filters."""
    lines = [f"on {trigger_event(wire)}"]
    for annotation in wire.get("annotations") or []:
        lines += wrapped(_annotation_text(annotation))
    lines += filter_lines(wire.get("filters") or {})
    if wire.get("isActive") is False:
        lines.append("paused (isActive: false)")
    return lines


def _annotation_text(annotation: Any) -> str:
    if not isinstance(annotation, Mapping):
        return f"loads {value_text(annotation)}"
    relations = annotation.get("relations") or []
    extra = f" with {', '.join(str(r) for r in relations)}" if relations else ""
    return f"loads {value_text(annotation.get('entityType', '?'))}{extra}"


# -- one step ------------------------------------------------------------------------------


def step_title(step: Mapping[str, Any]) -> str:
    """``2 · tickets:create-ticket-platform v2`` (the version only when it is pinned)."""
    activity = step.get("activity")
    name = activity.get("uniqueIdentifier") if isinstance(activity, Mapping) else activity
    title = f"{step_ref(step.get('stepIdentifier'))} · {value_text(name or '(no activity)')}"
    if isinstance(activity, Mapping) and activity.get("autoUpgradeToLatestVersion") is False:
        title += f" v{value_text(activity.get('version', '?'))}"
    return title


def step_lines(step: Mapping[str, Any]) -> list[str]:
    """The markers of a step: approval, sleep, retries, timeout, failure handling, undo."""
    lines: list[str] = []
    approval = approval_text(step)
    if approval is not None:
        lines.append(approval)
    if step.get("isSleepActivity") is True:
        lines.append(_sleep_text(step.get("input")))
    retry = _retry_text(step.get("retryPolicy"))
    if retry is not None:
        lines.append(retry)
    if step.get("executionTimeout") is not None:
        lines.append(f"timeout: {duration_text(step['executionTimeout'])}")
    on_failure = step.get("onFailure")
    if on_failure == "COMPENSATE":
        lines.append("on failure: compensate")
    elif on_failure not in (None, "ABORT"):
        lines.append(f"on failure: {value_text(on_failure).lower()}")
    undo = _compensation_text(step.get("compensationActivity"))
    if undo is not None:
        lines.append(undo)
    return [line for text in lines for line in wrapped(text)]


def approval_text(step: Mapping[str, Any]) -> str | None:
    """Who approves and how long they have, from any of the approver's three shapes."""
    approver = step.get("approver")
    if not step.get("requireApproval") and approver in (None, "", {}):
        return None
    kind = step.get("approverType")
    who: Any = approver
    timeout = step.get("approvalTimeout")
    if isinstance(approver, Mapping):
        kind = approver.get("type", kind)
        who = approver.get("uid", approver.get("id"))
        timeout = approver.get("timeout", timeout)
    parts = [value_text(p) for p in (kind, who) if p not in (None, "")]
    text = "approval: " + (" ".join(parts) if parts else "approver not set")
    if timeout is not None:
        text += f", timeout {duration_text(timeout)}"
    return text


def _sleep_text(step_input: Any) -> str:
    if isinstance(step_input, Mapping) and step_input:
        return "sleep: " + ", ".join(f"{k} {value_text(v)}" for k, v in step_input.items())
    return "sleep"


def _retry_text(policy: Any) -> str | None:
    if not isinstance(policy, Mapping) or not policy:
        return None
    parts = []
    if policy.get("maximumAttempts") is not None:
        parts.append(f"{value_text(policy['maximumAttempts'])} attempts")
    if policy.get("initialInterval") is not None:
        parts.append(f"first after {duration_text(policy['initialInterval'])}")
    if policy.get("backoffCoefficient") is not None:
        parts.append(f"backoff {TIMES}{value_text(policy['backoffCoefficient'])}")
    return "retry: " + ", ".join(parts)


def _compensation_text(compensation: Any) -> str | None:
    if not isinstance(compensation, Mapping) or not compensation:
        return None
    activity = compensation.get("activity")
    name = activity.get("uniqueIdentifier") if isinstance(activity, Mapping) else activity
    return f"undo: {value_text(name or '?')}"


def step_filter_lines(step: Mapping[str, Any]) -> list[str]:
    """The step's own condition, for the edges into it (empty when it always runs)."""
    return filter_lines(step.get("filters") or {})
