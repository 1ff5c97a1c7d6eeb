"""Test helpers: a fresh provider session against the emulator, and the emulator's call counters."""

from __future__ import annotations

from typing import Any

from pulumi_thena.resources import Session, Settings, use_session

CREATE = "POST /api/v1/workflows"
LIST = "GET /api/v1/workflows"
GET = "GET /api/v1/workflows/{workflowUniqueIdentifier}"
PATCH = "PATCH /api/v1/workflows/{workflowUniqueIdentifier}"
TOGGLE = "POST /api/v1/workflows/{workflowUniqueIdentifier}/toggle"
DELETE = "DELETE /api/v1/workflows/{workflowUniqueIdentifier}"
WRITES = (CREATE, PATCH, TOGGLE, DELETE)


def fresh_session(emulator: Any) -> Session:
    """A new provider process's worth of state: no client, no caches."""
    session = Session(Settings(api_url=emulator.base_url, api_key=emulator.api_key))
    use_session(session)
    return session


class Calls:
    """Counts of API calls by route since the last ``reset``."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.base = self._now()

    def _now(self) -> dict[str, int]:
        return dict(self.emulator.control.counters()["byRoute"])

    def reset(self) -> None:
        self.base = self._now()

    def since(self) -> dict[str, int]:
        now = self._now()
        return {k: v - self.base.get(k, 0) for k, v in now.items() if v - self.base.get(k, 0)}

    def writes(self) -> dict[str, int]:
        return {k: v for k, v in self.since().items() if k in WRITES}
