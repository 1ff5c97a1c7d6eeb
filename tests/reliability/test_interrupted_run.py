"""A run killed mid-create recovers with cancel, refresh --clear-pending-creates and up."""

from __future__ import annotations

import pytest

from tests.reliability.interrupted import InterruptedResult
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
