"""Definitions shared by tests: a small valid workflow and a larger realistic one."""

from __future__ import annotations

import copy
from typing import Any

SMALL: dict[str, Any] = {
    "name": "Escalation comment",
    "triggerEvent": "ticket:escalated",
    "executingAgent": "bot-support",
    "teamId": "team-support",
    "filters": {
        "~and": [{"priority": {"~in": ["high", "urgent"]}}, {"status": {"~neq": "closed"}}]
    },
    "workflowDefinition": [
        {
            "stepIdentifier": 1,
            "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
            "input": {
                "ticketId": "{{context.event.message.payload.ticketId}}",
                "text": "Escalated",
            },
        }
    ],
}


def small(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(SMALL)
    data.update(overrides)
    return data


def steps(count: int) -> list[dict[str, Any]]:
    """A chain of ``count`` steps with retries, dependencies and a compensation on each."""
    out = []
    for sid in range(1, count + 1):
        step: dict[str, Any] = {
            "stepIdentifier": sid,
            "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
            "input": {"ticketId": "{{context.event.message.payload.ticketId}}", "n": sid},
            "retryPolicy": {"maximumAttempts": 3, "initialInterval": 1, "backoffCoefficient": 2},
            "onFailure": "COMPENSATE",
            "compensationActivity": {
                "activity": {"uniqueIdentifier": "tickets:add-comment-platform"},
                "input": {"text": f"undo {sid}"},
            },
        }
        if sid > 1:
            step["dependencies"] = [str(sid - 1)]
        out.append(step)
    return out
