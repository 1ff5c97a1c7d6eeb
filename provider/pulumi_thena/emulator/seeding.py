"""Seeding for tests (SPEC U-17): registry entries, workflows, executions and tasks.

Workflows go through the create rules (so a seeded workflow is one the API could have made) but
may also set server fields (ids, timestamps, isActive). Executions and tasks, which no API call
can create, get generated ids and timestamps when they leave them out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.emulator.ids import Clock, iso, new_id, parse_instant
from pulumi_thena.emulator.store import State
from pulumi_thena.spec.statuses import EXECUTION_STATUSES, TASK_STATUSES

COLLECTIONS = ("events", "activities", "workflows", "executions", "tasks")
WORKFLOW_SERVER_FIELDS = (
    "uid",
    "uniqueIdentifier",
    "isActive",
    "createdAt",
    "updatedAt",
    "createdBy",
)
EVENT_UID_LENGTH = 29

MakeWorkflow = Callable[[Any], dict[str, Any]]


def seed_state(
    state: State, body: Any, clock: Clock, make_workflow: MakeWorkflow
) -> dict[str, Any]:
    """Add every collection of ``body`` to ``state`` in dependency order; return what was stored.

    ``make_workflow`` must validate against ``state`` as it is being seeded, so that a workflow
    may use an event seeded in the same call.
    """
    if not isinstance(body, dict):
        raise BadRequest("the seed must be a JSON object")
    unknown = sorted(set(body) - set(COLLECTIONS))
    if unknown:
        raise BadRequest([f"property {name} should not exist" for name in unknown])
    stored: dict[str, Any] = {}
    for name in COLLECTIONS:
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            raise BadRequest(f"{name} must be an array")
        seed_one = _SEEDERS[name]
        stored[name] = [
            seed_one(state, item, clock, make_workflow, f"{name}.{i}")
            for i, item in enumerate(items)
        ]
    return stored


def _require(item: Any, path: str, *names: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadRequest(f"{path} must be an object")
    missing = [
        f"{path}.{name} should not be empty" for name in names if item.get(name) in (None, "")
    ]
    if missing:
        raise BadRequest(missing)
    return copy.deepcopy(item)


def _seed_event(state: State, item: Any, clock: Clock, _: MakeWorkflow, path: str) -> Any:
    event = _require(item, path, "eventName")
    event.setdefault("uid", new_id(EVENT_UID_LENGTH))
    for key, default in (("description", ""), ("source", "platform_app"), ("isActive", True)):
        event.setdefault(key, default)
    event.setdefault("schema", {})
    event.setdefault("metadata", {})
    state.events[:] = [
        e for e in state.events if e["uid"] != event["uid"] and e["eventName"] != event["eventName"]
    ]
    state.events.append(event)
    return event


def _seed_activity(state: State, item: Any, clock: Clock, _: MakeWorkflow, path: str) -> Any:
    activity = _require(item, path, "uniqueIdentifier")
    activity.setdefault("version", 1)
    activity.setdefault("uid", activity.get("id") or new_id())
    activity.setdefault("id", activity["uid"])
    now = clock.now()
    for name, default in (("name", activity["uniqueIdentifier"]), ("description", "")):
        activity.setdefault(name, default)
    for name, default in (("source", "platform_app"), ("category", "custom"), ("isActive", True)):
        activity.setdefault(name, default)
    activity.setdefault("inputSchema", {"type": "object"})
    activity.setdefault("outputSchema", {"type": "object"})
    activity.setdefault("createdAt", now)
    activity.setdefault("updatedAt", now)
    same = (activity["uniqueIdentifier"], activity["version"])
    state.activities[:] = [
        a for a in state.activities if (a["uniqueIdentifier"], a["version"]) != same
    ]
    state.activities.append(activity)
    return activity


def _seed_workflow(state: State, item: Any, clock: Clock, make: MakeWorkflow, path: str) -> Any:
    body = _require(item, path)
    server_fields = {k: body.pop(k) for k in WORKFLOW_SERVER_FIELDS if k in body}
    record = make(body)
    record.update(server_fields)
    for stamp in ("createdAt", "updatedAt"):
        record[stamp] = _timestamp(record[stamp], f"{path}.{stamp}")
    if record["uniqueIdentifier"] in state.workflows:
        raise BadRequest(f"{path}.uniqueIdentifier {record['uniqueIdentifier']} already exists")
    state.workflows[record["uniqueIdentifier"]] = [record]
    return record


def _seed_execution(state: State, item: Any, clock: Clock, _: MakeWorkflow, path: str) -> Any:
    run = _require(item, path, "workflowId")
    tasks = run.pop("tasks", [])
    versions = state.workflows.get(run["workflowId"])
    run.setdefault("id", new_id())
    run.setdefault("version", versions[-1]["version"] if versions else 1)
    run.setdefault("status", "FINISHED")
    _check_enum(run["status"], EXECUTION_STATUSES, f"{path}.status")
    run.setdefault("context", {})
    run["startedAt"] = _timestamp(run.get("startedAt") or clock.now(), f"{path}.startedAt")
    run["lastUpdatedAt"] = _timestamp(
        run.get("lastUpdatedAt", run["startedAt"]), f"{path}.lastUpdatedAt"
    )
    state.executions[run["id"]] = run
    for index, task in enumerate(tasks if isinstance(tasks, list) else [tasks]):
        _store_task(state, run["id"], task, clock, f"{path}.tasks.{index}")
    return {**run, "tasks": state.tasks.get(run["id"], [])} if tasks else run


def _seed_task(state: State, item: Any, clock: Clock, _: MakeWorkflow, path: str) -> Any:
    task = _require(item, path, "workflowInstanceId")
    instance_id = task.pop("workflowInstanceId")
    if instance_id not in state.executions:
        raise BadRequest(f"{path}.workflowInstanceId {instance_id} is not a seeded execution")
    return {**_store_task(state, instance_id, task, clock, path), "workflowInstanceId": instance_id}


def _store_task(state: State, instance_id: str, item: Any, clock: Clock, path: str) -> Any:
    task = _require(item, path, "stepIdentifier", "activity")
    if not isinstance(task["stepIdentifier"], int) or isinstance(task["stepIdentifier"], bool):
        raise BadRequest(f"{path}.stepIdentifier must be a whole number")
    task.setdefault("id", new_id())
    task.setdefault("status", "FINISHED")
    _check_enum(task["status"], TASK_STATUSES, f"{path}.status")
    for key, default in (("isRetry", False), ("isCompensation", False), ("executionTime", 0)):
        task.setdefault(key, default)
    task.setdefault("input", {})
    task.setdefault("result", {})
    task["startedAt"] = _timestamp(task.get("startedAt") or clock.now(), f"{path}.startedAt")
    task["lastUpdatedAt"] = _timestamp(
        task.get("lastUpdatedAt", task["startedAt"]), f"{path}.lastUpdatedAt"
    )
    state.tasks.setdefault(instance_id, []).append(task)
    return task


def _check_enum(value: Any, allowed: tuple[str, ...], path: str) -> None:
    if value not in allowed:
        raise BadRequest(f"{path} must be one of the following values: {', '.join(allowed)}")


def _timestamp(value: Any, path: str) -> str:
    """Any accepted instant (ISO-8601 or epoch digits) in the API's ISO form."""
    try:
        return iso(parse_instant(str(value)))
    except ValueError as error:
        raise BadRequest(f"{path} must be an ISO-8601 date-time or epoch digits") from error


_SEEDERS: dict[str, Callable[[State, Any, Clock, MakeWorkflow, str], Any]] = {
    "events": _seed_event,
    "activities": _seed_activity,
    "workflows": _seed_workflow,
    "executions": _seed_execution,
    "tasks": _seed_task,
}
