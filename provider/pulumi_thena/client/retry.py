"""Retry by outcome: one table (``classify``) says what may be retried, tenacity runs the loop.

A request that never reached the server (connection refused, connect or pool timeout) or was
refused with 429 changed nothing, so any method is retried. A request that may have reached the
server (timeout after sending, dropped connection, 5xx) is retried only when repeating it is
harmless (GET, DELETE); a create, update or toggle raises AmbiguousWriteError at once, because a
blind retry could create a duplicate, bump the version twice or flip the workflow back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import NoReturn

import httpx
import tenacity
from tenacity.stop import stop_base

from pulumi_thena.client.clock import SYSTEM_CLOCK, Clock
from pulumi_thena.client.errors import (
    AmbiguousWriteError,
    ThenaError,
    ThenaTimeoutError,
    ThenaTransportError,
)
from pulumi_thena.client.headers import server_wait
from pulumi_thena.client.responses import api_error


class Decision(Enum):
    """What to do with the outcome of one attempt."""

    DONE = "done"  # a success: hand the response to the caller
    RETRY = "retry"  # nothing was applied, or repeating is harmless
    AMBIGUOUS = "ambiguous"  # a write may have been applied: raise AmbiguousWriteError
    FAIL = "fail"  # a definite error: raise it now


# Methods whose repetition leaves the server as one success would (RFC 9110 section 9.2.2).
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})

# The request was never handed to the server.
NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

# The request may have reached the server, and no complete answer came back.
MAYBE_APPLIED: tuple[type[Exception], ...] = (
    httpx.TimeoutException,  # ReadTimeout, WriteTimeout
    httpx.NetworkError,  # ReadError, WriteError, CloseError
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)

Outcome = int | BaseException
"""An HTTP status code, or the exception an attempt raised."""


def classify(method: str, outcome: Outcome) -> Decision:
    """THE rule for what is retryable: decide from the method and the attempt's outcome."""
    if isinstance(outcome, int):
        return _classify_status(method, outcome)
    if isinstance(outcome, NOT_SENT):
        return Decision.RETRY
    if isinstance(outcome, MAYBE_APPLIED):
        return _repeat_if_harmless(method)
    return Decision.FAIL


def _classify_status(method: str, status: int) -> Decision:
    if status < 400:
        return Decision.DONE
    if status == 429:
        return Decision.RETRY
    if status >= 500:
        return _repeat_if_harmless(method)
    return Decision.FAIL


def _repeat_if_harmless(method: str) -> Decision:
    return Decision.RETRY if method.upper() in IDEMPOTENT_METHODS else Decision.AMBIGUOUS


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry: attempts, exponential backoff with jitter, and a cap on total time."""

    max_attempts: int = 6
    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    max_total_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if min(self.initial_backoff, self.max_backoff, self.max_total_seconds) < 0:
            raise ValueError("RetryPolicy durations must not be negative")


NO_RETRY = RetryPolicy(max_attempts=1)


def transport_error(method: str, path: str, exc: Exception) -> ThenaTransportError:
    """The ThenaTransportError (or ThenaTimeoutError) for an httpx exception."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return ThenaTimeoutError(method, path, detail)
    return ThenaTransportError(method, path, detail)


class _RetrySignal(Exception):
    """Raised inside the tenacity loop to ask for another attempt."""

    def __init__(self, error: ThenaError, wait: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class _BackoffWait:
    """Exponential backoff with jitter, but never shorter than the wait the server asked for."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._max = policy.max_backoff
        exponential = tenacity.wait_exponential(multiplier=policy.initial_backoff, max=self._max)
        self._backoff = exponential + tenacity.wait_random(0, policy.initial_backoff)

    def __call__(self, state: tenacity.RetryCallState) -> float:
        backoff = min(self._max, self._backoff(state))
        signal = state.outcome.exception() if state.outcome else None
        asked = signal.wait if isinstance(signal, _RetrySignal) else None
        return max(backoff, asked or 0.0)


class _OverBudget(stop_base):
    """Stop when the next sleep would take the whole call past ``max_total_seconds``."""

    def __init__(self, clock: Clock, max_total: float) -> None:
        self._clock = clock
        self._max_total = max_total
        self._start = clock.monotonic()

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        elapsed = self._clock.monotonic() - self._start
        return elapsed + state.upcoming_sleep > self._max_total


def _raise_final(state: tenacity.RetryCallState) -> NoReturn:
    signal = state.outcome.exception() if state.outcome else None
    if isinstance(signal, _RetrySignal):
        raise signal.error from signal.__cause__
    raise RuntimeError("retry loop ended without an outcome")  # pragma: no cover


OnRetry = Callable[[str, str, ThenaError, float], None]
"""Called before each retry sleep with method, path, the error and the seconds to sleep."""

Attempt = Callable[[], httpx.Response]


class Retrier:
    """Runs an HTTP attempt until ``classify`` says stop, within a RetryPolicy."""

    def __init__(
        self, policy: RetryPolicy, clock: Clock = SYSTEM_CLOCK, on_retry: OnRetry | None = None
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._on_retry = on_retry

    def send(self, method: str, path: str, attempt: Attempt) -> httpx.Response:
        """The response of the first attempt that ends in DONE, or the error that ended the loop."""
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_RetrySignal),
            stop=tenacity.stop_after_attempt(self.policy.max_attempts)
            | _OverBudget(self._clock, self.policy.max_total_seconds),
            wait=_BackoffWait(self.policy),
            sleep=self._clock.sleep,
            before_sleep=lambda state: self._before_sleep(method, path, state),
            retry_error_callback=_raise_final,
        )
        response: httpx.Response = retrying(self._attempt_once, method, path, attempt)
        return response

    def _before_sleep(self, method: str, path: str, state: tenacity.RetryCallState) -> None:
        signal = state.outcome.exception() if state.outcome else None
        if self._on_retry is not None and isinstance(signal, _RetrySignal):
            self._on_retry(method, path, signal.error, state.upcoming_sleep)

    def _attempt_once(self, method: str, path: str, attempt: Attempt) -> httpx.Response:
        try:
            response = attempt()
        except httpx.RequestError as exc:
            failure = transport_error(method, path, exc)
            raise _verdict(classify(method, exc), method, path, failure, None) from exc
        decision = classify(method, response.status_code)
        if decision is Decision.DONE:
            return response
        wait = server_wait(response.status_code, response.headers, self._clock.wall())
        error = api_error(method, path, response, retry_after=wait)
        raise _verdict(decision, method, path, error, wait)


def _verdict(
    decision: Decision, method: str, path: str, error: ThenaError, wait: float | None
) -> Exception:
    """The exception that carries out a decision inside the retry loop."""
    if decision is Decision.RETRY:
        return _RetrySignal(error, wait)
    if decision is Decision.AMBIGUOUS:
        return AmbiguousWriteError(method, path, error)
    return error
