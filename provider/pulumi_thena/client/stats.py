"""Thread-safe counters of a client's traffic: requests per route, 429s, retries, ambiguity."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class ClientStats:
    """Counts kept by a ThenaClient; read them with ``snapshot()``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._route_statuses: Counter[tuple[str, int]] = Counter()
        self._retries = 0
        self._ambiguous = 0
        self._transport_errors = 0

    def record_request(self, route: str) -> None:
        """One HTTP attempt on ``route`` ("METHOD /path/{template}")."""
        with self._lock:
            self._requests[route] += 1

    def record_status(self, status: int, route: str | None = None) -> None:
        with self._lock:
            self._statuses[status] += 1
            if route is not None:
                self._route_statuses[route, status] += 1

    def statuses(self, route: str) -> dict[int, int]:
        """The HTTP statuses answered on ``route`` ("METHOD /path/{template}"), with counts."""
        with self._lock:
            return {
                status: n for (where, status), n in self._route_statuses.items() if where == route
            }

    def record_transport_error(self) -> None:
        with self._lock:
            self._transport_errors += 1

    def record_retry(self) -> None:
        with self._lock:
            self._retries += 1

    def record_ambiguous(self) -> None:
        with self._lock:
            self._ambiguous += 1

    def requests(self, route: str | None = None) -> int:
        """Attempts on one route, or on all routes."""
        with self._lock:
            return self._requests[route] if route else sum(self._requests.values())

    @property
    def status_429(self) -> int:
        with self._lock:
            return self._statuses[429]

    @property
    def retries(self) -> int:
        with self._lock:
            return self._retries

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of every counter, as plain data."""
        with self._lock:
            return {
                "byRoute": dict(self._requests),
                "total": sum(self._requests.values()),
                "byStatus": dict(self._statuses),
                "status429": self._statuses[429],
                "retries": self._retries,
                "ambiguousWrites": self._ambiguous,
                "transportErrors": self._transport_errors,
            }

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._statuses.clear()
            self._route_statuses.clear()
            self._retries = self._ambiguous = self._transport_errors = 0
