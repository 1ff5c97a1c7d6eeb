"""One event against one workflow, simulated step by step (docs/api.md 5.2-5.10), on wire dicts.

    run = Run(workflow, event, entities={"Ticket": {...}}, failures={"3": None})
    run.triggered, run.trigger.why     -> whether it triggers, and why not (isActive, name, filters)
    run.status                         -> "SUSPENDED": an execution status, None when not triggered
    run.waits                          -> [Wait(step="2", kind="approval", approver={...})]
    run.resolve("2", APPROVE)          -> goes on to the next wait or the end (REJECT, WAKE)
    run.to_json()                      -> the trace: history, steps, tasks, completion, compensation
    simulate(workflow, event, decisions={"2": APPROVE})  -> a Run, waits with a decision resolved

``event`` is ``{name, message: {payload, actor?}, messageAttributes?}``. ``entities`` are what
annotations load, keyed by ``entityType`` or ``pathToAnnotate``. ``results`` are step results
(``{}`` by default), readable by later steps as ``{{context.steps.1.result...}}``. ``failures``
maps a step to how many of its attempts fail (None: every attempt). Steps run one at a time in
``graph.dependency_order``; a step waiting for an approval or a sleep holds back only the steps
that depend on it. Nothing reads a clock: ``Task.sequence`` counts tasks, and a task's status
may change when a wait is resolved. docs/semantics.md states every choice.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from pulumi_thena.spec.filters import FilterResult, evaluate_filter
from pulumi_thena.spec.graph import dependency_order, step_ref
from pulumi_thena.spec.steps import (
    activity_name,
    annotation_items,
    approval,
    compensation,
    event_names,
    is_active,
    is_sleep,
    max_attempts,
    on_failure,
    sleep_duration,
    trigger_names,
)
from pulumi_thena.spec.templates import build_context, resolve_templates
from pulumi_thena.spec.trace import (
    APPROVAL,
    APPROVE,
    DECISIONS,
    FAILED,
    FINISHED,
    NOT_RUN,
    OPEN,
    PENDING,
    REJECT,
    REJECTED,
    SKIPPED,
    SLEEP,
    WAITING,
    WAKE,
    StepRecord,
    Task,
    Trigger,
    Wait,
    step_number,
)

__all__ = [
    "APPROVE",
    "REJECT",
    "WAKE",
    "Run",
    "StepRecord",
    "Task",
    "Trigger",
    "Wait",
    "annotation_entities",
    "check_trigger",
    "simulate",
]


def check_trigger(
    workflow: Mapping[str, Any], event: Mapping[str, Any], context: Mapping[str, Any]
) -> Trigger:
    """Active, same event (an event without a name matches any), and the filters match."""
    why: list[str] = []
    if not is_active(workflow):
        why.append("isActive: the workflow is inactive, so no event triggers it")
    wanted, given = trigger_names(workflow.get("triggerEvent")), event_names(event)
    if wanted and given and not wanted & given:
        why.append(
            f"triggerEvent: the workflow triggers on {' / '.join(sorted(wanted))}, "
            f"the event is {' / '.join(sorted(given))}"
        )
    verdict: FilterResult = evaluate_filter(workflow.get("filters"), context)
    return Trigger(not why and verdict.matched, (*why, *verdict.why))


def annotation_entities(
    workflow: Mapping[str, Any], entities: Mapping[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Entities by ``pathToAnnotate``, and for each annotation whether an entity was given."""
    placed: dict[str, Any] = {}
    report: list[dict[str, Any]] = []
    for item in annotation_items(workflow):
        path, entity_type = str(item["pathToAnnotate"]), str(item.get("entityType", ""))
        key = path if path in entities else entity_type
        if key in entities:
            placed[path] = entities[key]
        report.append(
            {"entityType": entity_type, "pathToAnnotate": path, "loaded": key in entities}
        )
    for key, entity in entities.items():
        if key.startswith("context.") and key not in placed:
            placed[key] = entity
    return placed, report


