"""Request-body rules of create (E2) and update (E11) on wire dicts, as docs/api.md states them.

The rules, and nothing more (docs/api.md assumes no other limits, U-19): the fields of SPEC
4.1-4.6 with their JSON types, the required fields (U-10), no unknown fields, the approver
shapes of U-23, the step graph (5.5, ``spec.graph``), pinned versions (U-16) and the registries
(U-7). Messages are NestJS-style, each starting with the dotted field path, e.g.
``workflowDefinition.0.activity.uniqueIdentifier should not be empty``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.emulator.registry import RegistryView
from pulumi_thena.spec.graph import step_graph_issues

Check = Callable[[str, Any], list[str]]
"""A rule for one value: its dotted path and the value in, the messages out (none when valid)."""

REQUIRED_ON_CREATE = ("name", "triggerEvent", "workflowDefinition", "executingAgent")
IGNORED_FIELDS = frozenset({"isActive"})
"""Accepted but ignored: activation changes only through toggle (U-9)."""
NULLABLE_ON_CREATE = frozenset({"teamId"})
NULLABLE_ON_UPDATE = frozenset({"teamId", "metadata"})
"""Optional fields a body may send as null: no team on create; a PATCH clears them."""
ON_FAILURE = ("ABORT", "CONTINUE", "COMPENSATE")
APPROVER_TYPES = ("USER", "TEAM")


# -- rules for one value -------------------------------------------------------------------


def _join(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


def _text(path: str, value: Any) -> list[str]:
    if not isinstance(value, str):
        return [f"{path} must be a string"]
    return [] if value else [f"{path} should not be empty"]


def _string(path: str, value: Any) -> list[str]:
    return [] if isinstance(value, str) else [f"{path} must be a string"]


def _boolean(path: str, value: Any) -> list[str]:
    return [] if isinstance(value, bool) else [f"{path} must be a boolean value"]


def _is_number(value: Any) -> bool:
    # bool is an int in Python but not a number in JSON; NaN and Infinity are not JSON numbers.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(path: str, value: Any) -> list[str]:
    return [] if _is_number(value) else [f"{path} must be a number"]


def _whole(path: str, value: Any) -> list[str]:
    """A whole number; ``2.0`` counts, since JSON (and JavaScript) cannot tell it from ``2``."""
    if not _is_number(value):
        return [f"{path} must be a number"]
    return [] if float(value).is_integer() else [f"{path} must be a whole number"]


def _object(path: str, value: Any) -> list[str]:
    return [] if isinstance(value, dict) else [f"{path} must be an object"]


def _step_ref(path: str, value: Any) -> list[str]:
    """A dependency: a step identifier as a string (SPEC 4.3), or as the number itself."""
    if isinstance(value, str) or (_is_number(value) and float(value).is_integer()):
        return []
    return [f"{path} must be a string"]


def _one_of(*allowed: str) -> Check:
    def check(path: str, value: Any) -> list[str]:
        if value in allowed and isinstance(value, str):
            return []
        return [f"{path} must be one of the following values: {', '.join(allowed)}"]

    return check


def _nullable(check: Check) -> Check:
    return lambda path, value: [] if value is None else check(path, value)


def _array_of(item: Check) -> Check:
    def check(path: str, value: Any) -> list[str]:
        if not isinstance(value, list):
            return [f"{path} must be an array"]
        return [m for index, each in enumerate(value) for m in item(_join(path, index), each)]

    return check


def _fields(rules: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    """An object with these fields (``required`` must be there), and no others."""

    def check(path: str, value: Any) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path} must be an object"]
        messages = [
            f"{_join(path, name)} should not be empty" for name in required if name not in value
        ]
        for name, item in value.items():
            if name not in rules:
                messages.append(f"property {_join(path, name)} should not exist")
            else:
                messages += rules[name](_join(path, name), item)
        return messages

    return check


# -- the shapes of SPEC section 4 ----------------------------------------------------------

_activity_ref = _fields(
    {
        "uniqueIdentifier": _text,
        "autoUpgradeToLatestVersion": _boolean,
        "version": _nullable(_whole),
    },
    required=("uniqueIdentifier",),
)
_retry_policy = _fields(
    {
        "maximumAttempts": _nullable(_whole),
        "initialInterval": _nullable(_number),
        "backoffCoefficient": _nullable(_number),
    }
)
_compensation = _fields({"activity": _activity_ref, "input": _object}, required=("activity",))
_approver_object = _fields(
    {
        "type": _one_of(*APPROVER_TYPES),
        "uid": _text,
        "id": _text,
        "timeout": _nullable(_number),
    }
)


def _approver(path: str, value: Any) -> list[str]:
    """U-23: an approver as the older string, ``{type, id}`` or ``{type, uid, timeout}``.

    ``{}`` is no approver, as the documented answer shows one (U-22).
    """
    if isinstance(value, str):
        return _text(path, value)
    if not isinstance(value, dict):
        return [f"{path} must be a string or an object {{type, uid, timeout}}"]
    messages = _approver_object(path, value)
    if value and "uid" not in value and "id" not in value:
        messages.append(f"{path}.uid should not be empty")
    return messages


_step_shape = _fields(
    {
        "stepIdentifier": _whole,
        "activity": _activity_ref,
        "input": _object,
        "retryPolicy": _nullable(_retry_policy),
        "onFailure": _one_of(*ON_FAILURE),
        "executionTimeout": _nullable(_number),
        "isSleepActivity": _boolean,
        "dependencies": _array_of(_step_ref),
        "requireApproval": _boolean,
        "approver": _nullable(_approver),
        "approverType": _nullable(_one_of(*APPROVER_TYPES)),
        "approvalTimeout": _nullable(_number),
        "filters": _object,
        "compensationActivity": _nullable(_compensation),
    },
    required=("stepIdentifier", "activity"),
)


def _step(path: str, value: Any) -> list[str]:
    messages = _step_shape(path, value)
    if (
        not messages
        and value.get("approver") is not None
        and value.get("requireApproval") is not True
    ):
        # U-23: the request carries an approver together with requireApproval: true.
        messages.append(f"{path}.requireApproval must be true when an approver is given")
    return messages


_annotation = _fields(
    {
        "entityType": _text,
        "requiredFields": lambda path, value: (
            _object(path, value)
            or [m for key, item in value.items() for m in _string(_join(path, key), item)]
        ),
        "relations": _array_of(_string),
        "pathToAnnotate": _text,
    },
    required=("entityType", "requiredFields", "pathToAnnotate"),
)


# -- whole bodies --------------------------------------------------------------------------


def validate_create(body: Any, registry: RegistryView) -> dict[str, Any]:
    """Check a create body; return the resolved trigger event or raise BadRequest."""
    fields = _require_object(body)
    messages = [f"{name} should not be empty" for name in REQUIRED_ON_CREATE if name not in fields]
    messages += _body_messages(fields, registry, _CREATE_RULES, NULLABLE_ON_CREATE)
    _raise_if(messages)
    event = registry.resolve_event(fields["triggerEvent"])
    assert event is not None  # checked by _trigger_event
    return event


def validate_update(body: Any, registry: RegistryView) -> dict[str, Any] | None:
    """Check a PATCH body; return the resolved trigger event when one was sent."""
    fields = _require_object(body)
    if not fields:
        raise BadRequest("the request body must contain at least one field to update")
    _raise_if(_body_messages(fields, registry, _UPDATE_RULES, NULLABLE_ON_UPDATE))
    if "triggerEvent" in fields:
        return registry.resolve_event(fields["triggerEvent"])
    return None


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    return body


def _raise_if(messages: list[str]) -> None:
    if messages:
        raise BadRequest(list(dict.fromkeys(messages)))


BodyRule = Callable[[str, Any, RegistryView], list[str]]


def _body_messages(
    fields: Mapping[str, Any],
    registry: RegistryView,
    rules: Mapping[str, BodyRule],
    nullable: frozenset[str],
) -> list[str]:
    messages: list[str] = []
    for name, value in fields.items():
        if name in IGNORED_FIELDS or (value is None and name in nullable):
            continue
        if name not in rules:
            messages.append(f"property {name} should not exist")
        else:
            messages += rules[name](name, value, registry)
    return messages


def _trigger_event(path: str, value: Any, registry: RegistryView) -> list[str]:
    problems = _text(path, value)
    if problems or registry.resolve_event(value) is not None:
        return problems
    return [f"{path} '{value}' is not a registered event uid or eventName"]


def _workflow_definition(path: str, value: Any, registry: RegistryView) -> list[str]:
    if not isinstance(value, list):
        return [f"{path} must be an array"]
    if not value:
        return [f"{path} should not be empty"]
    messages = [m for index, step in enumerate(value) for m in _step(_join(path, index), step)]
    if messages:
        return messages
    messages = [f"{_dotted(where)}: {message}" for where, message in step_graph_issues(value)]
    return messages + list(_activity_messages(value, registry))


def _activity_messages(steps: list[dict[str, Any]], registry: RegistryView) -> Iterator[str]:
    for index, step in enumerate(steps):
        refs = [("activity", step["activity"])]
        if step.get("compensationActivity") is not None:
            refs.append(("compensationActivity.activity", step["compensationActivity"]["activity"]))
        for where, ref in refs:
            yield from _activity_ref_messages(ref, f"workflowDefinition.{index}.{where}", registry)


def _activity_ref_messages(ref: dict[str, Any], path: str, registry: RegistryView) -> Iterator[str]:
    if ref.get("autoUpgradeToLatestVersion") is False and ref.get("version") is None:
        yield f"{path}.version should not be empty when autoUpgradeToLatestVersion is false"
    if registry.activity_ids and ref["uniqueIdentifier"] not in registry.activity_ids:
        yield (
            f"{path}.uniqueIdentifier '{ref['uniqueIdentifier']}' is not a registered activity; "
            "see GET /api/v1/workflows/registry/activities"
        )


def _plain(check: Check) -> BodyRule:
    return lambda path, value, _: check(path, value)


_UPDATE_RULES: dict[str, BodyRule] = {
    "name": _plain(_text),
    "triggerEvent": _trigger_event,
    "filters": _plain(_object),
    "annotations": _plain(_array_of(_annotation)),
    "workflowDefinition": _workflow_definition,
    "executingAgent": _plain(_text),
    "teamId": _plain(_string),
    "metadata": _plain(_object),
}
_CREATE_RULES: dict[str, BodyRule] = {
    **_UPDATE_RULES,
    "type": _plain(_text),
    "subType": _plain(_text),
}
"""Create takes every update field plus type and subType, which cannot change later (U-8)."""


def _dotted(path: str) -> str:
    """``workflowDefinition[1].dependencies[0]`` -> ``workflowDefinition.1.dependencies.0``."""
    return re.sub(r"\[(\d+)\]", r".\1", path)
