"""Request-body rules of create (E2) and update (E11), as NestJS-style messages naming each field.

Steps and annotations are checked with the project's pydantic models (by their wire names only),
then the step graph with ``step_graph_problems``; pinned versions (U-16) and the registries
(U-7) last. Every message starts with the dotted field path, e.g.
``workflowDefinition.0.activity.uniqueIdentifier should not be empty``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.models import ActivityRef, Annotation, WorkflowStep, step_graph_problems

REQUIRED_ON_CREATE = ("name", "triggerEvent", "workflowDefinition", "executingAgent")
CREATE_FIELDS = frozenset(
    (*REQUIRED_ON_CREATE, "type", "subType", "filters", "annotations", "teamId", "metadata")
)
UPDATE_FIELDS = CREATE_FIELDS - {"type", "subType"}
IGNORED_FIELDS = frozenset({"isActive"})
"""Accepted but ignored: activation changes only through toggle (U-9)."""
NULLABLE_ON_UPDATE = frozenset({"teamId", "metadata"})
"""Optional fields a PATCH may clear by sending null."""

_TYPE_MESSAGES = {
    "missing": "should not be empty",
    "string_too_short": "should not be empty",
    "too_short": "should not be empty",
    "string_type": "must be a string",
    "int_type": "must be a number",
    "int_parsing": "must be a number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "bool_type": "must be a boolean value",
    "bool_parsing": "must be a boolean value",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be an array",
}


class RegistryView:
    """What validation needs of the registry: events by uid or name, and activity identifiers."""

    def __init__(self, events: Sequence[dict[str, Any]], activities: Sequence[dict[str, Any]]):
        self._events = events
        self.activity_ids = frozenset(str(a.get("uniqueIdentifier")) for a in activities)

    def resolve_event(self, uid_or_name: str) -> dict[str, Any] | None:
        """The registry event whose uid (preferred) or eventName is given; SPEC U-7."""
        for key in ("uid", "eventName"):
            for event in self._events:
                if event.get(key) == uid_or_name:
                    return event
        return None


def validate_create(body: Any, registry: RegistryView) -> dict[str, Any]:
    """Check a create body; return the resolved trigger event or raise BadRequest."""
    fields = _require_object(body)
    messages = [f"{name} should not be empty" for name in REQUIRED_ON_CREATE if name not in fields]
    messages += _unknown_field_messages(fields, CREATE_FIELDS)
    messages += _field_messages(fields, registry, nullable=frozenset())
    _raise_if(messages)
    event = registry.resolve_event(fields["triggerEvent"])
    assert event is not None  # checked by _field_messages
    return event


def validate_update(body: Any, registry: RegistryView) -> dict[str, Any] | None:
    """Check a PATCH body; return the resolved trigger event when one was sent."""
    fields = _require_object(body)
    if not fields:
        raise BadRequest("the request body must contain at least one field to update")
    messages = _unknown_field_messages(fields, UPDATE_FIELDS)
    messages += _field_messages(fields, registry, nullable=NULLABLE_ON_UPDATE)
    _raise_if(messages)
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


def _unknown_field_messages(fields: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    return [
        f"property {name} should not exist"
        for name in fields
        if name not in allowed and name not in IGNORED_FIELDS
    ]


def _field_messages(
    fields: Mapping[str, Any], registry: RegistryView, nullable: frozenset[str]
) -> list[str]:
    messages: list[str] = []
    for name, check in _CHECKS.items():
        if name not in fields or (fields[name] is None and name in nullable):
            continue
        messages += check(name, fields[name], registry)
    return messages


def _non_empty_string(name: str, value: Any, _: RegistryView) -> list[str]:
    if not isinstance(value, str):
        return [f"{name} must be a string"]
    return [] if value.strip() else [f"{name} should not be empty"]


def _string(name: str, value: Any, _: RegistryView) -> list[str]:
    return [] if isinstance(value, str) else [f"{name} must be a string"]


def _object(name: str, value: Any, _: RegistryView) -> list[str]:
    return [] if isinstance(value, dict) else [f"{name} must be an object"]


def _trigger_event(name: str, value: Any, registry: RegistryView) -> list[str]:
    problems = _non_empty_string(name, value, registry)
    if problems or registry.resolve_event(value) is not None:
        return problems
    return [f"{name} '{value}' is not a registered event uid or eventName"]


def _annotations(name: str, value: Any, _: RegistryView) -> list[str]:
    if not isinstance(value, list):
        return [f"{name} must be an array"]
    return [m for i, item in enumerate(value) for m in _model_messages(Annotation, item, (name, i))]


def _workflow_definition(name: str, value: Any, registry: RegistryView) -> list[str]:
    if not isinstance(value, list):
        return [f"{name} must be an array"]
    if not value:
        return [f"{name} should not be empty"]
    messages = [m for i, s in enumerate(value) for m in _model_messages(WorkflowStep, s, (name, i))]
    if messages:
        return messages
    steps = [WorkflowStep.model_validate(step, by_alias=True, by_name=False) for step in value]
    messages = [f"{_dotted(p.path)}: {p.message}" for p in step_graph_problems(steps)]
    return messages + list(_activity_messages(steps, registry))


_CHECKS: dict[str, Callable[[str, Any, RegistryView], list[str]]] = {
    "name": _non_empty_string,
    "type": _non_empty_string,
    "subType": _non_empty_string,
    "triggerEvent": _trigger_event,
    "filters": _object,
    "annotations": _annotations,
    "workflowDefinition": _workflow_definition,
    "executingAgent": _non_empty_string,
    "teamId": _string,
    "metadata": _object,
}


def _activity_messages(steps: list[WorkflowStep], registry: RegistryView) -> Iterator[str]:
    for index, step in enumerate(steps):
        refs = [("activity", step.activity)]
        if step.compensation_activity is not None:
            refs.append(("compensationActivity.activity", step.compensation_activity.activity))
        for where, ref in refs:
            yield from _activity_ref_messages(ref, f"workflowDefinition.{index}.{where}", registry)


def _activity_ref_messages(ref: ActivityRef, path: str, registry: RegistryView) -> Iterator[str]:
    if not ref.auto_upgrade_to_latest_version and ref.version is None:
        yield f"{path}.version should not be empty when autoUpgradeToLatestVersion is false"
    if ref.unique_identifier not in registry.activity_ids:
        yield (
            f"{path}.uniqueIdentifier '{ref.unique_identifier}' is not a registered activity; "
            "see GET /api/v1/workflows/registry/activities"
        )


def _model_messages(model: type[BaseModel], value: Any, prefix: tuple[str | int, ...]) -> list[str]:
    try:
        model.model_validate(value, by_alias=True, by_name=False)
    except ValidationError as error:
        return [_message(item, prefix) for item in error.errors(include_url=False)]
    return []


def _message(item: Any, prefix: tuple[str | int, ...]) -> str:
    path = ".".join(str(part) for part in (*prefix, *_clean_loc(item["loc"])))
    kind = item["type"]
    if kind == "extra_forbidden":
        return f"property {path} should not exist"
    if kind in _TYPE_MESSAGES:
        return f"{path} {_TYPE_MESSAGES[kind]}"
    if kind == "literal_error":
        return f"{path} must be one of the following values: {item['ctx']['expected']}"
    return f"{path} {str(item['msg']).removeprefix('Value error, ')}"


def _clean_loc(loc: Sequence[int | str]) -> Iterator[int | str]:
    # Union members add their type name to the location ("str", "function-after[...]").
    for part in loc:
        if not (isinstance(part, str) and (part in {"str", "int", "float", "bool"} or "[" in part)):
            yield part


def _dotted(path: str) -> str:
    """``workflowDefinition[1].dependencies[0]`` -> ``workflowDefinition.1.dependencies.0``."""
    return re.sub(r"\[(\d+)\]", r".\1", path)
