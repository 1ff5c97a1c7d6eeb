"""Our Mermaid, rendered by Mermaid itself (its CLI in a headless Chromium).

Every diagram of the module is rendered in one browser start (``rendered``); a syntax error in
any of them fails with Mermaid's message. The texts a reader sees are read back from the SVG.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pulumi_thena.review import change_mermaid, workflow_diagram, workflow_mermaid
from pulumi_thena.review.escape import mermaid_label, visible
from tests.review.conftest import EXAMPLES, canonical_examples, edited, graph_json
from tests.review.conftest import hostile_workflow as hostile
from tests.review.strategies import hostile_text
from tests.review.tools import (
    SVG,
    mermaid_edge_texts,
    mermaid_node_texts,
    render_mermaid,
    require_mermaid,
)

pytestmark = pytest.mark.mermaid
WORD_JOINER = "\u2060"


def _sources() -> dict[str, str]:
    wires = canonical_examples()
    onboarding = wires["vip-account-onboarding"]
    renamed = {**hostile(), "name": "renamed"}
    sources = {f"file:{stem}": graph_json(stem)["mermaid"] for stem in EXAMPLES}
    sources |= {f"local:{stem}": graph_json(stem, "--stack", "local")["mermaid"] for stem in wires}
    sources |= {
        "created": change_mermaid(None, onboarding),
        "deleted": change_mermaid(onboarding, None),
        "edited": change_mermaid(onboarding, edited(onboarding)),
        "hostile": workflow_mermaid(hostile()),
        "hostile-change": change_mermaid(hostile(), renamed),
    }
    return sources


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every diagram of this module as SVG, by name."""
    require_mermaid()
    sources = _sources()
    svgs = render_mermaid(list(sources.values()), tmp_path_factory.mktemp("mermaid"))
    return dict(zip(sources, svgs, strict=True))


def _node_classes(svg: str) -> dict[str, set[str]]:
    """The first line of each node's text -> the classes of its node."""
    root = ET.fromstring(svg)
    texts = mermaid_node_texts(svg)
    found = {}
    for group in root.iter(f"{SVG}g"):
        match = re.match(r"^.*?-flowchart-(.+)-\d+$", group.get("id", ""))
        if match and match.group(1) in texts:
            first = texts[match.group(1)].split("\n")[0]
            found[first] = set((group.get("class") or "").split())
    return found


def _edge_classes(svg: str) -> list[set[str]]:
    root = ET.fromstring(svg)
    return [
        set((path.get("class") or "").split())
        for path in root.iter(f"{SVG}path")
        if "flowchart-link" in (path.get("class") or "")
    ]


def _expected_text(title: Sequence[str], lines: Sequence[str]) -> str:
    return "\n".join(visible(line) for line in (*title, *lines))


@pytest.mark.parametrize("stem", EXAMPLES)
def test_every_example_renders_with_its_name_and_steps(rendered: dict[str, str], stem: str) -> None:
    wire = canonical_examples().get(stem)
    for key in (f"file:{stem}", f"local:{stem}"):
        if key not in rendered:
            continue
        texts = mermaid_node_texts(rendered[key])
        steps = [text for node, text in texts.items() if node != "workflow"]
        assert wire is None or len(steps) == len(wire["workflowDefinition"])
        assert texts["workflow"].split("\n")[0] == graph_json(stem)["workflow"]


def test_without_a_stack_placeholders_show_as_written(rendered: dict[str, str]) -> None:
    texts = mermaid_node_texts(rendered["file:urgent-ticket-escalation"])
    assert "retry: ${var.slackRetryAttempts} attempts," in texts["s1"]
    texts = mermaid_node_texts(rendered["local:urgent-ticket-escalation"])
    assert "retry: 2 attempts," in texts["s1"]


def test_a_change_shows_added_removed_and_changed_steps_in_their_styles(
    rendered: dict[str, str],
) -> None:
    classes = _node_classes(rendered["edited"])
    assert "removed" in classes["2 · tickets:create-ticket-platform v2"]
    assert "changed" in classes["3 · slack:send-message"]
    assert "added" in classes["4 · email:send-email"]
    assert "step" in classes["1 · accounts:update-account-platform"]
    assert "workflow" in classes["VIP account onboarding"]
    legend = {name for name, found in classes.items() if found & {"added", "removed", "changed"}}
    assert {"added", "removed (dashed)", "changed"} <= legend
    edges = _edge_classes(rendered["edited"])
    assert sum("edge-pattern-dotted" in found for found in edges) == 2  # 1 -> 2, 2 -> 3
    assert sum("edge-thickness-thick" in found for found in edges) == 2  # 1 -> 3, 3 -> 4
    assert "if account.tier = strategic" in mermaid_edge_texts(rendered["edited"])


def test_a_created_or_deleted_workflow_is_all_added_or_all_removed(
    rendered: dict[str, str],
) -> None:
    for key, mark in (("created", "added"), ("deleted", "removed")):
        classes = _node_classes(rendered[key])
        drawn = {name: found for name, found in classes.items() if "legend" not in name.lower()}
        steps = [found for name, found in drawn.items() if name[0].isdigit()]
        assert len(steps) == 3
        assert all(mark in found for found in steps)


def test_a_hostile_workflow_renders_as_text(rendered: dict[str, str]) -> None:
    svg = rendered["hostile"]
    diagram = workflow_diagram(hostile())
    texts = mermaid_node_texts(svg)
    assert set(texts) == {"workflow", "s1", "s2"}
    for node_id, node in zip(("workflow", "s1", "s2"), diagram.nodes, strict=True):
        assert texts[node_id] == _expected_text(node.title, node.lines)
    name_lines = texts["workflow"].split("\n")[: len(diagram.nodes[0].title)]
    assert " ".join(name_lines) == visible(hostile()["name"])
    assert mermaid_edge_texts(svg) == [visible(line) for line in diagram.edges[1].label]
    assert "<script" not in svg
    styled = [e.get("style", "") for e in ET.fromstring(svg).iter() if "f00" in e.get("style", "")]
    assert styled == []  # the injected `style s1 fill:#f00` styled nothing


def test_a_syntax_error_fails_the_render(tmp_path: Path) -> None:
    broken = 'flowchart TD\n  a["unclosed] --> b\n'
    with pytest.raises(pytest.fail.Exception, match="Parse error"):
        render_mermaid([broken], tmp_path)


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking costs a browser per try
)
@given(st.lists(hostile_text, min_size=10, max_size=30))
def test_any_text_round_trips_through_mermaid(tmp_path: Path, texts: list[str]) -> None:
    lines = ["flowchart TD"]
    lines += [f'  n{i}["{mermaid_label(text)}"]' for i, text in enumerate(texts)]
    lines += [f'  n{i} -->|"{mermaid_label(text)}"| n{i + 1}' for i, text in enumerate(texts[:-1])]
    directory = tmp_path / f"run{len(list(tmp_path.iterdir()))}"
    directory.mkdir()
    (svg,) = render_mermaid(["\n".join(lines) + "\n"], directory)
    shown = [visible(text) or "\u00a0" for text in texts]
    nodes = mermaid_node_texts(svg)
    assert [_read(nodes[f"n{i}"]) for i in range(len(texts))] == shown
    assert [_read(text) for text in mermaid_edge_texts(svg)] == shown[:-1]


def _read(text: str) -> str:
    """The text a reader sees: the word joiners that split Mermaid's markers are invisible."""
    return text.replace(WORD_JOINER, "")
