"""A workflow, or a change to one, as a diagram: the nodes and edges both formats draw.

``workflow_diagram`` draws one workflow: a node for the workflow (its name, trigger event,
filters) and one per step, edges from each step's ``dependencies`` (from the workflow node for
steps without any), a step's own filters on the edges into it. ``change_diagram`` draws the old
and the new workflow over each other, each node and edge marked added, removed, changed or
unchanged. ``review.mermaid`` and ``review.dot`` write a diagram in their format; the package's
``workflow_*`` and ``change_*`` functions do both steps.

Input is wire dicts as the API carries them (``WorkflowDefinition.to_wire()``; for a change,
both sides in the same canonical form, so that only real differences show). Secrets never
show: values at the caller's ``secret_paths`` and any ``${secret.NAME}`` text become ``[secret]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pulumi_thena.review import describe
from pulumi_thena.spec.graph import dependency_order, ref_sort_key, step_ref

WORKFLOW_NODE = "workflow"
MAX_CHANGED_FIELDS = 4
_STEP_KEY = "workflowDefinition"


class Mark(StrEnum):
    """How a node or edge of a change diagram differs between the old and the new workflow."""

    UNCHANGED = "unchanged"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Node:
    """A box: the workflow (``key`` ``workflow``) or a step (``key`` its stepIdentifier)."""

    key: str
    title: tuple[str, ...]
    """The bold first lines: the workflow's name (wrapped), or a step's number and activity."""
    lines: tuple[str, ...] = ()
    mark: Mark = Mark.UNCHANGED

    @property
    def is_workflow(self) -> bool:
        return self.key == WORKFLOW_NODE


@dataclass(frozen=True)
class Edge:
    """``target`` runs after ``source``; ``label`` holds the target's own filters."""

    source: str
    target: str
    label: tuple[str, ...] = ()
    mark: Mark = Mark.UNCHANGED


@dataclass(frozen=True)
class Diagram:
    """What both formats draw; ``legend`` is set on change diagrams."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    legend: bool = False

    def marks(self) -> set[Mark]:
        return {node.mark for node in self.nodes} | {edge.mark for edge in self.edges}


# -- one workflow --------------------------------------------------------------------------


def workflow_diagram(wire: Mapping[str, Any], secret_paths: Sequence[str] = ()) -> Diagram:
    """The diagram of one workflow (wire form); values at ``secret_paths`` show as [secret]."""
    shown = describe.without_secrets(wire, secret_paths)
    steps = _steps(shown)
    nodes = [_workflow_node(shown), *(_step_node(steps[key], steps) for key in _order(steps))]
    return Diagram(tuple(nodes), tuple(_edges(steps)))


def _steps(wire: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    """The steps by identifier (as dependencies name them); the first of a duplicate wins."""
    found: dict[str, Mapping[str, Any]] = {}
    steps = wire.get(_STEP_KEY) if wire is not None else None
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, Mapping):
            found.setdefault(step_ref(step.get("stepIdentifier")), step)
    return found


def _order(steps: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Steps in run order (a graph with a cycle, which no valid workflow has: by identifier)."""
    try:
        return dependency_order(list(steps.values()))
    except ValueError:
        return sorted(steps, key=ref_sort_key)


def _workflow_node(
    wire: Mapping[str, Any], mark: Mark = Mark.UNCHANGED, extra: Sequence[str] = ()
) -> Node:
    title = describe.name_lines(wire.get("name"))
    return Node(WORKFLOW_NODE, title, (*describe.workflow_lines(wire), *extra), mark)


def _step_node(
    step: Mapping[str, Any],
    known: Mapping[str, Any],
    mark: Mark = Mark.UNCHANGED,
    extra: Sequence[str] = (),
) -> Node:
    missing = [dep for dep in _dependencies(step) if dep not in known]
    lines = describe.step_lines(step)
    if missing:
        lines += describe.wrapped(f"after missing step {', '.join(missing)}")
    return Node(
        step_ref(step.get("stepIdentifier")), (describe.step_title(step),), (*lines, *extra), mark
    )


def _dependencies(step: Mapping[str, Any]) -> list[str]:
    deps = step.get("dependencies")
    return sorted({step_ref(d) for d in deps}, key=ref_sort_key) if isinstance(deps, list) else []


