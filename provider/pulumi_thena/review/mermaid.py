"""A diagram as a Mermaid flowchart (``flowchart TD``), as GitHub and GitLab render in Markdown.

Node ids are ours (``workflow``, ``s0``, ``s1``...), never taken from the workflow; every label
goes through ``escape.mermaid_label``. Added edges are thick, removed ones dotted, and colours
follow GitHub's diff colours, with the text colour set so that dark themes stay readable.
"""

from __future__ import annotations

from pulumi_thena.review.describe import LINE_WIDTH
from pulumi_thena.review.diagram import Diagram, Edge, Mark, Node
from pulumi_thena.review.escape import mermaid_label

# Mermaid wraps labels at 200 px unless told otherwise; our lines are already wrapped.
WRAPPING_WIDTH = LINE_WIDTH * 8 + 20
HEADER = ("---", "config:", "  flowchart:", f"    wrappingWidth: {WRAPPING_WIDTH}", "---")
TEXT = "color:#1f2328"
CLASS_STYLES = {
    "workflow": f"fill:#ddf4ff,stroke:#0969da,{TEXT}",
    "step": f"fill:#f6f8fa,stroke:#57606a,{TEXT}",
    Mark.ADDED.value: f"fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,{TEXT}",
    Mark.REMOVED.value: "fill:#ffebe9,stroke:#cf222e,stroke-dasharray:6 4,color:#59636e",
    Mark.CHANGED.value: f"fill:#fff8c5,stroke:#9a6700,stroke-width:2px,{TEXT}",
}
ARROWS = {Mark.ADDED: "==>", Mark.REMOVED: "-.->"}
LINK_STYLES = {
    Mark.ADDED: "stroke:#1a7f37,stroke-width:2px",
    Mark.REMOVED: "stroke:#cf222e,stroke-width:1.5px",
    Mark.CHANGED: "stroke:#9a6700,stroke-width:2px",
}
LEGEND = (
    (Mark.ADDED, "added"),
    (Mark.REMOVED, "removed (dashed)"),
    (Mark.CHANGED, "changed"),
    (Mark.UNCHANGED, "unchanged"),
)


def mermaid(diagram: Diagram) -> str:
    """The Mermaid source of ``diagram`` (without a Markdown fence)."""
    ids = {node.key: _node_id(index, node) for index, node in enumerate(diagram.nodes)}
    lines = [*HEADER, "flowchart TD"]
    lines += [f"  {ids[node.key]}{_shape(node)}" for node in diagram.nodes]
    lines += [_edge(edge, ids) for edge in diagram.edges]
    lines += [
        f"  linkStyle {index} {LINK_STYLES[edge.mark]}"
        for index, edge in enumerate(diagram.edges)
        if edge.mark in LINK_STYLES
    ]
    if diagram.legend:
        lines += _legend(diagram.marks(), ids[diagram.nodes[-1].key])
    lines += [f"  classDef {name} {style}" for name, style in CLASS_STYLES.items()]
    lines += _class_assignments(diagram.nodes, ids)
    return "\n".join(lines) + "\n"


def fenced(source: str) -> str:
    """Mermaid source as a Markdown code block (labels are escaped, so no backtick occurs)."""
    return f"```mermaid\n{source}```\n"


def _node_id(index: int, node: Node) -> str:
    return "workflow" if node.is_workflow else f"s{index}"


def _label(title: tuple[str, ...], lines: tuple[str, ...]) -> str:
    parts = [f"<b>{mermaid_label(line)}</b>" for line in title]
    parts += [mermaid_label(line) for line in lines]
    return "<br>".join(parts)


def _shape(node: Node) -> str:
    label = _label(node.title, node.lines)
    return f'("{label}")' if node.is_workflow else f'["{label}"]'


def _edge(edge: Edge, ids: dict[str, str]) -> str:
    arrow = ARROWS.get(edge.mark, "-->")
    text = "<br>".join(mermaid_label(line) for line in edge.label)
    label = f'|"{text}"|' if text else ""
    return f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}"


def _legend(marks: set[Mark], last: str) -> list[str]:
    """The styles the diagram uses, explained; one row in a box below the ``last`` node."""
    shown = [(mark, text) for mark, text in LEGEND if mark in marks]
    lines = ['  subgraph legend["Legend"]', "    direction LR"]
    for index, (mark, text) in enumerate(shown):
        style = "step" if mark is Mark.UNCHANGED else mark.value
        lines.append(f'    legend{index}["{mermaid_label(text)}"]:::{style}')
    lines.append("  end")
    if len(shown) > 1:
        # Invisible links keep the legend on one row; they come after the diagram's own
        # edges, so that linkStyle's numbering of those is unchanged.
        lines.append("  " + " ~~~ ".join(f"legend{index}" for index in range(len(shown))))
    lines.append(f"  {last} ~~~ legend")
    lines.append("  style legend fill:#ffffff,stroke:#d1d9e0,color:#1f2328")
    return lines


def _class_assignments(nodes: tuple[Node, ...], ids: dict[str, str]) -> list[str]:
    classes: dict[str, list[str]] = {}
    for node in nodes:
        if node.mark is not Mark.UNCHANGED:
            name = node.mark.value
        else:
            name = "workflow" if node.is_workflow else "step"
        classes.setdefault(name, []).append(ids[node.key])
    return [f"  class {','.join(members)} {name}" for name, members in classes.items()]
