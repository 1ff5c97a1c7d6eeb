"""The step graph of docs/api.md section 5.5, on wire steps: its rules and the order steps run in.

A step is a mapping with ``stepIdentifier`` (a number) and ``dependencies`` (step identifiers as
strings). The rules: each identifier is used once, a dependency names an existing other step,
a step lists a dependency once, and the dependencies form no cycle.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

GraphIssue = tuple[str, str]
"""A broken rule: the field path (``workflowDefinition[2].dependencies[0]``) and what to do."""


def step_ref(value: Any) -> str:
    """A step identifier as dependencies carry it: ``2``, ``2.0`` and ``"2"`` are ``"2"``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def ref_sort_key(ref: str) -> tuple[int, int, str]:
    """Numeric references sort as numbers ("2" before "10"); anything else after them."""
    return (0, int(ref), "") if ref.isdigit() else (1, 0, ref)


def _dependencies(step: Mapping[str, Any]) -> list[str]:
    deps = step.get("dependencies") or []
    return [step_ref(dep) for dep in deps] if isinstance(deps, list) else []


def step_graph_issues(
    steps: Sequence[Mapping[str, Any]], positions: Sequence[int] | None = None
) -> Iterator[GraphIssue]:
    """Every broken rule of the step graph, with the path of the step (list index) at fault.

    ``positions`` gives each step's index in the definition when ``steps`` is a selection of
    its steps (those whose identifier could be read).
    """
    at = list(positions) if positions is not None else list(range(len(steps)))
    seen: dict[str, int] = {}
    for index, step in zip(at, steps, strict=True):
        sid = step_ref(step.get("stepIdentifier"))
        if sid in seen:
            yield (
                f"workflowDefinition[{index}].stepIdentifier",
                f"stepIdentifier {sid} is used by more than one step; give each step its own "
                "number",
            )
        seen.setdefault(sid, index)
    known = sorted(seen, key=ref_sort_key)
    for index, step in zip(at, steps, strict=True):
        sid = step_ref(step.get("stepIdentifier"))
        deps = _dependencies(step)
        for dep_index, dep in enumerate(deps):
            where = f"workflowDefinition[{index}].dependencies[{dep_index}]"
            if dep == sid:
                yield where, "a step cannot depend on itself; remove this dependency"
            elif dep not in seen:
                yield (
                    where,
                    f"depends on step {dep}, which does not exist; existing steps: "
                    f"{', '.join(known)}",
                )
        if len(set(deps)) != len(deps):
            yield f"workflowDefinition[{index}].dependencies", "lists a step twice; list it once"
    cycle = find_cycle(steps)
    if cycle:
        yield (
            "workflowDefinition",
            f"the dependencies form a cycle ({' -> '.join(cycle)}); remove one of these "
            "dependencies so that the steps form a DAG",
        )


def _edges(steps: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    edges: dict[str, list[str]] = {}
    for step in steps:
        edges.setdefault(step_ref(step.get("stepIdentifier")), []).extend(_dependencies(step))
    return edges


def find_cycle(steps: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """One cycle of dependencies (``["1", "2", "1"]``), self-dependencies aside; else None."""
    edges = _edges(steps)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in edges.get(node, []):
            if dep not in edges or dep == node:
                continue
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state and (found := visit(dep)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges, key=ref_sort_key):
        if node not in state and (found := visit(node)):
            return found
    return None


def dependency_order(steps: Sequence[Mapping[str, Any]]) -> list[str]:
    """Step identifiers in an order that runs each step after its dependencies.

    Among steps that are ready together, the lower identifier comes first. Dependencies on
    missing steps are ignored; a graph with a cycle raises ValueError.
    """
    if find_cycle(steps):
        raise ValueError("the step dependencies form a cycle")
    edges = _edges(steps)
    waiting = {sid: {d for d in deps if d in edges and d != sid} for sid, deps in edges.items()}
    order: list[str] = []
    while waiting:
        ready = sorted((sid for sid, deps in waiting.items() if not deps), key=ref_sort_key)
        order.append(ready[0])
        del waiting[ready[0]]
        for deps in waiting.values():
            deps.discard(ready[0])
    return order
