"""Events fired at the emulator become executions (E5) and tasks (E6), through ``spec.runs``.

    fire(state, body, clock)                     POST /__emulator/events
    resolve(state, execution_id, body, clock)    POST /__emulator/executions/{id}/resolve

``fire`` takes ``{eventName, payload?, actor?, messageAttributes?, entities?, results?,
failures?}``: the event name is a registry uid or eventName (U-7); ``payload`` becomes
``context.event.message.payload`` (docs/api.md 5.2-5.4); ``entities``, ``results`` and
``failures`` are what ``spec.runs.Run`` takes (``failures: {"3": null}`` fails every attempt of
step 3, ``{"3": 1}`` the first). Every workflow at its current version is checked; each one whose
trigger, activation and filters match gets an execution with its tasks. Approvals and sleeps
wait (execution ``SUSPENDED``) until ``resolve`` decides them.

Nothing of a run is kept as a Python object: ``State.runs`` holds, per execution, what was fired,
the workflow as it was then, the decisions so far and the task ids by sequence. A resolve
replays the run from that record (the evaluator reads no clock, so a replay is exact), which
keeps waits alive across a restart with ``--state``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from pulumi_thena.emulator.errors import BadRequest, NotFound
from pulumi_thena.emulator.ids import Clock, new_id
from pulumi_thena.emulator.registry import RegistryView
from pulumi_thena.emulator.store import State
from pulumi_thena.spec.runs import APPROVE, REJECT, WAKE, Run
from pulumi_thena.spec.trace import Task, step_number

FIRE_FIELDS: Final = (
    "eventName",
    "payload",
    "actor",
    "messageAttributes",
    "entities",
    "results",
    "failures",
)
RESOLVE_FIELDS: Final = ("step", "decision")
DECISIONS: Final = (APPROVE, REJECT, WAKE)
EVERY_ATTEMPT: Final = "all"
"""A failure count meaning every attempt, as a test file writes it (JSON ``null`` works too)."""


def fire(state: State, body: Any, registry: RegistryView, clock: Clock) -> dict[str, Any]:
    """Run every workflow the event triggers; the executions started and why the rest did not."""
    fired = _fired(body, registry)
    started, passed_over = [], []
    for identifier, versions in state.workflows.items():
        workflow = copy.deepcopy(versions[-1])
        run = _replayed(workflow, fired, [])
        if not run.triggered:
            why = list(run.trigger.why)
            passed_over.append({"workflowId": identifier, "name": workflow.get("name"), "why": why})
            continue
        execution_id = new_id()
        state.runs[execution_id] = {**fired, "workflow": workflow, "decisions": [], "taskIds": []}
        state.executions[execution_id] = {
            "id": execution_id,
            "workflowId": identifier,
            "version": workflow.get("version", 1),
            "startedAt": clock.now(),
        }
        started.append(_store(state, execution_id, run, clock))
    return {"event": fired["event"], "executions": started, "notTriggered": passed_over}


def resolve(state: State, execution_id: str, body: Any, clock: Clock) -> dict[str, Any]:
    """Decide one open wait of an execution (approve, reject or wake), and go on from there."""
    record = state.runs.get(execution_id)
    if record is None:
        if execution_id in state.executions:
            raise BadRequest(
                f"execution {execution_id} was seeded, not run from an event: it has no waits; "
                "fire an event with POST /__emulator/events instead"
            )
        raise NotFound(f"Workflow execution {execution_id} not found")
    step, decision = _decision(body)
    run = _replayed(record["workflow"], record, record["decisions"])
    try:
        run.resolve(step, decision)
    except ValueError as error:
        raise BadRequest(f"step: {error}") from None
    record["decisions"].append([str(step), decision])
    return _store(state, execution_id, run, clock)


# -- what a request asks for ------------------------------------------------------------------


def _fired(body: Any, registry: RegistryView) -> dict[str, Any]:
    """The event, entities, results and failures of a fire request, checked; BadRequest if not."""
    fields = _object(body, "the body", FIRE_FIELDS)
    name = fields.get("eventName")
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("eventName should not be empty: give a registry event's eventName or uid")
    registered = registry.resolve_event(name)
    if registered is None:
        raise BadRequest(f"eventName '{name}' is not a registered event uid or eventName")
    message: dict[str, Any] = {"payload": _optional_object(fields, "payload")}
    if "actor" in fields:
        message["actor"] = _optional_object(fields, "actor")
    event: dict[str, Any] = {
        "name": registered.get("eventName", name),
        "uid": registered.get("uid"),
        "message": message,
    }
    if "messageAttributes" in fields:
        event["messageAttributes"] = _optional_object(fields, "messageAttributes")
    return {
        "event": event,
        "entities": _optional_object(fields, "entities"),
        "results": _optional_object(fields, "results"),
        "failures": _failures(fields.get("failures")),
    }


def _object(value: Any, what: str, known: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be a JSON object with {', '.join(known)}")
    unknown = [f"property {name} should not exist" for name in value if name not in known]
    if unknown:
        raise BadRequest(unknown)
    return value


def _optional_object(fields: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = fields.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must be an object")
    return copy.deepcopy(value)


def _failures(value: Any) -> dict[str, int | None]:
    """Step -> attempts that fail: a whole number of at least 0, or null / "all" for every one."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest('failures must be an object of step: attempts, e.g. {"3": null}')
    failures: dict[str, int | None] = {}
    for step, count in value.items():
        if count is None or count == EVERY_ATTEMPT:
            failures[str(step)] = None
        elif isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            failures[str(step)] = count
        else:
            raise BadRequest(
                f"failures.{step} must be a whole number of failing attempts (at least 0), "
                f'or null or "all" for every attempt'
            )
    return failures


