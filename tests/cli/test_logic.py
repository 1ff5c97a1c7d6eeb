"""The pure parts behind plan, export and diff-envs: field paths, names, placeholders, mapping."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.definitions import StackPolicy
from pulumi_thena.definitions.envs import in_target_terms
from pulumi_thena.definitions.errors import MappingError
from pulumi_thena.definitions.export import (
    slug,
    unique_stem,
    variable_mapping,
    with_placeholders,
)
from pulumi_thena.definitions.plan import (
    ABSENT,
    Action,
    classify,
    locate,
    masked,
    to_canonical_step_path,
    value_at,
)
from pulumi_thena.definitions.stack import StackSettings

FILTERS: dict[str, Any] = {
    "filters": {"~and": [{"ticket.priority": {"~eq": "high"}}, {"ticket": {"x": 1}}]}
}


def test_locate_prefers_the_longest_key_that_fits() -> None:
    assert locate(FILTERS, "filters.~and[0].ticket.priority.~eq") == [
        "filters", "~and", 0, "ticket.priority", "~eq",
    ]  # fmt: skip
    assert value_at(FILTERS, "filters.~and[1].ticket.x") == 1
    assert value_at(FILTERS, "filters.~and[2]") is ABSENT
    assert value_at(FILTERS, "filters.nope") is ABSENT


def test_masked_copies_and_replaces_present_paths_only() -> None:
    data = {"a": {"b": "secret"}}
    out = masked(data, ["a.b", "a.c"], "[x]")
    assert out == {"a": {"b": "[x]"}} and data == {"a": {"b": "secret"}}


def test_step_paths_follow_the_canonical_order() -> None:
    # The file lists steps 3, 1, 2; canonical order is 1, 2, 3.
    assert to_canonical_step_path("workflowDefinition[0].input.x", [3, 1, 2], [1, 2, 3]) == (
        "workflowDefinition[2].input.x"
    )
    assert to_canonical_step_path("filters.x", [3], [3]) == "filters.x"


@pytest.mark.parametrize(
    ("fields", "action"),
    [([], Action.UNCHANGED), (["isActive"], Action.TOGGLE), (["name", "isActive"], Action.UPDATE),
     (["type", "name"], Action.REPLACE)],
)  # fmt: skip
def test_classify(fields: list[str], action: Action) -> None:
    assert classify(fields) is action


@pytest.mark.parametrize(
    ("name", "stem"),
    [("Urgent ticket escalation", "urgent-ticket-escalation"),
     ("  Ünïcode café!! ", "unicode-cafe"),
     ("Comment mirror (experimental)", "comment-mirror-experimental"), ("???", "workflow")],
)  # fmt: skip
def test_slug(name: str, stem: str) -> None:
    assert slug(name) == stem


def test_unique_stem() -> None:
    assert unique_stem("a", {"a", "a-2"}) == "a-3"
    assert unique_stem("b", set()) == "b"


def test_placeholders_replace_whole_strings_and_escape_the_rest() -> None:
    data = {"k": ["#ops", "in #ops", "${literal}", 3], "#ops": "x"}
    out, used = with_placeholders(data, {"#ops": "channel"})
    assert out == {"k": ["${var.channel}", "in #ops", "$${literal}", 3], "#ops": "x"}
    assert used == {"channel"}


def test_variable_mapping_rules() -> None:
    mapping, warnings = variable_mapping({"a": "x", "n": 3, "e": ""}, "v.yaml")
    assert mapping == {"a": "x"} and len(warnings) == 2
    with pytest.raises(MappingError, match="'bad name' is not a variable name"):
        variable_mapping({"bad name": "x"}, "v.yaml")
    with pytest.raises(MappingError, match="must be a mapping"):
        variable_mapping(["a"], "v.yaml")


def test_target_terms_use_the_file_for_numbers_and_interpolations() -> None:
    raw = {
        "isActive": False,
        "workflowDefinition": [
            {"stepIdentifier": 2, "input": {"text": "to ${var.ch} now", "n": "${var.n}"}},
            {"stepIdentifier": 1, "input": {"n": 2}},
        ],
    }
    inputs = {
        "isActive": False,
        "workflowDefinition": [
            {"stepIdentifier": 1, "input": {"n": 2}},
            {"stepIdentifier": 2, "input": {"text": "to #a now", "n": 2, "other": "#a"}},
        ],
    }
    source = StackSettings({"ch": "#a", "n": 2})
    target = StackSettings({"ch": "#b", "n": 7}, policy=StackPolicy())
    mapped = in_target_terms("wf", inputs, source, target, raw)
    assert mapped["workflowDefinition"] == [
        {"stepIdentifier": 1, "input": {"n": 2}},  # a literal 2, not the variable
        {"stepIdentifier": 2, "input": {"text": "to #b now", "n": 7, "other": "#b"}},
    ]
    assert mapped["isActive"] is False  # the file says false in both stacks
