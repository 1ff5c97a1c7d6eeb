"""The emulator's state and rules: one method per operation, returning wire dicts.

Every public method takes the one lock, so the HTTP threads can call them freely. Errors are
raised as ``EmulatorError`` subclasses; the HTTP layer renders them. Workflows are stored as
their requests sent them and shown in the configured answer shape (``shapes.py``). When a
state file is given, every change to Thena's data is written to it atomically before the
method returns.
"""

from __future__ import annotations

import copy
import hmac
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pulumi_thena.emulator import executions
from pulumi_thena.emulator.constants import DEFAULT_API_KEY
from pulumi_thena.emulator.errors import BadRequest, NotFound
from pulumi_thena.emulator.ids import Clock, new_id, parse_instant
from pulumi_thena.emulator.registry import RegistryView
from pulumi_thena.emulator.seeding import seed_state
from pulumi_thena.emulator.settings import Settings, checked, parse_settings
from pulumi_thena.emulator.shapes import render_workflow
from pulumi_thena.emulator.store import State, StateFileError, load_state, save_state
from pulumi_thena.emulator.traffic import (
    Fault,
    FaultList,
    RateDecision,
    RateLimiter,
    RequestRecord,
    Traffic,
    parse_fault,
)
from pulumi_thena.emulator.validation import validate_create, validate_update
from pulumi_thena.spec.operators import default_catalog_wire

DEFAULT_LIMIT = 20
"""Page size when ``limit`` is not given (U-12); never more than the configured cap."""
EMULATOR_USER_ID = "emulator-user-0001"
EMULATOR_ORG_ID = "emulator-org-0001"
TRIGGER_EVENT_FIELDS = ("uid", "eventName", "description", "source", "schema", "metadata")


@dataclass(frozen=True)
class WorkflowQuery:
    """The filters and page of the list endpoint (E7), parsed; None means not given."""

    team_id: str | None = None
    type: str | None = None
    sub_types: frozenset[str] | None = None
    page: int | None = None
    limit: int | None = None


@dataclass(frozen=True)
class ExecutionQuery:
    """The filters of the executions endpoint (E5), already parsed."""

    workflow_id: str
    version: int | None = None
    status: str | None = None
    start: datetime | None = None
    end: datetime | None = None


