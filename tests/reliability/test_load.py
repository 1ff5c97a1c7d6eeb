"""200 workflows against an emulator allowing 10 requests a second: every step completes.

Only what is deterministic is asserted (all steps succeed, the org is right after `up` and
empty after `destroy`, no-op steps write nothing, 429s stay rare); the timings are for the
report (scripts/reliability-report).
"""

from __future__ import annotations

import pytest

from tests.reliability.load import LoadResult
from tests.reliability.scenarios import ScenarioPool

pytestmark = pytest.mark.e2e

MAX_429_SHARE = 0.05


@pytest.mark.scenario("load")
def test_up_noop_refresh_destroy_under_a_rate_limit(scenarios: ScenarioPool) -> None:
    result: LoadResult = scenarios.result("load")
    assert [step.outcome.ok for step in result.steps] == [True] * 4, result.problems
    assert result.problems == []
    assert result.status429 <= MAX_429_SHARE * result.requests, result.steps
