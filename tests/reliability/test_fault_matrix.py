"""The fault matrix through the real engine: each mutating call broken, then `pulumi up` again.

Each case runs in its own project against its own emulator (see ``faults.py`` for what a case
does and checks); the selected cases run side by side and each test checks its own.
"""

from __future__ import annotations

import pytest

from tests.reliability.faults import CASES, CaseResult
from tests.reliability.scenarios import ScenarioPool, fault_scenario

pytestmark = pytest.mark.e2e

CASE_PARAMS = [
    pytest.param(case.id, marks=pytest.mark.scenario(fault_scenario(case.id)), id=case.id)
    for case in CASES
]


@pytest.mark.parametrize("case_id", CASE_PARAMS)
def test_fault_case(case_id: str, scenarios: ScenarioPool) -> None:
    result: CaseResult = scenarios.result(fault_scenario(case_id))
    assert result.second.ok, f"the second run failed: {result.second.last_line}"
    assert result.problems == []
    _first_run_is_clear(result)


def _first_run_is_clear(result: CaseResult) -> None:
    """A first run either succeeds or fails with one line naming the call and what to do."""
    if result.first.ok:
        return
    line = result.first.last_line
    assert result.case.call.method in line and "/api/v1/workflows" in line, line
    assert "run `pulumi up` again" in line, line
