"""Retry by outcome: one table (``classify``) says what may be retried, tenacity runs the loop.

A request that never reached the server (connection refused, connect or pool timeout) or was
refused with 429 changed nothing, so any method is retried. A request that may have reached the
server (timeout after sending, dropped connection, 5xx) is retried only when repeating it is
harmless (GET, DELETE); a create, update or toggle raises AmbiguousWriteError at once, because a
blind retry could create a duplicate, bump the version twice or flip the workflow back.

Two budgets, kept apart so that a low rate limit slows a run and never fails it:

- errors (5xx, timeouts, dropped connections) get ``max_attempts`` attempts within
  ``max_total_seconds``, counted without any rate-limit wait; every attempt ends by its
  deadline (``timeout``), and a retry never runs past the error budget;
- rate-limit waits (the client's own pacing, and 429s) are honoured up to
  ``max_wait_seconds`` each, and ``max_request_wait_seconds`` per request and per client while
  no request gets through; a longer wait asked for is refused at once, and all the waits of one
  client (a command, an engine operation) share one ``WaitBudget``.
"""

from __future__ import annotations

import math
import os
import random
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from enum import Enum
from typing import NoReturn

import httpx
import tenacity
from tenacity.stop import stop_base

from pulumi_thena.client.clock import SYSTEM_CLOCK, Clock
from pulumi_thena.client.errors import (
    AmbiguousWriteError,
    RateLimitedError,
    ThenaError,
    ThenaTimeoutError,
    ThenaTransportError,
)
from pulumi_thena.client.headers import MAX_SERVER_WAIT, server_wait
from pulumi_thena.client.ratelimit import RateLimiter
from pulumi_thena.client.responses import api_error
from pulumi_thena.client.transport import deadline


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


# All the rate-limit waits of one request, and of a client while no request gets through: two
# windows of a limit as low as 60 a minute (a window frees a request within one).
MAX_REQUEST_WAIT = 180.0
# All the rate-limit waits of one client (a command, an engine operation) unless
# THENA_MAX_WAIT_SECONDS says otherwise: at 60 requests a minute, about 2,000 requests.
DEFAULT_WAIT_BUDGET = 1800.0
ENV_WAIT_BUDGET = "THENA_MAX_WAIT_SECONDS"
# A retry after an error gets at least this long, however little of the error budget is left.
MIN_RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to retry errors, and how long to wait when the server's rate limit says so."""

    max_attempts: int = 6
    initial_backoff: float = 0.2
    max_backoff: float = 10.0
    max_total_seconds: float = 60.0
    max_wait_seconds: float = MAX_SERVER_WAIT
    max_request_wait_seconds: float = MAX_REQUEST_WAIT

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        durations = (
            self.initial_backoff,
            self.max_backoff,
            self.max_total_seconds,
            self.max_wait_seconds,
            self.max_request_wait_seconds,
        )
        if min(durations) < 0:
            raise ValueError("RetryPolicy durations must not be negative")


NO_RETRY = RetryPolicy(max_attempts=1)


