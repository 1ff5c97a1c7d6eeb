"""Rules a definition must follow beyond its field types: the step graph and the registries.

``definition_problems`` needs nothing but the definition (used offline by the loader, by
``check`` and by the emulator); ``registry_problems`` cross-checks names against the event and
activity registries and the operator catalogue of one org.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from pydantic import ValidationError

from pulumi_thena.models.definition import (
    SLEEP_ACTIVITY,
    ActivityRef,
    WorkflowDefinition,
    WorkflowStep,
)
from pulumi_thena.models.filters import LOGICAL_OPERATORS, OPERATOR_CATEGORIES, filter_problems
from pulumi_thena.models.problems import Problem, closest
from pulumi_thena.spec.graph import step_graph_issues


@dataclass(frozen=True)
class Registry:
    """What one org (or team) offers: events by name and uid, activities with their versions."""

    event_names: Mapping[str, str] = field(default_factory=dict)
    """Event name -> event uid; uids are also accepted as names (SPEC U-7)."""
    activity_versions: Mapping[str, frozenset[int]] = field(default_factory=dict)
    operators: frozenset[str] = frozenset((*OPERATOR_CATEGORIES, *LOGICAL_OPERATORS))

    def event_uid(self, name_or_uid: str) -> str | None:
        if name_or_uid in self.event_names:
            return self.event_names[name_or_uid]
        return name_or_uid if name_or_uid in self.event_names.values() else None


def definition_problems(definition: WorkflowDefinition) -> list[Problem]:
    """Every offline rule: graph, pinned versions, filter syntax, compensation and approvals."""
    steps = definition.workflow_definition
    problems = list(step_graph_problems(steps))
    problems += filter_problems(definition.filters, "filters")
    for index, step in enumerate(steps):
        problems += _step_problems(step, f"workflowDefinition[{index}]")
    return problems


def partial_problems(fields: Mapping[str, Any]) -> list[Problem]:
    """The rules that need only part of a definition, on the parts of ``fields`` that parse.

    For a definition the models refuse: its other problems are still worth reporting at once
    (a dependency on a missing step, a misspelled operator), so each rule runs on what it can
    read: the step graph on the steps whose identifier reads, each step's rules on the steps
    that validate alone, the filter rules on a filters object.
    """
    problems: list[Problem] = []
    filters = fields.get("filters")
    if isinstance(filters, dict):
        problems += filter_problems(filters, "filters")
    steps = fields.get("workflowDefinition")
    if not isinstance(steps, list):
        return problems
    readable = [(i, s) for i, s in enumerate(steps) if isinstance(s, Mapping) and _readable_id(s)]
    wire = [
        {"stepIdentifier": s["stepIdentifier"], "dependencies": _dependency_refs(s)}
        for _, s in readable
    ]
    issues = step_graph_issues(wire, [index for index, _ in readable])
    problems += [Problem(path, message) for path, message in issues]
    for index, raw in enumerate(steps):
        try:
            step = WorkflowStep.model_validate(raw)
        except ValidationError:
            continue
        problems += _step_problems(step, f"workflowDefinition[{index}]")
    return problems


def _readable_id(step: Mapping[str, Any]) -> bool:
    sid = step.get("stepIdentifier")
    return (isinstance(sid, int) and not isinstance(sid, bool)) or (
        isinstance(sid, float) and sid.is_integer()
    )


def _dependency_refs(step: Mapping[str, Any]) -> list[Any]:
    deps = step.get("dependencies")
    if not isinstance(deps, list):
        return []
    return [d for d in deps if isinstance(d, str | int | float) and not isinstance(d, bool)]


def step_graph_problems(steps: list[WorkflowStep]) -> Iterator[Problem]:
    """Unique step identifiers, dependencies that exist, and no cycles (``spec.graph``)."""
    wire = [
        {"stepIdentifier": step.step_identifier, "dependencies": step.dependencies}
        for step in steps
    ]
    for path, message in step_graph_issues(wire):
        yield Problem(path, message)


def _step_problems(step: WorkflowStep, path: str) -> Iterator[Problem]:
    yield from _activity_problems(step.activity, f"{path}.activity")
    yield from filter_problems(step.filters, f"{path}.filters")
    if step.compensation_activity is not None:
        yield from _activity_problems(
            step.compensation_activity.activity, f"{path}.compensationActivity.activity"
        )
    if step.is_sleep_activity and step.activity.unique_identifier != SLEEP_ACTIVITY:
        yield Problem(
            f"{path}.activity.uniqueIdentifier",
            f"a sleep step (isSleepActivity: true) must run the '{SLEEP_ACTIVITY}' activity",
        )
    if step.approver is not None and not step.require_approval:
        yield Problem(
            f"{path}.requireApproval",
            "an approver is set but requireApproval is false; set requireApproval: true "
            "or remove the approver",
        )
    yield from _approver_shape_problems(step, path)


_DOCUMENTED = "approver: {type: USER|TEAM, uid: <id>, timeout: <seconds>}"


def _approver_shape_problems(step: WorkflowStep, path: str) -> Iterator[Problem]:
    """One approver shape per step (docs/api.md U-23); the documented one is the one to keep."""
    approver = step.approver
    older = [
        name
        for name, value in (
            ("approverType", step.approver_type),
            ("approvalTimeout", step.approval_timeout),
        )
        if value is not None
    ]
    if approver is None:
        for name in older:
            yield Problem(
                f"{path}.{name}",
                f"{name} is set without an approver; write {_DOCUMENTED} or remove {name}",
            )
        return
    if isinstance(approver, str):
        return  # the older string shape, with approverType and approvalTimeout beside it
    if approver.uid is not None and approver.id is not None:
        yield Problem(
            f"{path}.approver.id",
            "the approver has both uid (the documented shape) and id (an older shape); keep "
            "uid and remove id",
        )
    elif approver.uid is None and approver.id is None:
        yield Problem(f"{path}.approver.uid", f"the approver names no one; write {_DOCUMENTED}")
    elif approver.id is not None and approver.timeout is not None:
        yield Problem(
            f"{path}.approver.id",
            "id belongs to an older approver shape, mixed here with timeout (the documented "
            "shape); keep the documented shape: rename id to uid",
        )
    documented = approver.uid is not None or approver.timeout is not None
    for name in older:
        if documented or name == "approverType":
            field = "approver.type" if name == "approverType" else "approver.timeout"
            yield Problem(
                f"{path}.{name}",
                f"{name} belongs to an older approver shape, mixed here with the object "
                f"approver; keep the documented shape: write {field} instead and remove {name}",
            )


def _activity_problems(activity: ActivityRef, path: str) -> Iterator[Problem]:
    if not activity.auto_upgrade_to_latest_version and activity.version is None:
        yield Problem(
            f"{path}.version",
            "autoUpgradeToLatestVersion is false, so a pinned version is required; "
            "add version: <number> or remove autoUpgradeToLatestVersion",
        )


def registry_problems(definition: WorkflowDefinition, registry: Registry) -> list[Problem]:
    """Names that the org's registries do not know: trigger event, activities, versions."""
    return wire_registry_problems(definition.to_wire(), registry)


