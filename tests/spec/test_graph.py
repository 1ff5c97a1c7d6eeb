"""The step-graph rules and run order of spec.graph, on wire steps."""

import pytest

from pulumi_thena.spec.graph import dependency_order, find_cycle, step_graph_issues


def _steps(*pairs: tuple[int, list[str]]) -> list[dict[str, object]]:
    return [{"stepIdentifier": sid, "dependencies": deps} for sid, deps in pairs]


def test_a_valid_graph_has_no_issue_and_runs_dependencies_first() -> None:
    steps = _steps((10, ["2"]), (2, []), (3, ["2"]), (1, []))
    assert list(step_graph_issues(steps)) == []
    assert dependency_order(steps) == ["1", "2", "3", "10"]


def test_each_rule_names_the_step_at_fault() -> None:
    steps = _steps((1, ["1"]), (1, ["9", "9"]), (2, []))
    issues = dict(step_graph_issues(steps))
    assert "more than one step" in issues["workflowDefinition[1].stepIdentifier"]
    assert "itself" in issues["workflowDefinition[0].dependencies[0]"]
    assert (
        "step 9, which does not exist; existing steps: 1, 2"
        in issues["workflowDefinition[1].dependencies[0]"]
    )
    assert "twice" in issues["workflowDefinition[1].dependencies"]


def test_a_cycle_is_named_and_has_no_order() -> None:
    steps = _steps((1, ["3"]), (2, ["1"]), (3, ["2"]))
    assert find_cycle(steps) == ["1", "3", "2", "1"]
    assert "cycle (1 -> 3 -> 2 -> 1)" in dict(step_graph_issues(steps))["workflowDefinition"]
    with pytest.raises(ValueError, match="cycle"):
        dependency_order(steps)


def test_whole_floats_from_rpc_are_the_same_step() -> None:
    steps = [
        {"stepIdentifier": 1.0, "dependencies": []},
        {"stepIdentifier": 2, "dependencies": [1.0]},
    ]
    assert list(step_graph_issues(steps)) == []
    assert dependency_order(steps) == ["1", "2"]