class WaitBudget:
    """The rate-limit waits of one client, over all its requests and threads.

    ``spent`` is all of them, bounded by ``seconds``; ``stalled`` is those since the API last
    answered a request of this client, so that once one request has given up for want of an
    answer, the next ones do not each wait as long again.
    """

    def __init__(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the wait budget must not be negative")
        self.seconds = seconds
        self._spent = 0.0
        self._stalled = 0.0
        self._lock = threading.Lock()

    def spend(self, seconds: float) -> None:
        with self._lock:
            self._spent += seconds
            self._stalled += seconds

    def progress(self) -> None:
        """The API answered a request: waiting since then is no longer a stall."""
        with self._lock:
            self._stalled = 0.0

    @property
    def spent(self) -> float:
        with self._lock:
            return self._spent

    @property
    def stalled(self) -> float:
        with self._lock:
            return self._stalled

    def allows(self, seconds: float) -> bool:
        with self._lock:
            return self._spent + seconds <= self.seconds


def wait_budget_from_env(environ: Mapping[str, str] = os.environ) -> float:
    """THENA_MAX_WAIT_SECONDS: the total rate-limit wait of one client (default 1800 s)."""
    raw = environ.get(ENV_WAIT_BUDGET, "").strip()
    if not raw:
        return DEFAULT_WAIT_BUDGET
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not (seconds >= 0 and math.isfinite(seconds)):
        raise ValueError(f"{ENV_WAIT_BUDGET}={raw!r} is not a number of seconds; fix or unset it")
    return seconds


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

    @property
    def rate_limited(self) -> bool:
        return isinstance(self.error, RateLimitedError)


class _Call:
    """The budgets of one request: error attempts and time, and its rate-limit waits."""

    def __init__(self, policy: RetryPolicy, clock: Clock, waits: WaitBudget) -> None:
        self.policy = policy
        self.clock = clock
        self.waits = waits
        self.started = clock.monotonic()
        self.waited = 0.0
        self.errors = 0  # attempts that failed with an error
        self.limited = 0  # attempts refused for the rate limit
        self.refusal: ThenaError | None = None

    def wait(self, seconds: float) -> None:
        """Record a rate-limit wait (it counts against the wait budgets, not the error one)."""
        self.waited += seconds
        self.waits.spend(seconds)

    def error_seconds(self) -> float:
        return self.clock.monotonic() - self.started - self.waited

    def attempt_seconds(self, timeout: float | None) -> float | None:
        """How long the next attempt may take: its timeout; a retry, no longer than the budget."""
        if timeout is None or self.errors == 0:
            return timeout
        left = self.policy.max_total_seconds - self.error_seconds()
        return min(timeout, max(left, MIN_RETRY_SECONDS))

    def should_stop(self, signal: _RetrySignal, sleep: float) -> bool:
        if signal.rate_limited:
            self.refusal = self._wait_refusal(signal, sleep)
            return self.refusal is not None
        if self.errors >= self.policy.max_attempts:
            return True
        return self.error_seconds() + sleep > self.policy.max_total_seconds

    def _wait_refusal(self, signal: _RetrySignal, sleep: float) -> ThenaError | None:
        """The error that ends a rate-limited request instead of a wait, or None to wait."""
        policy, error = self.policy, signal.error
        assert isinstance(error, RateLimitedError)
        if signal.wait is not None and signal.wait > policy.max_wait_seconds:
            why = (
                f"this client waits at most {policy.max_wait_seconds:g} s at a time; "
                "run again later, or ask Thena about the API's rate limit"
            )
        elif self.waited + sleep > policy.max_request_wait_seconds:
            why = (
                f"this request has waited {self.waited:.0f} s for the rate limit, and waits "
                f"at most {policy.max_request_wait_seconds:g} s in all; run again later, or "
                "lower THENA_RATE_LIMIT_RPS"
            )
        elif self.waits.stalled + sleep > policy.max_request_wait_seconds:
            why = (
                f"no request has got through in the last {self.waits.stalled:.0f} s of waiting "
                f"for the rate limit, and the client waits at most "
                f"{policy.max_request_wait_seconds:g} s for one; run again later"
            )
        elif not self.waits.allows(sleep):
            why = (
                f"this run has waited {self.waits.spent:.0f} s for the rate limit, and waits at "
                f"most {self.waits.seconds:g} s in all; raise {ENV_WAIT_BUDGET}, or run again later"
            )
        else:
            return None
        return error.refused(why)


class _BackoffWait:
    """Exponential backoff with jitter, but never shorter than the wait the server asked for.

    Errors and rate-limit refusals each count their own attempts: a wait for the rate limit
    does not lengthen the backoff after the next error.
    """

    def __init__(self, call: _Call) -> None:
        self._call = call
        self._initial = call.policy.initial_backoff
        self._max = call.policy.max_backoff

    def __call__(self, state: tenacity.RetryCallState) -> float:
        signal = _signal(state)
        if signal is None:
            return 0.0
        count = self._call.limited if signal.rate_limited else self._call.errors
        exponential = self._initial * 2.0 ** max(0, count - 1)
        backoff = min(self._max, exponential + random.uniform(0, self._initial))
        return max(backoff, signal.wait or 0.0)


class _Stop(stop_base):
    """Stop when the budgets of this request say so (see ``_Call.should_stop``)."""

    def __init__(self, call: _Call) -> None:
        self._call = call

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        signal = _signal(state)
        return signal is None or self._call.should_stop(signal, state.upcoming_sleep)


def _signal(state: tenacity.RetryCallState) -> _RetrySignal | None:
    signal = state.outcome.exception() if state.outcome else None
    return signal if isinstance(signal, _RetrySignal) else None


OnRetry = Callable[[str, str, ThenaError, float], None]
"""Called before each retry sleep with method, path, the error and the seconds to sleep."""

Attempt = Callable[[], httpx.Response]


class Retrier:
    """Runs an HTTP attempt until ``classify`` says stop, within a RetryPolicy.

    With a ``limiter``, each attempt first takes its turn there; with a ``timeout``, each attempt
    runs under a deadline of that many seconds (see ``transport.deadline``).
    """

    def __init__(
        self,
        policy: RetryPolicy,
        clock: Clock = SYSTEM_CLOCK,
        on_retry: OnRetry | None = None,
        *,
        limiter: RateLimiter | None = None,
        waits: WaitBudget | None = None,
        timeout: float | None = None,
    ) -> None:
        self.policy = policy
        self.waits = waits or WaitBudget(DEFAULT_WAIT_BUDGET)
        self._clock = clock
        self._on_retry = on_retry
        self._limiter = limiter
        self._timeout = timeout

    def send(self, method: str, path: str, attempt: Attempt) -> httpx.Response:
        """The response of the first attempt that ends in DONE, or the error that ended the loop."""
        call = _Call(self.policy, self._clock, self.waits)
        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(_RetrySignal),
            stop=_Stop(call),
            wait=_BackoffWait(call),
            sleep=self._clock.sleep,
            before_sleep=lambda state: self._before_sleep(call, method, path, state),
            retry_error_callback=lambda state: _raise_final(call, state),
        )
        response: httpx.Response = retrying(self._attempt_once, call, method, path, attempt)
        return response

    def _before_sleep(
        self, call: _Call, method: str, path: str, state: tenacity.RetryCallState
    ) -> None:
        signal = _signal(state)
        if signal is None:
            return
        if signal.rate_limited:
            call.wait(state.upcoming_sleep)
        if self._on_retry is not None:
            self._on_retry(method, path, signal.error, state.upcoming_sleep)

    def _attempt_once(
        self, call: _Call, method: str, path: str, attempt: Attempt
    ) -> httpx.Response:
        turn = self._limiter.slot() if self._limiter is not None else nullcontext(0.0)
        try:
            with turn as slept:
                call.wait(slept)
                seconds = call.attempt_seconds(self._timeout)
                with deadline(seconds) if seconds is not None else nullcontext():
                    response = attempt()
        except httpx.RequestError as exc:
            call.errors += 1
            failure = transport_error(method, path, exc)
            raise _verdict(classify(method, exc), method, path, failure, None) from exc
        decision = classify(method, response.status_code)
        if response.status_code != 429:
            self.waits.progress()  # any other answer: the rate limit let this one through
        if decision is Decision.DONE:
            return response
        wait = server_wait(response.status_code, response.headers, self._clock.wall())
        error = api_error(method, path, response, retry_after=wait)
        if isinstance(error, RateLimitedError):
            call.limited += 1
        else:
            call.errors += 1
        raise _verdict(decision, method, path, error, wait)


def _raise_final(call: _Call, state: tenacity.RetryCallState) -> NoReturn:
    signal = _signal(state)
    if call.refusal is not None:
        raise call.refusal from None
    if signal is not None:
        raise signal.error from signal.__cause__
    raise RuntimeError("retry loop ended without an outcome")  # pragma: no cover


def _verdict(
    decision: Decision, method: str, path: str, error: ThenaError, wait: float | None
) -> Exception:
    """The exception that carries out a decision inside the retry loop."""
    if decision is Decision.RETRY:
        return _RetrySignal(error, wait)
    if decision is Decision.AMBIGUOUS:
        return AmbiguousWriteError(method, path, error)
    return error
