"""runs: the recent executions of one workflow and, on request, their tasks.

A workflow is named by its uniqueIdentifier, its file stem (through the owner marker
``<project>/<stack>/<stem>``) or its name. Durations are written ``30m``, ``24h``, ``7d`` (or
combined, ``1h30m``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pulumi_thena.cli.errors import WorkflowNotFound
from pulumi_thena.diff import owner_marker, resource_of
from pulumi_thena.models import Workflow, WorkflowExecution, WorkflowTask
from pulumi_thena.models.problems import closest

_PART = re.compile(r"(\d+)([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``24h``, ``7d``, ``1h30m`` -> a timedelta; ValueError for anything else."""
    compact = text.strip().lower()
    if not compact or _PART.sub("", compact):
        raise ValueError(f"'{text}' is not a duration; write e.g. 30m, 24h or 7d")
    parts = {_UNITS[unit]: 0.0 for unit in _UNITS}
    for amount, unit in _PART.findall(compact):
        parts[_UNITS[unit]] += int(amount)
    return timedelta(**parts)


@dataclass(frozen=True)
class Run:
    """One execution and, when asked for, its tasks."""

    execution: WorkflowExecution
    tasks: tuple[WorkflowTask, ...] | None = None

    def with_tasks(self, tasks: Sequence[WorkflowTask]) -> Run:
        """This run with its tasks in the order they started (retries and compensations too)."""
        ordered = sorted(tasks, key=lambda t: (t.started_at or "", t.step_identifier or 0))
        return Run(self.execution, tuple(ordered))

    @property
    def seconds(self) -> float | None:
        started = _instant(self.execution.started_at)
        ended = _instant(self.execution.last_updated_at)
        return (ended - started).total_seconds() if started and ended else None

    def to_json(self) -> dict[str, Any]:
        data = self.execution.model_dump(mode="json", by_alias=True)
        data["durationSeconds"] = self.seconds
        if self.tasks is not None:
            data["tasks"] = [task.model_dump(mode="json", by_alias=True) for task in self.tasks]
        return data


@dataclass(frozen=True)
class RunsReport:
    """The workflow asked for and its runs, newest first."""

    workflow: Workflow
    runs: tuple[Run, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": {
                "uniqueIdentifier": self.workflow.unique_identifier,
                "name": self.workflow.name,
                "owner": owner_marker(self.workflow.metadata),
                "version": self.workflow.version,
            },
            "executions": [run.to_json() for run in self.runs],
        }


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def find_workflow(
    live: Sequence[Workflow],
    query: str,
    *,
    project: str,
    stack: str | None = None,
    file_name: str | None = None,
) -> Workflow:
    """The one workflow ``query`` names: uniqueIdentifier, then file stem, then name."""
    for workflow in live:
        if workflow.unique_identifier == query:
            return workflow
    marked = [wf for wf in live if resource_of(owner_marker(wf.metadata), project, stack) == query]
    candidates = marked or _named(live, {query, file_name or query}, project, stack)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise WorkflowNotFound(_ambiguous(query, candidates))
    hint = closest(query, [wf.name for wf in live if wf.name])
    suggestion = f"; did you mean '{hint}'?" if hint else "."
    where = f" in stack '{stack}'" if stack else ""
    raise WorkflowNotFound(
        f"no workflow named '{query}'{where}{suggestion} Give a file name (stem), a workflow "
        "name or a uniqueIdentifier"
    )


def _named(
    live: Sequence[Workflow], names: set[str], project: str, stack: str | None
) -> list[Workflow]:
    named = [wf for wf in live if wf.name in names]
    if stack is None:
        return named
    ours = [wf for wf in named if resource_of(owner_marker(wf.metadata), project, stack)]
    return ours or named


def _ambiguous(query: str, candidates: Sequence[Workflow]) -> str:
    listing = "; ".join(
        f"{wf.unique_identifier} (owner {owner_marker(wf.metadata) or 'none'})" for wf in candidates
    )
    return (
        f"'{query}' names {len(candidates)} workflows: {listing}. Pass --stack, or give the "
        "uniqueIdentifier instead"
    )
