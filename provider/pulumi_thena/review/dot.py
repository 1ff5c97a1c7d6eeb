"""A diagram as Graphviz DOT: the same nodes, edges and styles as the Mermaid form.

Labels are HTML-like (``label=<...>``): the title bold and centred, the markers left-aligned
below it, every text through ``escape.graphviz_html``. Node ids are ours (``workflow``, ``s1``).
"""

from __future__ import annotations

from pulumi_thena.review.diagram import Diagram, Edge, Mark, Node
from pulumi_thena.review.escape import graphviz_html

FONT = "DejaVu Sans,Helvetica,Arial,sans-serif"
TEXT = "#1f2328"
HEADER = (
    "digraph workflow {",
    '  graph [rankdir=TB, nodesep=0.4, ranksep=0.5, pad=0.25, bgcolor="white"]',
    f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, '
    f'fontcolor="{TEXT}", color="#57606a", fillcolor="#f6f8fa", margin="0.16,0.08"]',
    f'  edge [fontname="{FONT}", fontsize=10, fontcolor="{TEXT}", color="#57606a", arrowsize=0.7]',
)
WORKFLOW_STYLE = 'fillcolor="#ddf4ff", color="#0969da"'
NODE_STYLES = {
    Mark.ADDED: 'fillcolor="#dafbe1", color="#1a7f37", penwidth=2',
    Mark.REMOVED: 'style="rounded,filled,dashed", fillcolor="#ffebe9", color="#cf222e", '
    'fontcolor="#59636e"',
    Mark.CHANGED: 'fillcolor="#fff8c5", color="#9a6700", penwidth=2',
}
EDGE_STYLES = {
    Mark.ADDED: 'color="#1a7f37", penwidth=2',
    Mark.REMOVED: 'style=dashed, color="#cf222e"',
    Mark.CHANGED: 'color="#9a6700", penwidth=2',
}
LEGEND = (
    (Mark.ADDED, "added"),
    (Mark.REMOVED, "removed (dashed)"),
    (Mark.CHANGED, "changed"),
    (Mark.UNCHANGED, "unchanged"),
)
LEGEND_COLOURS = {  # fill, line, text: the node styles above
    Mark.ADDED: ("#dafbe1", "#1a7f37", TEXT),
    Mark.REMOVED: ("#ffebe9", "#cf222e", "#59636e"),
    Mark.CHANGED: ("#fff8c5", "#9a6700", TEXT),
    Mark.UNCHANGED: ("#f6f8fa", "#57606a", TEXT),
}
LEGEND_BORDERS = {Mark.ADDED: 2, Mark.REMOVED: 1, Mark.CHANGED: 2, Mark.UNCHANGED: 1}
LEGEND_CELL_STYLES = {mark: "rounded" for mark in Mark} | {Mark.REMOVED: "rounded,dashed"}


def dot(diagram: Diagram) -> str:
    """The DOT source of ``diagram``, for ``dot -Tsvg`` or ``-Tpng``."""
    ids = {node.key: _node_id(index, node) for index, node in enumerate(diagram.nodes)}
    lines = list(HEADER)
    lines += [_node(node, ids[node.key]) for node in diagram.nodes]
    lines += [_edge(edge, ids) for edge in diagram.edges]
    if diagram.legend:
        lines += _legend(diagram.marks())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_id(index: int, node: Node) -> str:
    return "workflow" if node.is_workflow else f"s{index}"


def _label(title: tuple[str, ...], lines: tuple[str, ...]) -> str:
    text = '<br align="center"/>'.join(f"<b>{graphviz_html(line)}</b>" for line in title)
    if lines:
        text += '<br align="center"/>'
        text += "".join(f'{_indented(line)}<br align="left"/>' for line in lines)
    return f"<{text}>"


def _indented(line: str) -> str:
    """A wrapped line's indent survives as no-break spaces (escaping drops leading spaces)."""
    indent = len(line) - len(line.lstrip(" "))
    return "&#160;" * indent + graphviz_html(line)


def _node(node: Node, node_id: str) -> str:
    style = NODE_STYLES.get(node.mark)
    if style is None:
        style = WORKFLOW_STYLE if node.is_workflow else ""
    attributes = ", ".join(
        part for part in (f"label={_label(node.title, node.lines)}", style) if part
    )
    return f"  {node_id} [{attributes}]"


def _edge(edge: Edge, ids: dict[str, str]) -> str:
    parts = []
    if edge.label:
        text = "".join(f'{_indented(line)}<br align="left"/>' for line in edge.label)
        parts.append(f"label=<{text}>")
    if edge.mark in EDGE_STYLES:
        parts.append(EDGE_STYLES[edge.mark])
    attributes = f" [{', '.join(parts)}]" if parts else ""
    return f"  {ids[edge.source]} -> {ids[edge.target]}{attributes}"


def _legend(marks: set[Mark]) -> list[str]:
    """The styles the diagram uses, explained, as one row of a table."""
    cells = "".join(
        f'<td border="{LEGEND_BORDERS[mark]}" style="{LEGEND_CELL_STYLES[mark]}" '
        f'bgcolor="{fill}" color="{line}"><font color="{text}">{graphviz_html(label)}</font></td>'
        for mark, label, (fill, line, text) in (
            (mark, label, LEGEND_COLOURS[mark]) for mark, label in LEGEND if mark in marks
        )
    )
    table = (
        '<table border="0" cellspacing="6" cellpadding="5">'
        f"<tr><td>Legend:</td>{cells}</tr></table>"
    )
    return [
        f'  legend [shape=plain, style="", fontsize=10, label=<{table}>]',
        "  {rank=sink; legend}",
    ]