def wire_registry_problems(fields: Mapping[str, Any], registry: Registry) -> list[Problem]:
    """``registry_problems`` on a definition's wire fields, as far as they can be read.

    Runs on a file that does not validate as a whole too: a name that reads is checked, and a
    value that is not a plain name (a placeholder no stack resolved) is left alone.
    """
    problems: list[Problem] = []
    event = fields.get("triggerEvent")
    if registry.event_names and _name(event) and registry.event_uid(event) is None:
        hint = closest(event, registry.event_names)
        problems.append(
            Problem(
                "triggerEvent",
                f"unknown trigger event '{event}'"
                + (f"; did you mean '{hint}'?" if hint else "")
                + f" Events of this org: {', '.join(sorted(registry.event_names))}",
            )
        )
    filters = fields.get("filters")
    default = frozenset((*OPERATOR_CATEGORIES, *LOGICAL_OPERATORS))
    if registry.operators != default and isinstance(filters, dict):
        problems += filter_problems(filters, "filters", registry.operators)
    steps = fields.get("workflowDefinition")
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, Mapping):
            continue
        refs = [(f"workflowDefinition[{index}].activity", step.get("activity"))]
        compensation = step.get("compensationActivity")
        if isinstance(compensation, Mapping):
            where = f"workflowDefinition[{index}].compensationActivity.activity"
            refs.append((where, compensation.get("activity")))
        for where, ref in refs:
            if isinstance(ref, Mapping):
                problems += _registry_activity_problems(ref, where, registry)
    return problems


def _name(value: Any) -> TypeGuard[str]:
    """A plain name to look up: a string without an unresolved placeholder."""
    return isinstance(value, str) and bool(value) and "${" not in value


def _registry_activity_problems(
    ref: Mapping[str, Any], path: str, registry: Registry
) -> Iterable[Problem]:
    activity = ref.get("uniqueIdentifier")
    if not registry.activity_versions or not _name(activity):
        return
    versions = registry.activity_versions.get(activity)
    version = ref.get("version")
    if versions is None:
        hint = closest(activity, registry.activity_versions)
        yield Problem(
            f"{path}.uniqueIdentifier",
            f"unknown activity '{activity}'"
            + (f"; did you mean '{hint}'?" if hint else "; check the activity registry"),
        )
    elif isinstance(version, int) and versions and version not in versions:
        yield Problem(
            f"{path}.version",
            f"activity '{activity}' has no version {version}; "
            f"available versions: {', '.join(str(v) for v in sorted(versions))}",
        )
