"""Two stacks with workflows of the same names in one org never touch each other's workflows."""

from __future__ import annotations

import pytest

from tests.reliability.ownership import OwnershipResult
from tests.reliability.scenarios import ScenarioPool

pytestmark = [pytest.mark.e2e, pytest.mark.scenario("ownership")]


def test_destroying_one_stack_leaves_the_other_and_hand_made_ones(
    scenarios: ScenarioPool,
) -> None:
    result: OwnershipResult = scenarios.result("ownership")
    assert result.problems == []
    assert len(result.deleted_ids) == 2


def test_plan_lists_the_workflows_no_stack_manages(scenarios: ScenarioPool) -> None:
    result: OwnershipResult = scenarios.result("ownership")
    assert result.hand_made_id in result.plan_unmanaged, result.plan_output
    assert set(result.deleted_ids) <= set(result.plan_unmanaged)  # staging's, seen from dev
