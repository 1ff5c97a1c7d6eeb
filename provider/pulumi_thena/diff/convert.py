"""The converters between canonical inputs and the API: ``to_api_body``, ``live_to_inputs``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from pulumi_thena.diff.canonical import plain, unwrapped
from pulumi_thena.diff.ownership import OWNER_METADATA_KEY, strip_owner
from pulumi_thena.models import (
    DEFINITION_FIELDS,
    Annotation,
    TriggerEvent,
    Workflow,
    WorkflowDefinition,
)
from pulumi_thena.models.problems import find_model


def to_api_body(
    inputs: Mapping[str, Any],
    fields: Iterable[str],
    owner: str,
    event_uid: str | None = None,
) -> dict[str, Any]:
    """The request body carrying ``fields`` of canonical ``inputs``, owner marker stamped in."""
    body: dict[str, Any] = {}
    for name in fields:
        if name == "isActive":
            continue
        if name == "metadata":
            body["metadata"] = {**inputs.get("metadata", {}), OWNER_METADATA_KEY: owner}
        elif name == "triggerEvent":
            body["triggerEvent"] = event_uid or inputs["triggerEvent"]
        else:
            body[name] = inputs.get(name)
    return body


def create_body(inputs: Mapping[str, Any], owner: str, event_uid: str | None) -> dict[str, Any]:
    """Everything the API stores, plus ``isActive`` (servers that ignore it start active)."""
    fields = [name for name in DEFINITION_FIELDS if name in inputs or name == "metadata"]
    body = to_api_body(inputs, fields, owner, event_uid)
    body["isActive"] = inputs.get("isActive", True)
    return body


def live_to_inputs(live: Workflow, last: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Project a live workflow back into canonical inputs, in the user's terms.

    The trigger event is named as the user named it when it resolves to the same event. Where
    the API answers in a shape that cannot be mapped back (annotations as strings, an approver
    of another shape), the last applied value is kept rather than reporting false drift.
    """
    last = last or {}
    raw: dict[str, Any] = {
        "name": live.name,
        "type": live.type,
        "subType": live.sub_type,
        "triggerEvent": _trigger_in_user_terms(live.trigger_event, last.get("triggerEvent")),
        "filters": live.filters,
        "annotations": _annotations(live.annotations, last.get("annotations")),
        "workflowDefinition": _steps(live.workflow_definition, last.get("workflowDefinition")),
        "executingAgent": live.executing_agent,
        "teamId": live.team_id,
        "metadata": strip_owner(live.metadata),
        "isActive": live.is_active,
    }
    raw = unwrapped({key: value for key, value in raw.items() if value is not None})
    try:
        definition = WorkflowDefinition.model_validate(prune(WorkflowDefinition, raw))
    except ValidationError:
        return {key: plain(value) for key, value in raw.items()}
    return definition.canonical().to_wire()


def _trigger_in_user_terms(trigger: TriggerEvent | str | None, last: Any) -> str | None:
    if isinstance(trigger, TriggerEvent):
        if isinstance(last, str) and last in (trigger.uid, trigger.event_name):
            return last
        return trigger.event_name or trigger.uid
    return trigger


def _annotations(live: list[Any] | None, last: Any) -> Any:
    if live is None:
        return last
    try:
        for item in live:
            Annotation.model_validate(item)
    except ValidationError:
        return last
    return live


def _steps(live: list[dict[str, Any]] | None, last: Any) -> Any:
    if live is None:
        return last
    last_by_id = {
        str(plain(step.get("stepIdentifier"))): step
        for step in (last or [])
        if isinstance(step, Mapping)
    }
    steps = []
    for step in live:
        previous = last_by_id.get(str(plain(step.get("stepIdentifier"))))
        if previous is not None and _other_shape(step.get("approver"), previous.get("approver")):
            step = {**step, "approver": previous.get("approver")}
        steps.append(step)
    return steps


def _other_shape(live: Any, last: Any) -> bool:
    return live is not None and last is not None and type(live) is not type(last)


def prune(model: type[BaseModel], data: Any) -> Any:
    """Drop keys the model does not know, recursively (servers may add fields of their own)."""
    if not isinstance(data, Mapping):
        return data
    known = _field_models(model)
    out = {}
    for key, value in data.items():
        if key not in known:
            continue
        inner = known[key]
        if inner is None:
            out[key] = value
        elif isinstance(value, list):
            out[key] = [prune(inner, item) for item in value]
        else:
            out[key] = prune(inner, value)
    return out


@functools.cache
def _field_models(model: type[BaseModel]) -> dict[str, type[BaseModel] | None]:
    """Each field's wire name and the model inside its annotation (None for plain values).

    Cached per model: refresh prunes every live step of every workflow, and walking the type
    annotations again each time was most of ``prune``'s cost.
    """
    return {
        field.alias or name: find_model(field.annotation)
        for name, field in model.model_fields.items()
    }
