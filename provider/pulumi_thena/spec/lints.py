"""Lints over a wire workflow: what is valid but cannot do what it says. Each is (field path, why).

    workflow_lints(workflow, event_schema=None)   -> every lint below, in this order
    filter_lints(workflow)       a workflow filter that can never match; an ~or branch that cannot
    step_lints(workflow)         a step that can never run: its filter, alone or with the
                                 workflow's, or a dependency that can never run
    reference_lints(workflow)    a template naming a step that is not finished by then
    schema_lints(workflow, event_schema)
                                 a path the trigger event's JSON Schema does not have, with the
                                 closest name it has

``event_schema`` is the ``schema`` of the trigger event's registry entry (docs/api.md 4.11): a
JSON Schema of the event, whose ``message.payload`` the filters read. Only what can be proven is
reported (``spec.contradictions``); paths under an annotation's ``pathToAnnotate`` and under
``context.steps`` are not the event's, so the schema lint passes them over.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_thena.spec.contradictions import Lint, dead_branches, never_matches
from pulumi_thena.spec.filters import field_paths
from pulumi_thena.spec.graph import dependency_order, step_ref
from pulumi_thena.spec.schemas import schema_gap
from pulumi_thena.spec.steps import EVENT_IDENTITY, annotation_items, compensation
from pulumi_thena.spec.templates import ROOT, path_segments, template_refs

__all__ = [
    "Lint",
    "filter_lints",
    "reference_lints",
    "schema_lints",
    "step_lints",
    "workflow_lints",
]


def workflow_lints(workflow: Mapping[str, Any], event_schema: Any = None) -> list[Lint]:
    """Every lint; the schema lint only when the trigger event's schema is given."""
    found = filter_lints(workflow) + step_lints(workflow) + reference_lints(workflow)
    if event_schema is not None:
        found += schema_lints(workflow, event_schema)
    return found


def filter_lints(workflow: Mapping[str, Any]) -> list[Lint]:
    """The workflow filter can never match (the workflow never runs), or an ~or branch cannot."""
    filters = workflow.get("filters")
    dead = never_matches([(filters, "filters")])
    if dead is not None:
        return [(dead[0], f"the workflow can never trigger: {dead[1]}")]
    return dead_branches(filters, "filters")


def _steps(workflow: Mapping[str, Any]) -> dict[str, tuple[int, Mapping[str, Any]]]:
    steps = workflow.get("workflowDefinition") or []
    return {step_ref(step.get("stepIdentifier")): (i, step) for i, step in enumerate(steps)}


def _order(workflow: Mapping[str, Any]) -> list[str]:
    try:
        return dependency_order(workflow.get("workflowDefinition") or [])
    except ValueError:  # a cycle is a validation error, reported there
        return []


def step_lints(workflow: Mapping[str, Any]) -> list[Lint]:
    """Steps that can never run, and why; each step is named once, at its first cause."""
    steps, found, dead = _steps(workflow), list[Lint](), set[str]()
    workflow_can_match = never_matches([(workflow.get("filters"), "filters")]) is None
    for ref in _order(workflow):
        index, step = steps[ref]
        why = _blocked_by(step, index, dead) or _never_passes(
            workflow, step, index, workflow_can_match
        )
        if why is not None:
            dead.add(ref)
            found.append((why[0], f"step {ref} can never run: {why[1]}"))
    return found


def _blocked_by(step: Mapping[str, Any], index: int, dead: set[str]) -> Lint | None:
    for position, dep in enumerate(step.get("dependencies") or []):
        if step_ref(dep) in dead:
            return (
                f"workflowDefinition[{index}].dependencies[{position}]",
                f"it depends on step {step_ref(dep)}, which can never run, so it is skipped",
            )
    return None


def _never_passes(
    workflow: Mapping[str, Any], step: Mapping[str, Any], index: int, workflow_can_match: bool
) -> Lint | None:
    if not step.get("filters"):  # no filter of its own: it passes wherever the workflow does
        return None
    own = (step.get("filters"), f"workflowDefinition[{index}].filters")
    alone = never_matches([own])
    if alone is not None:
        return alone[0], f"its filter can never match: {alone[1]}"
    if not workflow_can_match:
        return None
    both = never_matches([(workflow.get("filters"), "filters"), own])
    if both is not None:
        return both[0], f"its filter contradicts the workflow filter: {both[1]}"
    return None


