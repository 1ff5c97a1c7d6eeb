"""Properties of spec.filters and spec.contradictions that must hold for every value and filter."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_thena.spec.contradictions import never_matches
from pulumi_thena.spec.filters import NEGATIONS, evaluate_filter, holds
from pulumi_thena.spec.templates import MISSING, build_context

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, 2.0]),
    st.sampled_from(["", "a", "ab", "b", "B", "1", "10"]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), scalars, max_size=2),
)


def operands(base: str) -> st.SearchStrategy[Any]:
    if base == "~in":
        return st.lists(scalars, max_size=3)
    if base in ("~regex", "~starts", "~ends"):
        return st.sampled_from(["", "a", "^a", "b$", "1"])
    return scalars


@given(st.data(), values)
def test_each_n_operator_negates_its_base_on_a_present_value(
    data: st.DataObject, value: Any
) -> None:
    op, base = data.draw(st.sampled_from(sorted(NEGATIONS.items())))
    operand = data.draw(operands(base))
    assert holds(op, value, operand) is not holds(base, value, operand)


@given(st.data())
def test_a_missing_field_fails_all_but_isnull_and_isempty_true(data: st.DataObject) -> None:
    op, base = data.draw(st.sampled_from(sorted(NEGATIONS.items())))
    assert not holds(op, MISSING, data.draw(operands(base)))
    assert not holds(base, MISSING, data.draw(operands(base)))


FIELDS = ("p", "q")
OPERATORS = ("~eq", "~neq", "~gt", "~gte", "~lt", "~lte", "~in", "~nin", "~contains")
OPERATORS += ("~starts", "~isnull", "~isempty")


def condition(op: str) -> st.SearchStrategy[dict[str, Any]]:
    if op in ("~isnull", "~isempty"):
        return st.booleans().map(lambda b: {op: b})
    if op in ("~gt", "~gte", "~lt", "~lte"):
        return st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b"])).map(lambda v: {op: v})
    if op == "~starts":
        return st.sampled_from(["a", "b"]).map(lambda v: {op: v})
    return operands(op.replace("~nin", "~in")).map(lambda v: {op: v})


leaf = st.tuples(st.sampled_from(FIELDS), st.sampled_from(OPERATORS)).flatmap(
    lambda pair: condition(pair[1]).map(lambda cond: {pair[0]: cond})
)
filters = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"~and": items}),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: {"~or": items}),
    ),
    max_leaves=6,
)
payloads = st.fixed_dictionaries({}, optional={name: values for name in FIELDS})


@given(filters, payloads)
def test_and_or_of_one_filter_is_that_filter(filter_: dict[str, Any], payload: Any) -> None:
    context = build_context({"message": {"payload": payload}})
    alone = evaluate_filter(filter_, context).matched
    assert evaluate_filter({"~and": [filter_]}, context).matched is alone
    assert evaluate_filter({"~or": [filter_]}, context).matched is alone


def candidates(filter_: Any) -> list[Any]:
    """Values a field may take to satisfy the filter: its operands, around them, and empties."""
    found: list[Any] = [MISSING, None, "", [], {}, True, False]
    for operand in _operands(filter_):
        items = operand if isinstance(operand, list) else [operand]
        found += [*items, items]
        for item in items:
            if isinstance(item, int | float) and not isinstance(item, bool):
                found += [item - 1, item + 0.5, item + 1]
            if isinstance(item, str):
                found += [item + "z", "0" + item, item[:-1]]
    unique: list[Any] = []
    for value in found:
        if not any(type(value) is type(seen) and value == seen for seen in unique):
            unique.append(value)
    return unique


def _operands(filter_: Any) -> list[Any]:
    if isinstance(filter_, list):
        return [operand for item in filter_ for operand in _operands(item)]
    if not isinstance(filter_, dict):
        return [filter_]
    return [operand for value in filter_.values() for operand in _operands(value)]


@settings(max_examples=300, deadline=None)
@given(filters)
def test_a_filter_the_lint_calls_never_matching_matches_no_event(filter_: dict[str, Any]) -> None:
    if never_matches([(filter_, "filters")]) is None:
        return
    values_ = candidates(filter_)
    for p in values_:
        for q in values_:
            payload = {k: v for k, v in (("p", p), ("q", q)) if v is not MISSING}
            context = build_context({"message": {"payload": payload}})
            assert not evaluate_filter(filter_, context).matched, (filter_, payload)
