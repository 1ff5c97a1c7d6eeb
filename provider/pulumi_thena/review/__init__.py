"""Reviewing workflow changes: diagrams, escaping for Markdown and Mermaid, PR comments.

    workflow_mermaid(wire, secret_paths)    one workflow as a Mermaid flowchart
    workflow_dot(wire, secret_paths)        the same in Graphviz DOT (``graphviz.render``: SVG, PNG)
    change_mermaid(old, new, ...)           a change (old or new may be None) with a legend
    change_dot(old, new, ...)               the same in DOT
    escape                                  Markdown text and cells, Mermaid labels, HTML comments

Everything here is pure (wire dicts in, text out) except ``graphviz`` (runs ``dot``) and
``github`` (GitHub's REST API, for the pull-request comment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_thena.review.diagram import Diagram, Mark, change_diagram, workflow_diagram
from pulumi_thena.review.dot import dot
from pulumi_thena.review.mermaid import fenced, mermaid

__all__ = [
    "Diagram",
    "Mark",
    "change_diagram",
    "change_dot",
    "change_mermaid",
    "dot",
    "fenced",
    "mermaid",
    "workflow_diagram",
    "workflow_dot",
    "workflow_mermaid",
]


def workflow_mermaid(wire: Mapping[str, Any], secret_paths: Sequence[str] = ()) -> str:
    """One workflow (wire form) as Mermaid; values at ``secret_paths`` show as [secret]."""
    return mermaid(workflow_diagram(wire, secret_paths))


def workflow_dot(wire: Mapping[str, Any], secret_paths: Sequence[str] = ()) -> str:
    """One workflow (wire form) as Graphviz DOT; values at ``secret_paths`` show as [secret]."""
    return dot(workflow_diagram(wire, secret_paths))


def change_mermaid(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    old_secret_paths: Sequence[str] = (),
    new_secret_paths: Sequence[str] = (),
) -> str:
    """A change as Mermaid: added, removed (dashed) and changed steps, with a legend."""
    return mermaid(
        change_diagram(
            old, new, old_secret_paths=old_secret_paths, new_secret_paths=new_secret_paths
        )
    )


def change_dot(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    *,
    old_secret_paths: Sequence[str] = (),
    new_secret_paths: Sequence[str] = (),
) -> str:
    """A change as Graphviz DOT, styled as ``change_mermaid``."""
    return dot(
        change_diagram(
            old, new, old_secret_paths=old_secret_paths, new_secret_paths=new_secret_paths
        )
    )
