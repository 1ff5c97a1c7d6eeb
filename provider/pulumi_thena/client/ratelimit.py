"""Client-side rate limiting: a thread-safe token bucket shared per API within a process.

The bucket paces requests before the server has to refuse them. It also adapts to the
server: when a response says ``X-RateLimit-Remaining: 0``, every caller waits until
``X-RateLimit-Reset`` (SPEC U-20). And it never starts more requests in the server's window
than the last answer said remain, less the requests still in flight: a bucket that refills
while the window runs would otherwise send a request or two past the limit, and several
threads in flight when the window runs out would each draw a 429. Clients of the same base URL
with the same settings share one bucket (``shared_limiter``), so several clients in one process
stay within one budget.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from pulumi_thena.client.clock import SYSTEM_CLOCK, Clock
from pulumi_thena.client.headers import MAX_SERVER_WAIT, remaining, reset_delay, window_pause

DEFAULT_RPS = 10.0
ENV_RPS = "THENA_RATE_LIMIT_RPS"
ENV_BURST = "THENA_RATE_LIMIT_BURST"
_DISABLED_WORDS = frozenset({"0", "off", "none", "unlimited", "disabled"})
# Never pause longer than this on the server's word: a skewed clock must not stall us for hours
# (a request after the pause meets the server again, and the retry loop refuses a longer wait).
MAX_SERVER_PAUSE = MAX_SERVER_WAIT


class RateLimiter:
    """A token bucket of ``rate`` tokens per second holding at most ``burst``; None = unlimited."""

    def __init__(
        self, rate: float | None, burst: int | None = None, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive, or None for no limit")
        self.rate = rate
        self.burst = burst if burst is not None else default_burst(rate)
        if self.burst < 1:
            raise ValueError("burst must be at least 1")
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._updated = clock.monotonic()
        self._paused_until = -math.inf
        # The server's window as the last answer told it: requests we may still start in it
        # (None: no answer yet, or the window has ended), and when it ends (monotonic).
        self._credit: int | None = None
        self._credit_until = -math.inf
        self._in_flight = 0

    def acquire(self) -> float:
        """Take one token, sleeping until it is due; returns the seconds slept."""
        return self._acquire(in_flight=False)

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Take a turn, then count the request as in flight until the block ends.

        Yields the seconds slept. Call ``observe`` with the answer inside the block: the requests
        still in flight besides this one are then known.
        """
        slept = self._acquire(in_flight=True)
        try:
            yield slept
        finally:
            with self._lock:
                self._in_flight -= 1

    def _acquire(self, *, in_flight: bool) -> float:
        # A pause the server asked for while this caller slept in line holds it back too: without
        # that, callers already in line when the window ran out would each draw a 429.
        slept = 0.0
        wait = self._reserve()
        while True:
            while wait > 0:
                self._clock.sleep(wait)
                slept += wait
                wait = self._pending_pause()
            wait = self._take_credit(in_flight)
            if wait <= 0:
                return slept

    def _take_credit(self, in_flight: bool) -> float:
        """0 once this caller may start, counted; else the seconds until the window ends."""
        with self._lock:
            now = self._clock.monotonic()
            if self._credit is not None and now < self._credit_until:
                if self._credit <= 0:
                    return self._credit_until - now
                self._credit -= 1
            else:
                self._credit = None
            if in_flight:
                self._in_flight += 1
            return 0.0

    def _pending_pause(self) -> float:
        with self._lock:
            return max(0.0, self._paused_until - self._clock.monotonic())

    def _reserve(self) -> float:
        # Reserve under the lock, sleep outside it: each caller gets its own slot in line.
        with self._lock:
            now = self._clock.monotonic()
            if self.rate is None:
                return max(0.0, self._paused_until - now)
            self._refill(now)
            self._tokens -= 1
            # During a pause the bucket stands still until it ends (``_updated`` is then).
            return max(0.0, self._updated - now) + max(0.0, -self._tokens / self.rate)

    def _refill(self, now: float) -> None:
        if self.rate is not None and now > self._updated:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now

    def pause_for(self, seconds: float) -> None:
        """Hold every caller back for ``seconds``; a pause over MAX_SERVER_PAUSE is not taken.

        A longer pause would only delay the request that then meets the server's limit again,
        which the retry loop refuses at once with a clear error (a skewed clock, or a server
        asking for hours, must not stall every caller first).

        The server's window starts afresh when the pause ends: the bucket then holds a burst
        less the callers already in line, and does not fill up during the pause (else the
        callers in line and a full burst would go at once and overrun the new window).
        """
        if seconds > MAX_SERVER_PAUSE:
            return
        now = self._clock.monotonic()
        until = now + max(0.0, seconds)
        with self._lock:
            if until <= self._paused_until:
                return
            if self._updated <= now:  # not paused yet: restart the bucket at the window reset
                self._refill(now)
                # Each caller in line holds one request of the new window, even one whose
                # token was mostly refilled in the old one: a debt of 0.1 is a whole request.
                in_line = math.ceil(max(0.0, -self._tokens) - 1e-9)
                self._tokens = float(self.burst - in_line)
            self._paused_until = until
            self._updated = until

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the server's window from an answer's headers.

        When nothing remains, every caller pauses until the reset (or ``Retry-After``, the more
        specific answer), and the window after it starts unknown. Otherwise no more requests
        start in this window than remain, less those still in flight besides this answer's
        (they may not have been counted yet: assuming they were not is the safe side).
        """
        wall = self._clock.wall()
        pause = window_pause(headers, wall)
        if pause is not None:  # the pause holds everyone back; the window after it is new
            self.pause_for(pause)
            with self._lock:
                self._credit = None
            return
        left, delay = remaining(headers), reset_delay(headers, wall)
        if left is None or delay is None or delay > MAX_SERVER_PAUSE:
            return
        with self._lock:
            now = self._clock.monotonic()
            estimate = left - max(0, self._in_flight - 1)
            if self._credit is None or now >= self._credit_until:
                self._credit, self._credit_until = estimate, now + delay
            else:  # the same window (or one that began before our rounded-up end): the lower
                self._credit = min(self._credit, estimate)
                self._credit_until = max(self._credit_until, now + delay)


def default_burst(rate: float | None) -> int:
    """A burst of one second's worth of requests (at least one)."""
    return 1 if rate is None else max(1, math.ceil(rate))