class Backend:
    """All state and rules of one emulated Thena organization."""

    def __init__(
        self,
        api_key: str = DEFAULT_API_KEY,
        state_file: str | Path | None = None,
        settings: Settings | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("the API key must not be empty: requests without a key would pass")
        self.api_key = api_key
        self._lock = threading.RLock()
        self._clock = Clock()
        self._state_file = Path(state_file) if state_file is not None else None
        self._state = load_state(self._state_file) if self._state_file else State()
        self._start_settings = checked(settings or Settings())
        self._settings = self._start_settings
        self._limiter = RateLimiter(self._settings.rate_limit)
        self._faults = FaultList()
        self._traffic = Traffic()
        if self._state_file is not None and not self._state_file.exists():
            self._create_state_file()

    # -- the API (E1-E11) ------------------------------------------------------------------

    def filter_operators(self) -> dict[str, Any]:
        return default_catalog_wire()

    def create_workflow(self, body: Any) -> dict[str, Any]:
        with self._lock:
            record = self._new_workflow_record(body, self._state)
            self._state.workflows[record["uniqueIdentifier"]] = [record]
            self._save()
            return self._answer(record)

    def get_workflow(self, identifier: str, version: int | None = None) -> dict[str, Any]:
        with self._lock:
            versions = self._versions(identifier)
            if version is None:
                return self._answer(versions[-1])
            for record in versions:
                if record["version"] == version:
                    return self._answer(record)
            raise NotFound(f"Workflow {identifier} has no version {version}")

    def list_workflows(self, query: WorkflowQuery) -> list[dict[str, Any]]:
        """One page, counted from the page base, at most ``limitCap`` long, in the set order."""
        with self._lock:
            base, cap = self._settings.page_base, self._settings.limit_cap
            page = base if query.page is None else query.page
            if page < base:
                raise BadRequest(f"page must be a whole number of at least {base}")
            limit = min(query.limit or DEFAULT_LIMIT, cap)  # a larger limit is capped silently
            current = [versions[-1] for versions in self._state.workflows.values()]
            matching = [(i, w) for i, w in enumerate(current) if _workflow_matches(w, query)]
            matching.sort(
                key=lambda item: (item[1]["createdAt"], item[0]),
                reverse=self._settings.order == "desc",
            )
            start = (page - base) * limit
            return self._answers([w for _, w in matching[start : start + limit]])

    def update_workflow(self, identifier: str, body: Any) -> dict[str, Any]:
        with self._lock:
            versions = self._versions(identifier)
            event = validate_update(body, _registry_view(self._state))
            record = _apply_update(versions[-1], body, event)
            record.update(version=versions[-1]["version"] + 1, uid=new_id())
            record["updatedAt"] = self._clock.now()
            versions.append(record)
            self._save()
            return self._answer(record)

    def toggle_workflow(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            record = self._versions(identifier)[-1]
            record["isActive"] = not record["isActive"]
            record["updatedAt"] = self._clock.now()
            self._save()
            return self._answer(record)

    def delete_workflow(self, identifier: str) -> dict[str, Any]:
        with self._lock:
            versions = self._versions(identifier)
            del self._state.workflows[identifier]
            self._save()
            return self._answer(versions[-1])

    def list_events(self, team_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(e) for e in self._state.events if _team_visible(e, team_id)]

    def list_activities(self, team_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [copy.deepcopy(a) for a in self._state.activities if _team_visible(a, team_id)]

    def list_executions(self, query: ExecutionQuery) -> list[dict[str, Any]]:
        with self._lock:
            runs = [e for e in self._state.executions.values() if _execution_matches(e, query)]
            runs.sort(key=lambda run: parse_instant(run["startedAt"]), reverse=True)
            return copy.deepcopy(runs)

    def list_tasks(self, instance_id: str) -> list[dict[str, Any]]:
        with self._lock:
            if instance_id not in self._state.executions:
                raise NotFound(f"Workflow execution {instance_id} not found")
            tasks = list(self._state.tasks.get(instance_id, []))
            tasks.sort(key=lambda t: (t["stepIdentifier"], parse_instant(t["startedAt"])))
            return copy.deepcopy(tasks)

    # -- test control (/__emulator) --------------------------------------------------------

    def reset(self) -> None:
        """Back to the start: default registry, no data, faults, counters or config changes."""
        with self._lock:
            self._state = State()
            self._settings = self._start_settings
            self._limiter = RateLimiter(self._settings.rate_limit)
            self._faults.clear()
            self._traffic = Traffic()
            self._save()

    def seed(self, body: Any) -> dict[str, Any]:
        """Add registry entries, workflows, executions and tasks; all or nothing."""
        with self._lock:
            draft = copy.deepcopy(self._state)
            stored = seed_state(
                draft, body, self._clock, lambda item: self._new_workflow_record(item, draft)
            )
            self._state = draft
            self._save()
            return stored

    def fire_event(self, body: Any) -> dict[str, Any]:
        """Run every workflow the event triggers (``executions.fire``); all or nothing."""
        with self._lock:
            draft = copy.deepcopy(self._state)
            answer = executions.fire(draft, body, _registry_view(draft), self._clock)
            self._state = draft
            self._save()
            return answer

    def resolve_wait(self, execution_id: str, body: Any) -> dict[str, Any]:
        """Approve, reject or wake a waiting step of an execution (``executions.resolve``)."""
        with self._lock:
            draft = copy.deepcopy(self._state)
            answer = executions.resolve(draft, execution_id, body, self._clock)
            self._state = draft
            self._save()
            return answer

    def stored_workflows(self) -> list[dict[str, Any]]:
        """Every workflow at its current version, as stored (the request shape)."""
        with self._lock:
            return [copy.deepcopy(versions[-1]) for versions in self._state.workflows.values()]

    def add_fault(self, body: Any) -> dict[str, Any]:
        fault = parse_fault(body)
        with self._lock:
            self._faults.add(fault)
            return fault.to_wire()

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._faults.to_wire()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def settings(self) -> dict[str, Any]:
        with self._lock:
            return self._settings.to_wire()

    def configure(self, body: Any) -> dict[str, Any]:
        """Change any setting (``Settings``); a new rate limit starts fresh windows."""
        with self._lock:
            settings = parse_settings(body, self._settings)
            if settings.rate_limit != self._settings.rate_limit:
                self._limiter = RateLimiter(settings.rate_limit)
            self._settings = settings
            return self._settings.to_wire()

    def empty_bodies(self) -> bool:
        """Whether delete and toggle answer with no body (U-25)."""
        with self._lock:
            return self._settings.empty_bodies

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return self._traffic.counters()

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return self._traffic.requests()

    # -- the request pipeline (used by the HTTP layer) -------------------------------------

    def is_valid_key(self, presented: str | None) -> bool:
        return presented is not None and hmac.compare_digest(
            presented.encode("utf-8", "surrogateescape"), self.api_key.encode()
        )

    def rate_hit(self, bucket: str) -> RateDecision:
        with self._lock:
            return self._limiter.hit(bucket, time.time())

    def take_fault(self, method: str, path: str, template: str | None) -> Fault | None:
        with self._lock:
            return self._faults.take(method, path, template)

    def is_denied(self, method: str, template: str) -> bool:
        with self._lock:
            return f"{method} {template}" in self._settings.deny

    def latency_seconds(self) -> float:
        with self._lock:
            return self._settings.latency_ms / 1000

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self._traffic.record(_redacted(entry, self.api_key))

    # -- helpers ---------------------------------------------------------------------------

    def _answer(self, record: dict[str, Any]) -> dict[str, Any]:
        """A stored workflow as the configured answer shape shows it (a copy)."""
        return self._answers([record])[0]

    def _answers(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        registry, shape = _registry_view(self._state), self._settings.response_shape
        return [render_workflow(record, shape, registry) for record in records]

    def _versions(self, identifier: str) -> list[dict[str, Any]]:
        versions = self._state.workflows.get(identifier)
        if versions is None:
            raise NotFound(f"Workflow {identifier} not found")
        return versions

    def _new_workflow_record(self, body: Any, state: State) -> dict[str, Any]:
        """A version-1 record from a create body: the body's fields verbatim, plus server fields."""
        event = validate_create(body, _registry_view(state))
        now = self._clock.now()
        record: dict[str, Any] = {
            "uid": new_id(),
            "type": body.get("type", "MANUAL"),
            "subType": body.get("subType", "WORKFLOW"),
            "uniqueIdentifier": new_id(),
            "name": body["name"],
            "version": 1,
            "triggerEvent": trigger_event_object(event),
            "filters": copy.deepcopy(body.get("filters", {})),
            "annotations": copy.deepcopy(body.get("annotations", [])),
            "workflowDefinition": copy.deepcopy(body["workflowDefinition"]),
            "executingAgent": body["executingAgent"],
            "isActive": True,
            "createdAt": now,
            "updatedAt": now,
            "createdBy": EMULATOR_USER_ID,
        }
        record.update(
            {k: copy.deepcopy(body[k]) for k in ("teamId", "metadata") if body.get(k) is not None}
        )
        return record

    def _save(self) -> None:
        if self._state_file is not None:
            save_state(self._state_file, self._state)

    def _create_state_file(self) -> None:
        """Write the fresh state at once, so the file exists (and is valid) from the start."""
        try:
            self._save()
        except OSError as error:
            raise StateFileError(
                f"cannot write state file {self._state_file}: {error.strerror}; "
                "give a path in a directory you can write to"
            ) from error


def _registry_view(state: State) -> RegistryView:
    return RegistryView(state.events, state.activities)


def trigger_event_object(event: dict[str, Any]) -> dict[str, Any]:
    """The TriggerEvent embedded in a workflow: the registry event without its registry flags."""
    return {key: copy.deepcopy(event.get(key)) for key in TRIGGER_EVENT_FIELDS}


def _apply_update(
    current: dict[str, Any], body: dict[str, Any], event: dict[str, Any] | None
) -> dict[str, Any]:
    """The next version: each top-level field sent replaces the stored one (no deep merge)."""
    record = copy.deepcopy(current)
    for name, value in body.items():
        if name == "isActive":
            continue  # activation changes only through toggle (U-9)
        if value is None:
            record.pop(name, None)
        else:
            record[name] = copy.deepcopy(value)
    if event is not None:
        record["triggerEvent"] = trigger_event_object(event)
    return record


def _workflow_matches(workflow: dict[str, Any], query: WorkflowQuery) -> bool:
    checks = [
        query.team_id is None or workflow.get("teamId") == query.team_id,
        query.type is None or workflow.get("type") == query.type,
        query.sub_types is None or workflow.get("subType") in query.sub_types,
    ]
    return all(checks)


def _execution_matches(run: dict[str, Any], query: ExecutionQuery) -> bool:
    started = parse_instant(run["startedAt"])
    checks = [
        run["workflowId"] == query.workflow_id,
        query.version is None or run.get("version") == query.version,
        query.status is None or run.get("status") == query.status,
        query.start is None or started >= query.start,
        query.end is None or started <= query.end,
    ]
    return all(checks)


def _team_visible(entry: dict[str, Any], team_id: str | None) -> bool:
    """Org-wide entries are always listed; team entries only when that team is asked for."""
    return entry.get("teamId") is None or entry.get("teamId") == team_id


def _redacted(entry: RequestRecord, api_key: str) -> RequestRecord:
    """Never keep the API key, even if a caller put it in the query string."""
    query = {k: ("[redacted]" if api_key in v else v) for k, v in entry.query.items()}
    return replace(entry, query=query, path=entry.path.replace(api_key, "[redacted]"))