def _edges(steps: Mapping[str, Mapping[str, Any]]) -> Iterable[Edge]:
    for key in _order(steps):
        step = steps[key]
        label = tuple(describe.step_filter_lines(step))
        sources = [dep for dep in _dependencies(step) if dep in steps and dep != key]
        for source in sources or [WORKFLOW_NODE]:
            yield Edge(source, key, label)


# -- a change ------------------------------------------------------------------------------


def change_diagram(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    old_secret_paths: Sequence[str] = (),
    new_secret_paths: Sequence[str] = (),
) -> Diagram:
    """Old and new workflow in one diagram, each node and edge marked; None: created/deleted.

    A step is changed when its wire dicts differ; its node lists the fields that did (paths,
    never values). Compare like with like: both sides canonical, secrets as the caller
    compared them; the values shown are those of ``new`` (of ``old`` for removed steps).
    """
    if old is None and new is None:
        raise ValueError("a change needs an old or a new workflow")
    shown_old = describe.without_secrets(old, old_secret_paths) if old is not None else None
    shown_new = describe.without_secrets(new, new_secret_paths) if new is not None else None
    raw_old, raw_new = _steps(old), _steps(new)
    before, after = _steps(shown_old), _steps(shown_new)
    nodes = [_workflow_change(old, new, shown_old, shown_new)]
    for key in _merged_order(before, after):
        if key not in before:
            nodes.append(_step_node(after[key], after, Mark.ADDED))
        elif key not in after:
            nodes.append(_step_node(before[key], before, Mark.REMOVED))
        else:
            fields = changed_paths(raw_old[key], raw_new[key])
            mark = Mark.CHANGED if fields else Mark.UNCHANGED
            nodes.append(_step_node(after[key], after, mark, _changed_line(fields)))
    edges = _edge_changes(list(_edges(before)), list(_edges(after)))
    return Diagram(tuple(nodes), tuple(edges), legend=True)


def _workflow_change(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    shown_old: Mapping[str, Any] | None,
    shown_new: Mapping[str, Any] | None,
) -> Node:
    if old is None or shown_old is None:
        assert shown_new is not None
        return _workflow_node(shown_new, Mark.ADDED)
    if new is None or shown_new is None:
        return _workflow_node(shown_old, Mark.REMOVED)
    top_old = {k: v for k, v in old.items() if k != _STEP_KEY}
    top_new = {k: v for k, v in new.items() if k != _STEP_KEY}
    fields = changed_paths(top_old, top_new)
    mark = Mark.CHANGED if fields else Mark.UNCHANGED
    return _workflow_node(shown_new, mark, _changed_line(fields))


def _merged_order(
    before: Mapping[str, Mapping[str, Any]], after: Mapping[str, Mapping[str, Any]]
) -> list[str]:
    """The new run order, each removed step placed after the steps it depended on."""
    order = _order(after)
    for key in _order(before):
        if key in order:
            continue
        deps = [dep for dep in _dependencies(before[key]) if dep in order]
        position = max((order.index(dep) + 1 for dep in deps), default=0)
        order.insert(position, key)
    return order


def _edge_changes(before: Sequence[Edge], after: Sequence[Edge]) -> Iterable[Edge]:
    old = {(edge.source, edge.target): edge for edge in before}
    for edge in after:
        previous = old.pop((edge.source, edge.target), None)
        if previous is None:
            yield Edge(edge.source, edge.target, edge.label, Mark.ADDED)
        elif previous.label != edge.label:
            yield Edge(edge.source, edge.target, edge.label, Mark.CHANGED)
        else:
            yield edge
    for edge in old.values():
        yield Edge(edge.source, edge.target, edge.label, Mark.REMOVED)


def changed_paths(old: Any, new: Any, path: str = "", depth: int = 2) -> list[str]:
    """The field paths where ``old`` and ``new`` differ, objects followed ``depth`` levels."""
    if old == new:
        return []
    if depth == 0 or not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return [path or "(value)"]
    found: list[str] = []
    for key in [*old, *(k for k in new if k not in old)]:
        where = f"{path}.{key}" if path else str(key)
        found += changed_paths(old.get(key), new.get(key), where, depth - 1)
    return found


def _changed_line(fields: Sequence[str]) -> list[str]:
    if not fields:
        return []
    shown = ", ".join(fields[:MAX_CHANGED_FIELDS])
    if len(fields) > MAX_CHANGED_FIELDS:
        shown += f" and {len(fields) - MAX_CHANGED_FIELDS} more"
    return describe.wrapped(f"changed: {shown}")
