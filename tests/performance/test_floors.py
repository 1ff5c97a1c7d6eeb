"""The floors and targets the benchmark and the call-count tests compare against."""

from __future__ import annotations

from benchmarks import floors
from benchmarks.floors import CREATE, DELETE, EVENTS, LIST, PATCH, TOGGLE


def test_a_listing_takes_every_full_page_and_the_next_and_at_least_two() -> None:
    counts = (0, 1, 12, 99, 100, 101, 500)
    assert [floors.list_pages(n, first=False) for n in counts] == [1, 2, 2, 2, 2, 2, 6]
    assert [floors.list_pages(n, 20, first=False) for n in (19, 20, 21, 40)] == [2, 2, 2, 3]


def test_a_first_listing_learns_the_page_base() -> None:
    counts = (0, 1, 12, 99, 100, 101, 500)
    assert [floors.list_pages(n) for n in counts] == [2, 3, 3, 3, 3, 3, 7]
    assert [floors.list_pages(n, page_base=0) for n in counts] == [2, 2, 2, 2, 2, 2, 6]


def test_ten_percent_rounds_up() -> None:
    assert [floors.changed(n) for n in (1, 10, 12, 100, 500)] == [1, 1, 2, 10, 50]


def test_floors_by_operation() -> None:
    assert floors.floor(floors.NOOP_UP, 500) == {}
    assert floors.floor(floors.EDIT_UP, 500) == {PATCH: 50}
    assert floors.floor(floors.FLIP_UP, 100) == {TOGGLE: 10}
    assert floors.floor(floors.REFRESH, 500) == {LIST: 7}
    assert floors.floor(floors.DESTROY, 20) == {DELETE: 20, LIST: 3}
    assert floors.floor(floors.INITIAL_UP, 20, teams=2)[EVENTS] == 2


def test_targets_name_what_is_missed() -> None:
    assert floors.target_problems(floors.EDIT_UP, 100, {PATCH: 10, EVENTS: 1}) == []
    assert floors.target_problems(floors.EDIT_UP, 100, {PATCH: 11}) != []
    assert floors.target_problems(floors.NOOP_UP, 100, {EVENTS: 4}) == ["4 reads > 3"]
    assert floors.target_problems(floors.REFRESH, 500, {LIST: 8}) == ["8 calls > 7"]
    assert floors.target_problems(floors.INITIAL_UP, 10, {CREATE: 10, LIST: 2}) == []
    assert floors.target_problems(floors.REFRESH, 20, {LIST: floors.list_pages(20)}) == []


def test_the_floor_program_declares_in_the_real_programs_turns() -> None:
    """The floor program cannot import the constant (it loads none of the package): it states
    it, and this keeps the two equal, so the floor stays the least the real program could pay."""
    import ast
    from pathlib import Path

    from pulumi_thena.definitions.program import DECLARED_PER_TURN

    source = Path(__file__).resolve().parents[2] / "benchmarks" / "floor_program.py"
    assigned = {
        node.targets[0].id: node.value
        for node in ast.parse(source.read_text()).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(assigned["PER_TURN"]) == DECLARED_PER_TURN
