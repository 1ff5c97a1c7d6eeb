"""What the diagrams say: nodes, markers, edges, secrets, changes; and Graphviz draws them all."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_thena.review import (
    Mark,
    change_diagram,
    change_dot,
    change_mermaid,
    workflow_diagram,
    workflow_dot,
    workflow_mermaid,
)
from pulumi_thena.review.describe import LINE_WIDTH, filter_lines
from pulumi_thena.review.diagram import WORKFLOW_NODE, Diagram, Node
from tests.review.conftest import edited, hostile_workflow
from tests.review.tools import REPO, dot_node_texts, render_dot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _step(sid: int, deps: tuple[int, ...] = (), **fields: Any) -> dict[str, Any]:
    step = {
        "stepIdentifier": sid,
        "activity": {"uniqueIdentifier": "slack:send-message", "autoUpgradeToLatestVersion": True},
        "input": {},
        "dependencies": [str(dep) for dep in deps],
    }
    step.update(fields)
    return step


def _workflow(*steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    wire = {"name": "Test", "triggerEvent": "ticket:created", "workflowDefinition": list(steps)}
    wire.update(fields)
    return wire


def _node(diagram: Diagram, key: str) -> Node:
    return next(node for node in diagram.nodes if node.key == key)


def _joined(lines: tuple[str, ...]) -> str:
    """Wrapped lines read as one text (continuation lines are indented)."""
    return " ".join(" ".join(lines).split())


# -- one workflow --------------------------------------------------------------------------


def test_each_example_has_its_trigger_its_steps_and_their_dependencies(
    examples: dict[str, dict[str, Any]],
) -> None:
    for wire in examples.values():
        diagram = workflow_diagram(wire)
        steps = wire["workflowDefinition"]
        assert diagram.nodes[0].key == WORKFLOW_NODE
        assert {node.key for node in diagram.nodes[1:]} == {str(s["stepIdentifier"]) for s in steps}
        expected = {
            (dep, str(step["stepIdentifier"])) for step in steps for dep in step["dependencies"]
        } | {(WORKFLOW_NODE, str(s["stepIdentifier"])) for s in steps if not s["dependencies"]}
        assert {(edge.source, edge.target) for edge in diagram.edges} == expected


def test_the_workflow_node_holds_name_trigger_annotations_and_filters(
    examples: dict[str, dict[str, Any]],
) -> None:
    node = workflow_diagram(examples["urgent-ticket-escalation"]).nodes[0]
    assert node.title == ("Urgent ticket escalation",)
    text = _joined(node.lines)
    assert node.lines[0] == "on ticket:created"
    assert "loads Ticket with account, account.classification" in text
    assert "if (ticket.priority = urgent or (ticket.priority = high and" in text
    assert "and ticket.status not in [spam, merged]" in text


@pytest.mark.parametrize(
    "approval",
    [
        {"approver": "u-1", "approverType": "USER", "approvalTimeout": 14400},
        {"approver": {"type": "USER", "id": "u-1"}, "approvalTimeout": 14400},
        {"approver": {"type": "USER", "uid": "u-1", "timeout": 14400}},
    ],
    ids=["string with approverType", "type and id", "documented type, uid, timeout"],
)
def test_an_approver_in_any_of_its_three_shapes_shows_who_and_how_long(
    approval: dict[str, Any],
) -> None:
    step = _step(1, requireApproval=True, **approval)
    assert "approval: USER u-1, timeout 4 h" in _node(workflow_diagram(_workflow(step)), "1").lines


def test_markers_for_sleep_retries_timeout_failure_handling_and_undo() -> None:
    steps = [
        _step(
            1, retryPolicy={"maximumAttempts": 5, "initialInterval": 10, "backoffCoefficient": 2}
        ),
        _step(2, (1,), isSleepActivity=True, input={"duration": 900}),
        _step(3, (2,), executionTimeout=120, onFailure="CONTINUE"),
        _step(
            4,
            (3,),
            onFailure="COMPENSATE",
            compensationActivity={"activity": {"uniqueIdentifier": "tickets:close"}, "input": {}},
            activity={"uniqueIdentifier": "tickets:create", "autoUpgradeToLatestVersion": False,
                      "version": 2},
        ),
        _step(5, (4,), onFailure="ABORT", compensationActivity={}),
    ]  # fmt: skip
    diagram = workflow_diagram(_workflow(*steps))
    assert (
        _joined(_node(diagram, "1").lines) == "retry: 5 attempts, first after 10 s, backoff \u00d72"
    )
    assert _node(diagram, "2").lines == ("sleep: duration 900",)
    assert _node(diagram, "3").lines == ("timeout: 2 min", "on failure: continue")
    assert _node(diagram, "4").title == ("4 \u00b7 tickets:create v2",)
    assert _node(diagram, "4").lines == ("on failure: compensate", "undo: tickets:close")
    assert _node(diagram, "5").lines == ()  # ABORT is the default; {} is no compensation


def test_step_filters_label_every_edge_into_the_step() -> None:
    condition = {"ticket.tier": {"~in": ["gold", "platinum"]}, "isBot": {"~isnull": True}}
    diagram = workflow_diagram(_workflow(_step(1), _step(2), _step(3, (1, 2), filters=condition)))
    into = [edge for edge in diagram.edges if edge.target == "3"]
    assert [edge.source for edge in into] == ["1", "2"]
    assert all(
        edge.label == ("if ticket.tier in [gold, platinum]", "and isBot is null") for edge in into
    )


@pytest.mark.parametrize(
    ("filters", "lines"),
    [
        ({"a": {"~eq": 1, "~neq": 2}}, ["if a = 1", "and a \u2260 2"]),
        ({"a": {"~gte": 1}, "b": {"~lt": 2}}, ["if a \u2265 1", "and b < 2"]),
        ({"~or": [{"a": {"~eq": "x"}}, {"b": {"~isempty": False}}]},
         ["if (a = x or b is not empty)"]),
        ({"t": {"~regex": "^v[0-9]+$"}}, ["if t matches /^v[0-9]+$/"]),
        ({"t": {"~nstarts": "!"}}, ['if t does not start with "!"']),
        ({"{{context.name}}": {"~starts": "T"}}, ['if {{context.name}} starts with "T"']),
        ({"a": {"~weird": 3}}, ["if a ~weird 3"]),
        ({}, []),
    ],
)  # fmt: skip
def test_filters_read_as_conditions(filters: dict[str, Any], lines: list[str]) -> None:
    assert filter_lines(filters) == lines


def test_long_values_are_shortened_and_lines_wrapped() -> None:
    long_id = "x" * 200
    diagram = workflow_diagram(
        _workflow(
            _step(1, activity={"uniqueIdentifier": long_id}),
            filters={f"field{n}": {"~in": [f"value-{m}" for m in range(30)]} for n in range(10)},
            name="A workflow whose name is long enough to need more than one line in the diagram",
        )
    )
    for node in diagram.nodes:
        assert all(len(line) <= LINE_WIDTH for line in (*node.title[1:], *node.lines))
    assert _node(diagram, "1").title == ("1 \u00b7 " + "x" * 39 + "\u2026",)
    assert len(diagram.nodes[0].title) == 2
    assert diagram.nodes[0].lines[-1].endswith("more lines)")


def test_secrets_show_as_secret_by_path_and_by_placeholder() -> None:
    wire = _workflow(
        _step(1, isSleepActivity=True, input={"duration": "hunter2-value", "note": "${secret.x}"}),
        _step(
            2,
            (1,),
            requireApproval=True,
            approver={"type": "USER", "uid": "${secret.approver}"},
        ),
    )
    diagram = workflow_diagram(wire, ["workflowDefinition[0].input.duration"])
    assert _node(diagram, "1").lines == ("sleep: duration [secret], note [secret]",)
    assert _node(diagram, "2").lines == ("approval: USER [secret]",)
    for source in (workflow_mermaid(wire, ["workflowDefinition[0].input.duration"]),
                   workflow_dot(wire, ["workflowDefinition[0].input.duration"])):  # fmt: skip
        assert "hunter2" not in source
        assert "secret.x" not in source


def test_a_dependency_on_a_missing_step_is_said_and_a_cycle_still_draws() -> None:
    diagram = workflow_diagram(_workflow(_step(1, (7,)), _step(2, (3,)), _step(3, (2,))))
    assert "after missing step 7" in _node(diagram, "1").lines
    assert {node.key for node in diagram.nodes} == {WORKFLOW_NODE, "1", "2", "3"}


def test_a_live_trigger_event_object_shows_its_name() -> None:
    wire = _workflow(_step(1), triggerEvent={"uid": "EV1", "eventName": "ticket:updated"})
    assert workflow_diagram(wire).nodes[0].lines[0] == "on ticket:updated"


# -- a change ------------------------------------------------------------------------------


def test_an_edited_workflow_marks_each_step_and_edge(onboarding: dict[str, Any]) -> None:
    diagram = change_diagram(onboarding, edited(onboarding))
    marks = {node.key: node.mark for node in diagram.nodes}
    assert marks == {
        WORKFLOW_NODE: Mark.UNCHANGED,
        "1": Mark.UNCHANGED,
        "2": Mark.REMOVED,
        "3": Mark.CHANGED,
        "4": Mark.ADDED,
    }
    assert _node(diagram, "3").lines[-1] == "changed: input.text, dependencies"
    edges = {(edge.source, edge.target): edge.mark for edge in diagram.edges}
    assert edges == {
        (WORKFLOW_NODE, "1"): Mark.UNCHANGED,
        ("1", "2"): Mark.REMOVED,
        ("2", "3"): Mark.REMOVED,
        ("1", "3"): Mark.ADDED,
        ("3", "4"): Mark.ADDED,
    }
    assert diagram.legend
    assert [node.key for node in diagram.nodes] == [WORKFLOW_NODE, "1", "2", "3", "4"]


def test_a_created_and_a_deleted_workflow(onboarding: dict[str, Any]) -> None:
    created = change_diagram(None, onboarding)
    deleted = change_diagram(onboarding, None)
    assert {item.mark for item in (*created.nodes, *created.edges)} == {Mark.ADDED}
    assert {item.mark for item in (*deleted.nodes, *deleted.edges)} == {Mark.REMOVED}
    with pytest.raises(ValueError, match="old or a new"):
        change_diagram(None, None)


def test_a_workflow_level_change_marks_the_workflow_node(onboarding: dict[str, Any]) -> None:
    new = copy.deepcopy(onboarding)
    new["filters"] = {"account.tier": {"~eq": "enterprise"}}
    new["isActive"] = False
    diagram = change_diagram(onboarding, new)
    node = diagram.nodes[0]
    assert node.mark is Mark.CHANGED
    assert _joined(node.lines).endswith("changed: filters.~or, filters.account.tier, isActive")
    assert "paused (isActive: false)" in node.lines
    assert {n.mark for n in diagram.nodes[1:]} == {Mark.UNCHANGED}


def test_an_unchanged_workflow_has_nothing_marked(onboarding: dict[str, Any]) -> None:
    diagram = change_diagram(onboarding, copy.deepcopy(onboarding))
    assert diagram.marks() == {Mark.UNCHANGED}


def test_a_changed_step_filter_marks_the_edges_into_it() -> None:
    old = _workflow(_step(1), _step(2, (1,), filters={"a": {"~eq": 1}}))
    new = _workflow(_step(1), _step(2, (1,), filters={"a": {"~eq": 2}}))
    diagram = change_diagram(old, new)
    (edge,) = [edge for edge in diagram.edges if edge.target == "2"]
    assert edge.mark is Mark.CHANGED
    assert edge.label == ("if a = 2",)


def test_a_changed_secret_is_named_never_shown() -> None:
    old = _workflow(_step(1, isSleepActivity=True, input={"duration": "old-secret-1"}))
    new = _workflow(_step(1, isSleepActivity=True, input={"duration": "new-secret-2"}))
    paths = ["workflowDefinition[0].input.duration"]
    diagram = change_diagram(old, new, old_secret_paths=paths, new_secret_paths=paths)
    assert _node(diagram, "1").mark is Mark.CHANGED
    assert _node(diagram, "1").lines == ("sleep: duration [secret]", "changed: input.duration")
    source = change_mermaid(old, new, old_secret_paths=paths, new_secret_paths=paths)
    assert "secret-1" not in source and "secret-2" not in source


# -- Graphviz draws them -------------------------------------------------------------------


def test_graphviz_draws_every_example_as_svg_and_png(examples: dict[str, dict[str, Any]]) -> None:
    for stem, wire in examples.items():
        source = workflow_dot(wire)
        drawn = dot_node_texts(render_dot(source, "svg").decode())
        diagram = workflow_diagram(wire)
        assert len(drawn) == len(diagram.nodes), stem
        titles = {lines[0] for lines in drawn.values()}
        assert {node.title[0] for node in diagram.nodes} <= titles, stem
        assert render_dot(source, "png").startswith(PNG_MAGIC)


def test_graphviz_draws_changes_and_the_hostile_workflow(onboarding: dict[str, Any]) -> None:
    sources = [
        change_dot(onboarding, edited(onboarding)),
        change_dot(None, onboarding),
        change_dot(onboarding, None),
        workflow_dot(hostile_workflow()),
    ]
    for source in sources:
        assert render_dot(source, "png").startswith(PNG_MAGIC)
    drawn = dot_node_texts(render_dot(sources[-1], "svg").decode())
    diagram = workflow_diagram(hostile_workflow())
    expected = [_joined((*node.title, *node.lines)) for node in diagram.nodes]
    assert sorted(_joined(tuple(lines)) for lines in drawn.values()) == sorted(expected)


def test_a_legend_explains_the_marks_a_change_uses(onboarding: dict[str, Any]) -> None:
    only_changed = copy.deepcopy(onboarding)
    only_changed["workflowDefinition"][0]["input"]["fields"] = {"onboardingStatus": "started"}
    legend = change_mermaid(onboarding, only_changed).split('subgraph legend["Legend"]')[1]
    legend = legend.split("\n  end\n")[0]
    assert "changed" in legend
    assert "unchanged" in legend
    assert "added" not in legend
    assert "subgraph" not in workflow_mermaid(onboarding)
    assert "Legend:" in change_dot(onboarding, only_changed)
    assert "Legend" not in workflow_dot(onboarding)


def test_the_docs_show_every_example(examples: dict[str, dict[str, Any]]) -> None:
    images = REPO / "docs" / "images"
    for stem in [*examples, "change-example"]:
        assert (images / f"{stem}.png").read_bytes().startswith(PNG_MAGIC), (
            f"docs/images/{stem}.png is missing: run scripts/render-docs-images"
        )
