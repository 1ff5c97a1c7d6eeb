"""The status vocabularies of executions and tasks (docs/api.md section 5.10), as REST has them."""

from __future__ import annotations

EXECUTION_STATUSES: tuple[str, ...] = (
    "PENDING",
    "SCHEDULED",
    "EXECUTING_ACTIVITIES",
    "FINISHED",
    "FAILED",
    "RETRYING",
    "COMPENSATING",
    "SUSPENDED",
)
TASK_STATUSES: tuple[str, ...] = (
    "SCHEDULED",
    "UNAUTHORIZED",
    "STARTED",
    "AWAITING_USER_INPUT",
    "FAILED",
    "FINISHED",
)
