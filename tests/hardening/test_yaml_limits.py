"""The YAML limits of definition files: no anchors or aliases, at most 64 levels of nesting.

A file at the depth limit goes through every later walk of its data (placeholders, validation,
canonical form, whole numbers) without hitting Python's recursion limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.loader import LoadedWorkflow, load_file
from pulumi_thena.definitions.variables import Substitutions
from pulumi_thena.definitions.yamlfile import MAX_DEPTH, YamlDocument, parse_yaml
from pulumi_thena.diff.canonical import declared_inputs
from pulumi_thena.models.base import whole_to_int

HEAD = (
    "name: Deep\n"
    "triggerEvent: ticket:escalated\n"
    "executingAgent: bot-deep\n"
    "workflowDefinition:\n"
    "  - stepIdentifier: 1\n"
    "    activity:\n"
    "      uniqueIdentifier: tickets:add-comment-platform\n"
    "    input:\n"
)
# The file's own levels above the value of `input.content`: the top mapping, the steps list,
# the step, the input mapping.
OWN_LEVELS = 4


def deep_file(levels: int) -> str:
    """A definition whose ``input.content`` nests lists so that the file has ``levels`` levels."""
    lists = levels - OWN_LEVELS
    return HEAD + "      content: " + "[" * lists + "1.0" + "]" * lists + "\n"


def nested(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return depth


def test_a_file_at_the_limit_loads_and_goes_through_every_walk(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(deep_file(MAX_DEPTH) + "      ref: ${var.team}\n")
    loaded = load_file(path, "deep.yaml", Substitutions({"team": "t"}, {}))
    assert isinstance(loaded, LoadedWorkflow), loaded
    content = loaded.definition.workflow_definition[0].input["content"]
    assert nested(content) == MAX_DEPTH - OWN_LEVELS
    wire = declared_inputs(loaded.definition.to_wire())
    assert nested(whole_to_int(wire["workflowDefinition"][0]["input"]["content"])) > 0


def test_one_level_more_is_one_problem_naming_the_line() -> None:
    problem = parse_yaml(deep_file(MAX_DEPTH + 1), "deep.yaml")
    assert isinstance(problem, FileProblem)
    assert problem.line == 9
    assert f"nest more than {MAX_DEPTH} levels" in problem.message


def test_thousands_of_levels_end_in_the_same_problem_not_a_recursion_error() -> None:
    problem = parse_yaml(deep_file(20_000), "deep.yaml")
    assert isinstance(problem, FileProblem)
    assert "flatten the data" in problem.message


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a: &x 1\nb: 2\n", "&x"),
        ("a: *x\n", "*x"),
        ("a: &x [1]\nb: *x\n", "&x"),
        ("base: &b {k: 1}\nother:\n  <<: *b\n", "&b"),
    ],
)
def test_anchors_and_aliases_are_refused_where_they_stand(text: str, shown: str) -> None:
    problem = parse_yaml(text, "f.yaml")
    assert isinstance(problem, FileProblem)
    assert f"anchors and aliases ({shown})" in problem.message
    assert "write the value out in full" in problem.message
    assert problem.line == 1


def test_an_ampersand_or_asterisk_inside_a_string_is_text() -> None:
    document = parse_yaml('a: "&x *y"\nb: R&D *now*\n', "f.yaml")
    assert isinstance(document, YamlDocument)
    assert document.data == {"a": "&x *y", "b": "R&D *now*"}
