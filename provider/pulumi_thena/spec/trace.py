"""The records of a simulated run (``spec.runs``), each with ``to_json()`` for a CLI or emulator.

``Task`` mirrors a WorkflowTask of docs/api.md 4.9 without ids and times (``sequence`` counts
tasks instead); ``StepRecord`` says what became of a step and why; ``Wait`` is an open approval
or sleep with the decisions that resolve it; ``Trigger`` says whether an event triggers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

PENDING, WAITING, FINISHED, FAILED = "pending", "waiting", "finished", "failed"
REJECTED, SKIPPED, NOT_RUN = "rejected", "skipped", "not-run"
"""A step's state in a run; all but pending and waiting are final."""
OPEN: Final = (PENDING, WAITING)

APPROVAL, SLEEP = "approval", "sleep"
APPROVE, REJECT, WAKE = "approve", "reject", "wake"
DECISIONS: Final = {APPROVAL: (APPROVE, REJECT), SLEEP: (WAKE,)}


def step_number(ref: str) -> int | str:
    """A step identifier as the wire writes it: a number when it is one."""
    return int(ref) if ref.isdigit() else ref


@dataclass(frozen=True)
class Trigger:
    """Whether an event triggers a workflow; when not, each reason as ``field: why``."""

    triggered: bool
    why: tuple[str, ...] = ()


@dataclass
class Task:
    """One attempt of a step, or one compensation (docs/api.md 4.9, without ids and times)."""

    sequence: int
    step: str
    activity: str
    status: str
    input: Any
    attempt: int = 1
    is_compensation: bool = False
    result: Any = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "stepIdentifier": step_number(self.step),
            "activity": self.activity,
            "status": self.status,
            "input": self.input,
            "result": self.result,
            "attempt": self.attempt,
            "isRetry": self.attempt > 1,
            "isCompensation": self.is_compensation,
            "unresolvedTemplates": list(self.unresolved),
        }


@dataclass
class StepRecord:
    """What became of one step: its state, why, attempts made and its resolved input."""

    step: str
    index: int
    state: str = PENDING
    why: str = ""
    attempts: int = 0
    input: Any = None
    unresolved: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "stepIdentifier": step_number(self.step),
            "state": self.state,
            "why": self.why,
            "attempts": self.attempts,
            "input": self.input,
            "unresolvedTemplates": list(self.unresolved),
        }


@dataclass(frozen=True)
class Wait:
    """A step held until ``Run.resolve``: an approval (with its approver) or a sleep."""

    step: str
    kind: str
    approver: Mapping[str, Any] | None = None
    duration: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "stepIdentifier": step_number(self.step),
            "kind": self.kind,
            "approver": dict(self.approver) if self.approver is not None else None,
            "duration": self.duration,
            "decisions": list(DECISIONS[self.kind]),
        }
