"""Reading the server's wait hints: ``Retry-After`` and the ``X-RateLimit-*`` headers (U-20)."""

from __future__ import annotations

import email.utils
from collections.abc import Mapping

from pulumi_thena.client.assumptions import rate_limit_reset_delay

# The longest single wait the client honours (Retry-After, X-RateLimit-Reset): a window of a
# limit per minute, with room for a server clock a little ahead of ours. A longer one is refused.
MAX_SERVER_WAIT = 90.0


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds from ``Retry-After`` (a number of seconds or an HTTP date), if readable."""
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def reset_delay(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until ``X-RateLimit-Reset``, if readable."""
    value = headers.get("x-ratelimit-reset")
    if not value:
        return None
    try:
        return rate_limit_reset_delay(float(value), now)
    except ValueError:
        return None


def exhausted(headers: Mapping[str, str]) -> bool:
    """True when the server says no requests remain in this window."""
    return remaining(headers) == 0


def remaining(headers: Mapping[str, str]) -> int | None:
    """``X-RateLimit-Remaining`` as a count, if it is a whole number of at least 0."""
    value = headers.get("x-ratelimit-remaining", "").strip()
    return int(value) if value.isascii() and value.isdigit() else None


def server_wait(status: int, headers: Mapping[str, str], now: float) -> float | None:
    """Seconds the server asked us to wait: Retry-After, else (on 429) X-RateLimit-Reset."""
    explicit = retry_after(headers, now)
    if explicit is not None or status != 429:
        return explicit
    return reset_delay(headers, now)


def window_pause(headers: Mapping[str, str], now: float) -> float | None:
    """How long to hold all requests back: None unless the window is exhausted.

    ``Retry-After``, when sent, is the more specific answer and wins over the window reset.
    """
    if not exhausted(headers):
        return None
    explicit = retry_after(headers, now)
    return explicit if explicit is not None else reset_delay(headers, now)
