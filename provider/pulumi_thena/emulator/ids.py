"""Identifiers and timestamps in Thena's style: Crockford base32 ids and ISO-8601 UTC with ``Z``."""

from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import UTC, datetime

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 26


def new_id(length: int = ID_LENGTH) -> str:
    """A time-ordered, upper-case Crockford base32 id (ULID layout for the default length)."""
    millis = time.time_ns() // 1_000_000
    head = ""
    for _ in range(10):
        head = CROCKFORD[millis % 32] + head
        millis //= 32
    tail = "".join(secrets.choice(CROCKFORD) for _ in range(max(length - 10, 0)))
    return (head + tail)[:length]


def iso(moment: datetime) -> str:
    """``2024-05-01T12:00:00.123Z``: UTC with milliseconds, like JavaScript's toISOString."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Clock:
    """Hands out strictly increasing timestamps, so every update visibly changes ``updatedAt``."""

    def __init__(self) -> None:
        self._last_ms = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            self._last_ms = max(time.time_ns() // 1_000_000, self._last_ms + 1)
            return iso(datetime.fromtimestamp(self._last_ms / 1000, UTC))


_DIGITS = re.compile(r"\d+")


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date-time or epoch digits (13 digits: milliseconds, 10: seconds); SPEC U-13.

    Raises ValueError for anything else. Naive ISO values are taken as UTC.
    """
    if _DIGITS.fullmatch(text):
        if len(text) == 13:
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        if len(text) == 10:
            return datetime.fromtimestamp(int(text), UTC)
        raise ValueError(f"epoch time must have 10 (seconds) or 13 (milliseconds) digits: {text}")
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