class Run:
    """A simulated execution of one workflow for one event; see the module docstring."""

    def __init__(
        self,
        workflow: Mapping[str, Any],
        event: Mapping[str, Any],
        *,
        entities: Mapping[str, Any] | None = None,
        results: Mapping[Any, Any] | None = None,
        failures: Mapping[Any, int | None] | None = None,
    ) -> None:
        steps = list(workflow.get("workflowDefinition") or [])
        self.workflow = workflow
        self._steps = {step_ref(step.get("stepIdentifier")): step for step in steps}
        index = {step_ref(step.get("stepIdentifier")): i for i, step in enumerate(steps)}
        placed, self.annotations = annotation_entities(workflow, entities or {})
        self.context = build_context(event, entities=placed)
        self.trigger = check_trigger(workflow, event, self.context)
        self.steps = {ref: StepRecord(ref, index[ref]) for ref in dependency_order(steps)}
        self.tasks: list[Task] = []
        self.history: list[str] = []
        self.completed: list[str] = []
        self.compensated: list[str] = []
        self._waits: dict[str, Wait] = {}
        self._open: dict[str, Task] = {}
        self._results = {step_ref(key): value for key, value in (results or {}).items()}
        self._failures = {step_ref(key): value for key, value in (failures or {}).items()}
        if self.triggered:
            for status in ("PENDING", "SCHEDULED", "EXECUTING_ACTIVITIES"):
                self._set(status)
            self._advance()

    @property
    def triggered(self) -> bool:
        return self.trigger.triggered

    @property
    def status(self) -> str | None:
        """The execution status (docs/api.md 5.10); None when the event did not trigger it."""
        return self.history[-1] if self.history else None

    @property
    def ended(self) -> bool:
        return self.status in ("FINISHED", "FAILED")

    @property
    def waits(self) -> list[Wait]:
        """The open waits, in the order they opened."""
        return list(self._waits.values())

    def resolve(self, step: Any, decision: str) -> Run:
        """Decide an open wait (APPROVE or REJECT an approval, WAKE a sleep), then go on."""
        ref = step_ref(step)
        wait = self._waits.get(ref)
        if wait is None:
            waiting = ", ".join(self._waits) or "none"
            raise ValueError(f"step {ref} is not waiting (waiting steps: {waiting})")
        if decision not in DECISIONS[wait.kind]:
            allowed = " or ".join(repr(d) for d in DECISIONS[wait.kind])
            raise ValueError(f"step {ref} waits for {wait.kind}: decide with {allowed}")
        del self._waits[ref]
        self._set("EXECUTING_ACTIVITIES")
        if decision == REJECT:
            self._open.pop(ref).status = "UNAUTHORIZED"
            self._fail(self.steps[ref], REJECTED, "its approval was rejected")
        else:
            self._proceed(self.steps[ref], passed=wait.kind)
        self._advance()
        return self

    def to_json(self) -> dict[str, Any]:
        """The whole trace as plain JSON values, a copy the caller may change."""
        trace = {
            "workflow": self.workflow.get("name"),
            "triggered": self.triggered,
            "why": list(self.trigger.why),
            "status": self.status,
            "history": list(self.history),
            "annotations": copy.deepcopy(self.annotations),
            "steps": [record.to_json() for record in self.steps.values()] if self.triggered else [],
            "completed": [step_number(ref) for ref in self.completed],
            "compensated": [step_number(ref) for ref in self.compensated],
            "waits": [wait.to_json() for wait in self.waits],
            "tasks": [task.to_json() for task in self.tasks],
        }
        return copy.deepcopy(trace)

    def _set(self, status: str) -> None:
        if self.status != status:
            self.history.append(status)

    def _advance(self) -> None:
        while not self.ended and (record := self._next_ready()) is not None:
            self._start(record)
        if self.ended:
            return
        if self._waits:
            self._set("SUSPENDED")
        elif all(record.state not in OPEN for record in self.steps.values()):
            self._set("FINISHED")

    def _next_ready(self) -> StepRecord | None:
        for record in self.steps.values():
            deps = self._dependencies(record.step)
            if record.state == PENDING and all(self.steps[d].state not in OPEN for d in deps):
                return record
        return None

    def _dependencies(self, ref: str) -> list[str]:
        deps = self._steps[ref].get("dependencies") or []
        return [step_ref(dep) for dep in deps if step_ref(dep) in self.steps]

    def _start(self, record: StepRecord) -> None:
        step = self._steps[record.step]
        skipped = [d for d in self._dependencies(record.step) if self.steps[d].state == SKIPPED]
        if skipped:
            self._skip(record, f"its dependency step {skipped[0]} was skipped")
            return
        path = f"workflowDefinition[{record.index}].filters"
        verdict = evaluate_filter(step.get("filters"), self.context, path)
        if not verdict.matched:
            self._skip(record, f"its filter did not match: {verdict.explain()}")
            return
        resolved = resolve_templates(step.get("input") or {}, self.context)
        record.input, record.unresolved = resolved.value, resolved.unresolved
        self._proceed(record, passed=None)

    def _skip(self, record: StepRecord, why: str) -> None:
        record.state, record.why = SKIPPED, why

    def _proceed(self, record: StepRecord, passed: str | None) -> None:
        """Open the step's next wait after the one ``passed``, or run it when none is left."""
        step = self._steps[record.step]
        approver = approval(step)
        if passed is None and approver is not None:
            self._wait(
                record, Wait(record.step, APPROVAL, approver=approver), "AWAITING_USER_INPUT"
            )
        elif passed != SLEEP and is_sleep(step):
            self._wait(record, Wait(record.step, SLEEP, duration=sleep_duration(step)), "STARTED")
        else:
            self._execute(record)

    def _wait(self, record: StepRecord, wait: Wait, task_status: str) -> None:
        task = self._open.get(record.step) or self._new_task(record, attempt=1)
        task.status = task_status
        self._open[record.step] = task
        self._waits[record.step] = wait
        record.state = WAITING

    def _execute(self, record: StepRecord) -> None:
        attempts = max_attempts(self._steps[record.step])
        failing = self._failures.get(record.step, 0)
        for attempt in range(1, attempts + 1):
            task = self._open.pop(record.step, None) or self._new_task(record, attempt)
            record.attempts = attempt
            if failing is None or attempt <= failing:
                task.status = "FAILED"
                if attempt < attempts:
                    self._set("RETRYING")
                    self._set("EXECUTING_ACTIVITIES")
                continue
            task.status = "FINISHED"
            task.result = copy.deepcopy(self._results.get(record.step, {}))
            self._finish(record, task.result)
            return
        tried = f"all {attempts} attempts failed" if attempts > 1 else "its one attempt failed"
        self._fail(record, FAILED, tried)

    def _new_task(self, record: StepRecord, attempt: int) -> Task:
        task = Task(
            sequence=len(self.tasks) + 1,
            step=record.step,
            activity=activity_name(self._steps[record.step]),
            status="SCHEDULED",
            input=copy.deepcopy(record.input),
            attempt=attempt,
            unresolved=record.unresolved,
        )
        self.tasks.append(task)
        return task

    def _finish(self, record: StepRecord, result: Any) -> None:
        record.state = FINISHED
        self.completed.append(record.step)
        self.context["steps"][record.step] = {
            "input": copy.deepcopy(record.input),
            "result": copy.deepcopy(result),
        }

    def _fail(self, record: StepRecord, state: str, why: str) -> None:
        policy = on_failure(self._steps[record.step])
        record.state, record.why = state, f"{why} (onFailure {policy})"
        if policy == "CONTINUE":
            return
        if policy == "COMPENSATE":
            self._compensate()
        self._end_failed(f"step {record.step} {state} and its onFailure is {policy}")

    def _compensate(self) -> None:
        """Run the compensation of every completed step, last completed first."""
        self._set("COMPENSATING")
        for ref in reversed(self.completed):
            undo = compensation(self._steps[ref])
            if undo is None:
                continue
            resolved = resolve_templates(undo.get("input") or {}, self.context)
            self.tasks.append(
                Task(
                    sequence=len(self.tasks) + 1,
                    step=ref,
                    activity=activity_name(undo),
                    status="FINISHED",
                    input=resolved.value,
                    is_compensation=True,
                    unresolved=resolved.unresolved,
                )
            )
            self.compensated.append(ref)

    def _end_failed(self, why: str) -> None:
        for record in self.steps.values():
            if record.state in OPEN:
                record.state, record.why = NOT_RUN, f"not run: {why}"
        for task in self._open.values():
            task.status = "FAILED"
        self._open.clear()
        self._waits.clear()
        self._set("FAILED")


def simulate(
    workflow: Mapping[str, Any],
    event: Mapping[str, Any],
    *,
    entities: Mapping[str, Any] | None = None,
    results: Mapping[Any, Any] | None = None,
    failures: Mapping[Any, int | None] | None = None,
    decisions: Mapping[Any, str] | None = None,
) -> Run:
    """Run the workflow for the event, deciding each wait that ``decisions`` names (once each).

    The run stops (SUSPENDED) at the first wait without a decision.
    """
    run = Run(workflow, event, entities=entities, results=results, failures=failures)
    pending = {step_ref(key): value for key, value in (decisions or {}).items()}
    while (ref := next((w.step for w in run.waits if w.step in pending), None)) is not None:
        run.resolve(ref, pending.pop(ref))
    return run