def rate_from_env(environ: Mapping[str, str] = os.environ) -> float | None:
    """THENA_RATE_LIMIT_RPS: requests per second; 0/off/none disables; unset gives DEFAULT_RPS."""
    raw = environ.get(ENV_RPS, "").strip().lower()
    if not raw:
        return DEFAULT_RPS
    if raw in _DISABLED_WORDS:
        return None
    try:
        rate = float(raw)
    except ValueError:
        raise ValueError(f"{ENV_RPS} must be a number of requests per second or 'off'") from None
    return rate if rate > 0 else None


def burst_from_env(environ: Mapping[str, str] = os.environ) -> int | None:
    """THENA_RATE_LIMIT_BURST: bucket size; unset gives one second's worth of requests."""
    raw = environ.get(ENV_BURST, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{ENV_BURST} must be a whole number") from None


_SHARED: dict[tuple[str, float | None, int], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(
    base_url: str, rate: float | None, burst: int | None = None, clock: Clock = SYSTEM_CLOCK
) -> RateLimiter:
    """The process-wide limiter for ``base_url`` and these settings (private for fake clocks)."""
    size = burst if burst is not None else default_burst(rate)
    if clock is not SYSTEM_CLOCK:
        return RateLimiter(rate, size, clock)
    key = (base_url.rstrip("/").lower(), rate, size)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = RateLimiter(rate, size)
        return _SHARED[key]