def reference_lints(workflow: Mapping[str, Any]) -> list[Lint]:
    """Templates naming a step's result before that step is sure to have finished."""
    steps, found = _steps(workflow), []
    before = _ancestors(workflow, steps)
    for ref, (index, step) in steps.items():
        for path, template, own in _step_templates(step, index):
            named = _named_step(template)
            if named is None:
                continue
            why = _reference_problem(ref, named, before.get(ref, set()), steps, own)
            if why is not None:
                found.append((path, f"{{{{{template}}}}}: {why}"))
    return found


def _ancestors(
    workflow: Mapping[str, Any], steps: Mapping[str, tuple[int, Mapping[str, Any]]]
) -> dict[str, set[str]]:
    ancestors: dict[str, set[str]] = {}
    for ref in _order(workflow):
        deps = {step_ref(d) for d in steps[ref][1].get("dependencies") or []}
        ancestors[ref] = deps.union(*(ancestors.get(dep, set()) for dep in deps))
    return ancestors


def _step_templates(step: Mapping[str, Any], index: int) -> Iterator[tuple[str, str, bool]]:
    """Context paths a step reads with their field path; ``True`` for its compensation's."""
    for path, ref in filter_refs(step.get("filters"), f"workflowDefinition[{index}].filters"):
        for template in field_paths(ref):
            yield path, template, False
    for path, template in _input_templates(step, index):
        yield path, template, path.startswith(f"workflowDefinition[{index}].compensation")


def _input_templates(step: Mapping[str, Any], index: int) -> Iterator[tuple[str, str]]:
    """The templates of a step's input and of its compensation's input."""
    where = f"workflowDefinition[{index}]"
    yield from template_refs(step.get("input"), f"{where}.input")
    undo = compensation(step)
    if undo is not None:
        yield from template_refs(undo.get("input"), f"{where}.compensationActivity.input")


def _named_step(template: str) -> str | None:
    segments = path_segments(template)
    if segments[:2] == [ROOT, "steps"] and len(segments) > 2:
        return segments[2]
    return None


def _reference_problem(
    ref: str,
    named: str,
    before: set[str],
    steps: Mapping[str, tuple[int, Mapping[str, Any]]],
    compensating: bool,
) -> str | None:
    if named not in steps:
        return f"there is no step {named}; steps: {', '.join(steps)}"
    if named in before or (compensating and named == ref):
        return None
    if named == ref:
        return "a step cannot read its own result; only its compensationActivity can"
    return (
        f"step {named} is not among the dependencies of step {ref} (directly or through "
        f'others), so it may not have finished; add "{named}" to its dependencies'
    )


def schema_lints(workflow: Mapping[str, Any], event_schema: Any) -> list[Lint]:
    """Event paths (templates and filter fields) the trigger event's JSON Schema does not have."""
    annotated = [path_segments(str(a["pathToAnnotate"])) for a in annotation_items(workflow)]
    found = []
    for path, template, written in workflow_paths(workflow):
        segments = path_segments(template)
        if segments[:2] != [ROOT, "event"] or len(segments) < 3:
            continue
        if any(segments[: len(a)] == a for a in annotated):
            continue
        gap = schema_gap(event_schema, segments[2:])
        if gap is not None and segments[2] not in EVENT_IDENTITY:
            found.append((path, f"{written}: {gap}"))
    return found


def workflow_paths(workflow: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """Every context path the workflow reads: (field path, context path, as written)."""
    steps = _steps(workflow).values()
    refs = [*filter_refs(workflow.get("filters"), "filters")]
    for index, step in steps:
        refs += filter_refs(step.get("filters"), f"workflowDefinition[{index}].filters")
    for path, ref in refs:
        for template in field_paths(ref):
            yield path, template, ref if "{{" in ref else f"'{ref}'"
    templates = list(_annotation_templates(workflow))
    for index, step in steps:
        templates += _input_templates(step, index)
    for path, template in templates:
        yield path, template, f"{{{{{template}}}}}"


def _annotation_templates(workflow: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for index, item in enumerate(workflow.get("annotations") or []):
        if isinstance(item, Mapping):
            where = f"annotations[{index}].requiredFields"
            yield from template_refs(item.get("requiredFields"), where)


def filter_refs(filters: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every field reference in a filter, with its path (``filters.~and[0].priority``)."""
    if not isinstance(filters, Mapping):
        return
    for key, value in filters.items():
        where = f"{path}.{key}"
        if key in ("~and", "~or"):
            for index, item in enumerate(value if isinstance(value, list) else []):
                yield from filter_refs(item, f"{where}[{index}]")
        elif not key.startswith("~"):
            yield where, key
