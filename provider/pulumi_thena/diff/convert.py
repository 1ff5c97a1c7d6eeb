"""The converters between canonical inputs and the API: ``to_api_body``, ``live_to_inputs``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from pulumi_thena.diff.canonical import canonical_or_plain, plain, unwrapped
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.diff.ownership import OWNER_METADATA_KEY, strip_owner
from pulumi_thena.models import (
    DEFINITION_FIELDS,
    Annotation,
    TriggerEvent,
    Workflow,
    WorkflowDefinition,
)
from pulumi_thena.models.problems import find_model, problems_from_validation_error


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


NEVER_SHOWN_STEP_FIELDS: tuple[str, ...] = ("requireApproval", "approverType", "approvalTimeout")
"""Step fields an answer may leave out although they were sent (docs/api.md §8, U-22): the
documented answer shows none of them. Absent, they are taken from the wanted definition."""

FILLED_STEP_PATHS: tuple[tuple[str, ...], ...] = (
    ("activity", "version"),
    ("compensationActivity", "activity", "version"),
    ("approver", "timeout"),
    ("executionTimeout",),
    ("retryPolicy",),
    ("retryPolicy", "maximumAttempts"),
    ("retryPolicy", "initialInterval"),
    ("retryPolicy", "backoffCoefficient"),
)
"""Step values an answer may fill where the definition left them out (U-22): a value there,
where the wanted definition has none, is the server's default, not a difference."""

EMPTY_MEANS_NONE: tuple[str, ...] = ("approver", "compensationActivity", "retryPolicy")
"""Optional step objects an answer shows as ``{}`` when the step has none (U-22)."""

REQUIRED_FIELDS: tuple[str, ...] = tuple(
    field.alias or name
    for name, field in WorkflowDefinition.model_fields.items()
    if field.is_required()
)
"""Top-level fields every workflow has: an answer that leaves one out says nothing about it."""


def live_to_inputs(live: Workflow, last: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A live workflow as canonical inputs, in the user's terms and as far as the answer shows.

    ``last`` is what the live workflow is compared with: the last applied inputs (refresh) or
    the wanted definition (plan, a create that finds its workflow). What the answer never shows
    is taken from it, and a value the server filled where ``last`` has none is dropped, so that
    only a real difference remains (docs/design.md, "What an answer shows"). A workflow the
    models cannot read raises UnreadableWorkflowError, naming the field; it is never compared
    as it came.
    """
    wanted = _canonical_or_empty(last)
    raw = _as_answered(live, wanted.get("triggerEvent"))
    raw["annotations"] = _annotations(live.annotations, wanted.get("annotations"))
    raw["workflowDefinition"] = _steps(live.workflow_definition, wanted.get("workflowDefinition"))
    for name in REQUIRED_FIELDS:  # an answer without one shows nothing about it
        if raw.get(name) is None and name in wanted:
            raw[name] = wanted[name]
    raw = unwrapped({key: value for key, value in raw.items() if value is not None})
    try:
        definition = WorkflowDefinition.model_validate(prune(WorkflowDefinition, raw))
    except ValidationError as error:
        problems = problems_from_validation_error(error, WorkflowDefinition)
        raise UnreadableWorkflowError(live.unique_identifier, live.name, problems) from None
    return definition.canonical().to_wire()


def shown_fields(live: Workflow, last: Mapping[str, Any]) -> dict[str, Any]:
    """The definition fields of a live workflow as the answer holds them, converted no further
    than the trigger event, named as in ``last`` when the answer shows that event.

    A refresh's quick test: where these equal ``last`` as they are (``raw_changes``), the API
    holds what state holds, so there is no drift and no conversion to pay for (validating and
    canonicalizing both sides is most of a read's CPU). ``live_to_inputs`` finds no drift there
    either; a property test in tests/diff/test_properties.py holds the two to that.
    """
    return _as_answered(live, last.get("triggerEvent"))


def _as_answered(live: Workflow, trigger: Any) -> dict[str, Any]:
    return {
        "name": live.name,
        "type": live.type,
        "subType": live.sub_type,
        "triggerEvent": _trigger_in_user_terms(live.trigger_event, trigger),
        "filters": live.filters,
        "annotations": live.annotations,
        "workflowDefinition": live.workflow_definition,
        "executingAgent": live.executing_agent,
        "teamId": live.team_id,
        "metadata": strip_owner(live.metadata),
        "isActive": live.is_active,
    }


def _canonical_or_empty(last: Mapping[str, Any] | None) -> dict[str, Any]:
    if not last:
        return {}
    result: dict[str, Any] = canonical_or_plain(last)
    return result


def _trigger_in_user_terms(trigger: TriggerEvent | str | None, last: Any) -> str | None:
    if isinstance(trigger, TriggerEvent):
        if isinstance(last, str) and last in (trigger.uid, trigger.event_name):
            return last
        return trigger.event_name or trigger.uid
    return trigger


def _annotations(live: list[Any] | None, last: Any) -> Any:
    """The annotations, or the wanted ones where the answer holds strings (docs/api.md §6.1)."""
    if live is None:
        return last
    try:
        for item in live:
            Annotation.model_validate(item)
    except ValidationError:
        return last
    return live


def _steps(live: list[dict[str, Any]] | None, wanted: Any) -> Any:
    if live is None:
        return wanted
    wanted_by_id = {
        str(plain(step.get("stepIdentifier"))): step
        for step in (wanted or [])
        if isinstance(step, Mapping)
    }
    return [
        _step_as_shown(step, wanted_by_id.get(str(plain(step.get("stepIdentifier")))))
        if isinstance(step, Mapping)
        else step
        for step in live
    ]


def _step_as_shown(live: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> dict[str, Any]:
    """One live step with U-22 applied: ``{}`` is none, unshown fields and fills from ``wanted``."""
    step = {k: v for k, v in live.items() if not (k in EMPTY_MEANS_NONE and v == {})}
    for name in NEVER_SHOWN_STEP_FIELDS:
        if name not in step and wanted is not None and name in wanted:
            step[name] = wanted[name]
    if "requireApproval" not in step and step.get("approver"):
        step["requireApproval"] = True  # an answer that shows an approver asks for approval
    if wanted is not None:
        for path in FILLED_STEP_PATHS:
            if _has(step, path) and not _has(wanted, path):
                step = _without(step, path)
    return step


def _has(data: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping) or node.get(key) is None:
            return False
        node = node[key]
    return True


def _without(data: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """A copy of ``data`` without the value at ``path`` (copied along the path only)."""
    head, *rest = path
    if not rest:
        return {k: v for k, v in data.items() if k != head}
    return {**data, head: _without(data[head], tuple(rest))}


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
