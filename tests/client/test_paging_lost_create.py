"""The paging guarantee seen from the provider: a create whose answer was lost is found again.

Issue 15: against an API counting pages from 0, or capping ``limit`` at 20 whatever the order,
the ownership lookup after a lost create answer listed the org, missed the new workflow (on the
first page the client never asked for, or on a page after a short first one) and created it a
second time. Here, the real emulator in each of those modes, 25 other workflows, a dropped
create answer, and the provider's own recovery: exactly one workflow of ours.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.resources import WorkflowProvider
from tests.fixtures import small

OWNER = "thena-workflows/local/lost-create"
OTHERS = 25


@pytest.mark.parametrize(
    ("base", "cap", "order"),
    [(0, 100, "desc"), (0, 20, "asc"), (1, 20, "asc"), (1, 20, "desc"), (0, 20, "desc")],
    ids=["0-based", "0-based-cap20-asc", "cap20-asc", "cap20-desc", "0-based-cap20-desc"],
)
def test_a_lost_create_answer_is_found_again_whatever_the_paging(
    provider: WorkflowProvider, thena_emulator: Any, base: int, cap: int, order: str
) -> None:
    thena_emulator.control.configure(page_base=base, limit_cap=cap, order=order)
    for i in range(OTHERS):
        thena_emulator.client.create_workflow({**small(name=f"other {i}"), "metadata": {}})
    news = {**small(), "owner": OWNER, "adoptExisting": False, "isActive": True}
    inputs = provider.check({}, news).inputs
    thena_emulator.control.inject_fault("POST", "/api/v1/workflows", "commit_then_drop")
    result = provider.create(inputs)
    ours = [
        w
        for w in thena_emulator.control.workflows()
        if (w.get("metadata") or {}).get(OWNER_METADATA_KEY) == OWNER
    ]
    assert [w["uniqueIdentifier"] for w in ours] == [result.id]
    assert len(thena_emulator.control.workflows()) == OTHERS + 1


def test_a_lost_create_answer_under_a_low_rate_limit_is_found_again(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    """60 requests a minute, at a tenth of the time (6 per 6 s): slowed, never failed, one
    workflow of ours. The provider's own budgets stay as they are (90 s for one wait)."""
    for i in range(5):
        thena_emulator.client.create_workflow({**small(name=f"other {i}"), "metadata": {}})
    thena_emulator.control.configure(rate_limit={"limit": 6, "windowSeconds": 6})
    news = {**small(), "owner": OWNER, "adoptExisting": False, "isActive": True}
    inputs = provider.check({}, news).inputs
    thena_emulator.control.inject_fault("POST", "/api/v1/workflows", "commit_then_drop")
    started = time.monotonic()
    result = provider.create(inputs)
    waited = time.monotonic() - started
    thena_emulator.control.configure(rate_limit={"limit": 1000, "windowSeconds": 60})
    ours = [
        w
        for w in thena_emulator.control.workflows()
        if (w.get("metadata") or {}).get(OWNER_METADATA_KEY) == OWNER
    ]
    assert [w["uniqueIdentifier"] for w in ours] == [result.id]
    # More requests than the window allows: the client read X-RateLimit-Remaining and waited
    # for the window to end (no 429 needed), so the create took most of a window.
    assert len(thena_emulator.control.requests()) > 6 + 5
    assert waited > 3, waited