def _decision(body: Any) -> tuple[str, str]:
    fields = _object(body, "the body", RESOLVE_FIELDS)
    step, decision = fields.get("step"), fields.get("decision")
    if isinstance(step, bool) or not isinstance(step, int | str) or str(step) == "":
        raise BadRequest("step should not be empty: give the stepIdentifier of a waiting step")
    if decision not in DECISIONS:
        raise BadRequest(f"decision must be one of the following values: {', '.join(DECISIONS)}")
    return str(step), str(decision)


# -- the run and what is stored ---------------------------------------------------------------


def _replayed(
    workflow: Mapping[str, Any], fired: Mapping[str, Any], decisions: list[list[str]]
) -> Run:
    """The run as it stands after ``decisions``, each applied in the order it was made."""
    run = Run(
        workflow,
        fired["event"],
        entities=fired["entities"],
        results=fired["results"],
        failures=fired["failures"],
    )
    for step, decision in decisions:
        run.resolve(step, decision)
    return run


def _store(state: State, execution_id: str, run: Run, clock: Clock) -> dict[str, Any]:
    """Write the run's tasks, status and context to the execution; the answer for the caller."""
    decided = clock.now()
    ids: list[str] = state.runs[execution_id]["taskIds"]
    tasks = state.tasks.setdefault(execution_id, [])
    by_id = {task["id"]: task for task in tasks}
    for task in run.tasks:
        if task.sequence <= len(ids):
            _update_task(by_id[ids[task.sequence - 1]], task, decided)
        else:
            stored = _new_task(task, clock)
            ids.append(stored["id"])
            tasks.append(stored)
    execution = state.executions[execution_id]
    execution.update(
        status=run.status, context=copy.deepcopy(run.context), lastUpdatedAt=clock.now()
    )
    return {
        **copy.deepcopy(execution),
        "tasks": copy.deepcopy(tasks),
        "waits": [wait.to_json() for wait in run.waits],
    }


def _new_task(task: Task, clock: Clock) -> dict[str, Any]:
    """A WorkflowTask (docs/api.md 4.9); each starts a millisecond after the one before."""
    started = clock.now()
    return {
        "id": new_id(),
        "stepIdentifier": step_number(task.step),
        "activity": task.activity,
        "status": task.status,
        "input": copy.deepcopy(task.input) if isinstance(task.input, dict) else {},
        "result": copy.deepcopy(task.result) if isinstance(task.result, dict) else {},
        "isRetry": task.attempt > 1,
        "isCompensation": task.is_compensation,
        "executionTime": 0,
        "startedAt": started,
        "lastUpdatedAt": started,
    }


def _update_task(stored: dict[str, Any], task: Task, now: str) -> None:
    """A task whose wait was decided: its new status and result."""
    result = copy.deepcopy(task.result) if isinstance(task.result, dict) else {}
    if stored["status"] != task.status or stored["result"] != result:
        stored.update(status=task.status, result=result, lastUpdatedAt=now)
