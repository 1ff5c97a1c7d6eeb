"""The checks behind every scenario notice each way an org can go wrong (so the matrix can fail)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pulumi_thena.diff import OWNER_METADATA_KEY, canonical_inputs
from tests.fixtures import small
from tests.reliability.checks import (
    Expected,
    leak_problems,
    org_problems,
    pending_problems,
    state_problems,
)

PREFIX = "thena-workflows/rel/"


def live(stem: str, *, version: int = 1, active: bool = True, **changes: Any) -> dict[str, Any]:
    doc = {
        **small(**changes),
        "uniqueIdentifier": f"ID-{stem}",
        "version": version,
        "isActive": active,
        "metadata": {OWNER_METADATA_KEY: PREFIX + stem},
    }
    return doc


def expected(version: int = 1, active: bool = True) -> Expected:
    inputs = canonical_inputs({**small(), "isActive": active}).inputs
    return Expected(inputs, version)


WANT = {"a": expected(), "b": expected(version=2)}
GOOD = [live("a"), live("b", version=2)]


def test_an_org_exactly_as_defined_has_no_problem() -> None:
    assert org_problems(GOOD, WANT, PREFIX) == []


@pytest.mark.parametrize(
    ("org", "problem"),
    [
        ([live("b", version=2)], "a: 0 workflows in the org"),
        ([*GOOD, live("a")], "a: 2 workflows in the org"),
        ([live("a", version=2), live("b", version=2)], "a: version is 2, expected 1"),
        ([live("a", active=False), live("b", version=2)], "a: isActive is False, expected True"),
        ([live("a", name="Other"), live("b", version=2)], "a: name differs"),
        ([*GOOD, live("c")], "c: in the org but not defined"),
    ],
    ids=["missing", "duplicated", "bumped", "flipped", "changed", "extra"],
)
def test_each_way_the_org_can_be_wrong_is_named(org: list[dict[str, Any]], problem: str) -> None:
    assert any(p.startswith(problem) for p in org_problems(org, WANT, PREFIX))


def test_state_must_agree_with_the_org() -> None:
    state = {"a": {"uniqueIdentifier": "ID-a", "version": 1, "isActive": True}}
    assert state_problems(state, [live("a")], PREFIX) == []
    stale = copy.deepcopy(state)
    stale["a"]["version"] = 2
    assert state_problems(stale, [live("a")], PREFIX) == ["a: state version=2, org 1"]
    assert state_problems({}, [live("a")], PREFIX) == ["a: in the org, not in state"]


def test_pending_operations_are_problems() -> None:
    exported = {
        "deployment": {"pending_operations": [{"type": "creating", "resource": {"urn": "U"}}]}
    }
    assert pending_problems(exported) == ["pending creating of U"]


def test_a_key_or_a_traceback_in_any_text_is_found() -> None:
    texts = ["fine", "key rel-abc leaked", "Traceback (most recent call last):\n  ..."]
    assert leak_problems("rel-abc", texts) == [
        "the API key appears in output #1",
        "a Python traceback appears in output #2",
    ]
