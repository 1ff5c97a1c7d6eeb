"""spec.filters against docs/api.md 5.3, and each choice where it is silent."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.spec.filters import evaluate_filter, holds, why_not
from pulumi_thena.spec.operators import OPERATOR_CATEGORIES
from pulumi_thena.spec.templates import MISSING, build_context


def payload_context(payload: dict[str, Any]) -> dict[str, Any]:
    return build_context({"name": "ticket:created", "message": {"payload": payload}})


# One row per statement of docs/api.md 5.3: operator, field value, operand, holds?
SPEC_5_3 = [
    ("~eq", "urgent", "urgent", True),
    ("~eq", "high", "urgent", False),
    ("~neq", "high", "urgent", True),
    ("~neq", "urgent", "urgent", False),
    ("~gt", 5, 3, True),
    ("~gt", 3, 3, False),
    ("~gte", 3, 3, True),
    ("~gte", 2, 3, False),
    ("~lt", 2, 3, True),
    ("~lt", 3, 3, False),
    ("~lte", 3, 3, True),
    ("~lte", 4, 3, False),
    ("~in", "high", ["high", "urgent"], True),
    ("~in", "low", ["high", "urgent"], False),
    ("~nin", "low", ["spam", "merged"], True),
    ("~nin", "spam", ["spam", "merged"], False),
    ("~regex", "INC-1234", r"^INC-\d+$", True),
    ("~regex", "REQ-1234", r"^INC-\d+$", False),
    ("~nregex", "REQ-1234", r"^INC-\d+$", True),
    ("~nregex", "INC-1234", r"^INC-\d+$", False),
    ("~starts", "Ticket", "T", True),
    ("~starts", "ticket", "T", False),
    ("~nstarts", "hello", "!", True),
    ("~nstarts", "!help", "!", False),
    ("~ends", "report.pdf", ".pdf", True),
    ("~ends", "report.doc", ".pdf", False),
    ("~nends", "report.doc", ".pdf", True),
    ("~nends", "report.pdf", ".pdf", False),
    ("~contains", "the server is down", "down", True),  # on a string: a substring
    ("~contains", "the server is up", "down", False),
    ("~contains", ["vip", "beta"], "vip", True),  # on an array: membership
    ("~contains", ["beta"], "vip", False),
    ("~ncontains", ["beta"], "vip", True),
    ("~ncontains", ["vip"], "vip", False),
    ("~isnull", None, True, True),
    ("~isnull", "x", True, False),
    ("~isnull", "x", False, True),
    ("~isnull", None, False, False),
    ("~isempty", "", True, True),
    ("~isempty", [], True, True),
    ("~isempty", {}, True, True),
    ("~isempty", None, True, True),
    ("~isempty", MISSING, True, True),
    ("~isempty", "x", True, False),
    ("~isempty", ["x"], False, True),
    ("~isempty", "", False, False),
]


@pytest.mark.parametrize(("op", "value", "operand", "expected"), SPEC_5_3)
def test_each_operator_as_the_spec_states_it(
    op: str, value: Any, operand: Any, expected: bool
) -> None:
    assert holds(op, value, operand) is expected


def test_the_table_covers_every_operator_of_the_catalogue() -> None:
    assert {row[0] for row in SPEC_5_3} == set(OPERATOR_CATEGORIES)


MISSING_CASES = [(op, True) for op in ("~isnull", "~isempty")] + [
    (op, operand)
    for op, operand in {
        "~eq": "x",
        "~neq": "x",
        "~gt": 1,
        "~gte": 1,
        "~lt": 1,
        "~lte": 1,
        "~in": ["x"],
        "~nin": ["x"],
        "~regex": "x",
        "~nregex": "x",
        "~starts": "x",
        "~nstarts": "x",
        "~ends": "x",
        "~nends": "x",
        "~contains": "x",
        "~ncontains": "x",
        "~isnull": False,
        "~isempty": False,
    }.items()
]


@pytest.mark.parametrize(("op", "operand"), MISSING_CASES)
def test_a_missing_field_fails_every_operator_but_isnull_and_isempty_true(
    op: str, operand: Any
) -> None:
    expected = op in ("~isnull", "~isempty") and operand is True
    assert holds(op, MISSING, operand) is expected
    if not expected:
        assert why_not(op, MISSING, operand) == "the field is missing"


def test_top_level_conditions_and_operators_on_one_field_are_anded() -> None:
    context = payload_context({"priority": "high", "score": 7})
    both = {"priority": {"~eq": "high"}, "score": {"~gt": 5, "~lt": 10}}
    assert evaluate_filter(both, context).matched
    one_fails = {"priority": {"~eq": "high"}, "score": {"~gt": 5, "~lt": 6}}
    assert evaluate_filter(one_fails, context).why == (
        "filters.score.~lt: expected a value < 6 (a number), got 7",
    )


def test_and_or_nest_and_the_failure_names_the_filter() -> None:
    context = payload_context({"priority": "high", "status": "open"})
    filters = {
        "~and": [
            {"status": {"~nin": ["spam", "merged"]}},
            {"priority": {"~eq": "urgent"}},
        ]
    }
    result = evaluate_filter(filters, context)
    assert not result.matched
    assert result.why == ("filters.~and[1].priority.~eq: expected 'urgent', got 'high'",)
    either = {"~or": [{"priority": {"~eq": "urgent"}}, {"priority": {"~eq": "high"}}]}
    assert evaluate_filter(either, context).matched


def test_an_or_that_fails_lists_every_branch() -> None:
    context = payload_context({"priority": "low"})
    filters = {"~or": [{"priority": {"~eq": "urgent"}}, {"~and": [{"priority": {"~eq": "high"}}]}]}
    assert evaluate_filter(filters, context).why == (
        "filters.~or[0].priority.~eq: expected 'urgent', got 'low'",
        "filters.~or[1].~and[0].priority.~eq: expected 'high', got 'low'",
    )


def test_a_dotted_field_reads_the_payload_and_a_template_reads_the_context() -> None:
    context = payload_context({"ticket": {"account": {"tier": "enterprise"}}})
    assert evaluate_filter({"ticket.account.tier": {"~eq": "enterprise"}}, context).matched
    # The REST create example: a template key that starts at `context`.
    assert evaluate_filter({"{{context.name}}": {"~starts": "T"}}, {"name": "Triage"}).matched
    templated = {"{{ context.event.name }}": {"~eq": "ticket:created"}}
    assert evaluate_filter(templated, context).matched


def test_a_step_filter_path_is_named_in_the_reason() -> None:
    result = evaluate_filter(
        {"x": {"~eq": 1}}, payload_context({}), "workflowDefinition[2].filters"
    )
    assert result.why == ("workflowDefinition[2].filters.x.~eq: the field is missing",)


# Choices where docs/api.md is silent (docs/semantics.md links each to its test).


def test_null_is_a_present_value_so_negations_hold_on_it() -> None:
    assert holds("~neq", None, "x")
    assert holds("~nin", None, ["x"])
    assert holds("~nstarts", None, "x")
    assert not holds("~neq", MISSING, "x")
    assert holds("~eq", None, None)
    assert not holds("~eq", MISSING, None)


def test_no_type_conversion_numeric_strings_are_strings() -> None:
    assert not holds("~eq", "5", 5)
    assert holds("~neq", "5", 5)
    assert not holds("~gt", "7", 5)
    assert not holds("~in", "1", [1, 2])


def test_ordering_compares_numbers_with_numbers_and_strings_by_code_point() -> None:
    assert holds("~gt", "b", "a")
    assert not holds("~gt", "B", "a")  # upper case sorts before lower case
    assert not holds("~gt", "10", "9")  # strings, not numbers
    assert holds("~gte", "2024-06-01", "2024-01-31")  # ISO dates order as strings


def test_ordering_between_different_kinds_never_matches() -> None:
    assert not holds("~gt", 5, "3")
    assert not holds("~lt", "3", 5)
    assert not holds("~gt", True, 0)
    assert why_not("~gt", "7", 5) == "expected a value > 5 (a number), got '7'"


def test_booleans_are_not_numbers_and_whole_floats_equal_integers() -> None:
    assert not holds("~eq", True, 1)
    assert not holds("~in", 1, [True])
    assert holds("~eq", 1.0, 1)
    assert holds("~in", 2, [1.0, 2.0])


def test_regex_searches_anywhere_case_sensitively_with_inline_flags() -> None:
    assert holds("~regex", "an urgent ticket", "urgent")
    assert not holds("~regex", "an urgent ticket", "^urgent")
    assert not holds("~regex", "URGENT", "urgent")
    assert holds("~regex", "URGENT", "(?i)urgent")


def test_regex_tests_strings_only() -> None:
    assert not holds("~regex", 5, "5")
    assert holds("~nregex", 5, "5")


def test_an_invalid_regex_never_matches_nor_its_negation() -> None:
    assert not holds("~regex", "a", "(")
    assert not holds("~nregex", "a", "(")
    assert "not a valid regular expression" in str(why_not("~regex", "a", "("))


def test_contains_on_a_string_an_array_and_an_object() -> None:
    assert holds("~contains", "abc", "b")
    assert not holds("~contains", "abc", 1)  # a string contains strings only
    assert holds("~contains", [1, 2], 2)
    assert not holds("~contains", [[1]], 1)  # membership, not a search in nested lists
    assert not holds("~contains", {"vip": True}, "vip")  # objects are not searched
    assert holds("~ncontains", {"vip": True}, "vip")


def test_string_operators_are_case_sensitive() -> None:
    assert not holds("~eq", "Urgent", "urgent")
    assert not holds("~starts", "ticket", "T")
    assert not holds("~contains", "DOWN", "down")


def test_in_on_an_array_value_matches_when_any_element_is_listed() -> None:
    assert holds("~in", ["beta", "vip"], ["vip", "enterprise"])
    assert not holds("~in", ["beta"], ["vip"])
    assert not holds("~in", [], ["vip"])
    assert holds("~nin", ["beta"], ["vip"])


def test_an_operand_of_the_wrong_shape_never_matches_nor_its_negation() -> None:
    assert not holds("~in", "x", "x")
    assert not holds("~nin", "y", "x")
    assert why_not("~nin", "y", "x") == "~nin takes a list of values, got 'x'"
    assert not holds("~eq", [1], [1])
    assert not holds("~isnull", None, "yes")
    assert not holds("~gt", 5, None)


def test_an_unknown_operator_never_matches_and_suggests_one() -> None:
    assert why_not("~startswith", "abc", "a") == (
        "unknown operator '~startswith'; did you mean '~starts'?"
    )
    result = evaluate_filter({"~eq": "x"}, payload_context({}))
    assert "not a logical operator" in result.explain()


def test_empty_filters_and_empty_and_match_an_empty_or_does_not() -> None:
    context = payload_context({})
    assert evaluate_filter(None, context).matched
    assert evaluate_filter({}, context).matched
    assert evaluate_filter({"~and": []}, context).matched
    assert evaluate_filter({"priority": {}}, context).matched  # no operator to fail
    result = evaluate_filter({"~or": []}, context)
    assert result.why == ("filters.~or: an empty ~or matches nothing",)


def test_zero_and_false_are_not_empty() -> None:
    assert not holds("~isempty", 0, True)
    assert not holds("~isempty", False, True)
    assert holds("~isempty", "   ", False)  # spaces are not empty


def test_operands_are_literals_not_templates() -> None:
    context = payload_context({"a": "x", "b": "x"})
    assert not evaluate_filter(
        {"a": {"~eq": "{{context.event.message.payload.b}}"}}, context
    ).matched
    literal = payload_context({"a": "{{context.event.message.payload.b}}"})
    assert evaluate_filter({"a": {"~eq": "{{context.event.message.payload.b}}"}}, literal).matched


def test_a_condition_that_is_not_an_object_or_a_list_that_is_not_one_never_matches() -> None:
    context = payload_context({"priority": "urgent"})
    assert not evaluate_filter({"priority": "urgent"}, context).matched
    assert not evaluate_filter({"~and": {"priority": {"~eq": "urgent"}}}, context).matched
    assert not evaluate_filter(["priority"], context).matched


def test_a_dotted_path_indexes_lists_with_numbers() -> None:
    context = payload_context({"tags": ["vip", "beta"], "items": [{"sku": "A1"}]})
    assert evaluate_filter({"tags.0": {"~eq": "vip"}}, context).matched
    assert evaluate_filter({"items.0.sku": {"~eq": "A1"}}, context).matched
    assert not evaluate_filter({"tags.5": {"~isnull": False}}, context).matched


def test_a_template_key_that_does_not_resolve_is_a_missing_field() -> None:
    context = payload_context({})
    assert evaluate_filter({"{{context.nowhere}}": {"~isnull": True}}, context).matched
    assert not evaluate_filter({"{{context.nowhere}}-x": {"~eq": "-x"}}, context).matched


def test_values_in_reasons_are_quoted_and_cut() -> None:
    reason = why_not("~eq", "y" * 200, "x")
    assert reason is not None and reason.startswith("expected 'x', got 'yyy")
    assert len(reason) < 120 and reason.endswith("...")
    assert why_not("~isnull", {"a": [1, None]}, True) == (
        "expected null or a missing field, got {a: [1, null]}"
    )
