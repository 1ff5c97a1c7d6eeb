"""A run killed mid-create recovers with cancel, refresh --clear-pending-creates and up; without
checkpoints (PULUMI_SKIP_CHECKPOINTS=true), with cancel and up, adopting what it created."""

from __future__ import annotations

import pytest

from tests.reliability.interrupted import (
    FILES_WITHOUT_CHECKPOINTS,
    InterruptedResult,
    UncheckpointedResult,
)
from tests.reliability.scenarios import ScenarioPool

pytestmark = pytest.mark.e2e


@pytest.mark.scenario("interrupted")
def test_a_killed_create_is_recovered_without_a_duplicate(scenarios: ScenarioPool) -> None:
    result: InterruptedResult = scenarios.result("interrupted")
    assert not result.locked.ok
    assert "locked" in result.locked.output and "pulumi cancel" in result.locked.output
    assert [(command, outcome.ok) for command, outcome in result.recovery] == [
        ("cancel", True),
        ("refresh --clear-pending-creates", True),
        ("up", True),
    ]
    assert result.pending_after_plain_refresh >= 1  # hence --clear-pending-creates in docs
    assert result.problems == []


@pytest.mark.scenario("interrupted-no-checkpoints")
def test_without_checkpoints_a_killed_run_is_adopted_by_the_next_up(
    scenarios: ScenarioPool,
) -> None:
    result: UncheckpointedResult = scenarios.result("interrupted-no-checkpoints")
    # Every workflow was created, and the state knows none of them: no checkpoint was written.
    assert result.created_before_kill == FILES_WITHOUT_CHECKPOINTS
    assert result.in_state_after_kill == 0
    assert not result.locked.ok and "pulumi cancel" in result.locked.output
    assert [(command, outcome.ok) for command, outcome in result.recovery] == [
        ("cancel", True),
        ("up", True),
    ]
    assert result.creates_in_recovery == 0  # each one adopted by its owner marker
    assert result.problems == []  # one workflow per file, at version 1; state and org agree
