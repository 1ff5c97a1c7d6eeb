"""The retry rules: the ``classify`` table on its own, then the loop with a fake clock."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from pulumi_thena.client import (
    AmbiguousWriteError,
    Decision,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    ThenaTimeoutError,
    ThenaTransportError,
    classify,
)
from pulumi_thena.client.headers import server_wait
from pulumi_thena.client.ratelimit import RateLimiter
from pulumi_thena.client.retry import Retrier, WaitBudget, wait_budget_from_env
from pulumi_thena.client.transport import current_deadline
from tests.client.fakes import FakeClock

DONE, RETRY, AMBIG, FAIL = Decision.DONE, Decision.RETRY, Decision.AMBIGUOUS, Decision.FAIL
METHODS = ("GET", "DELETE", "POST", "PATCH")  # toggle is a POST

# outcome -> decision for GET, DELETE, POST (create, toggle), PATCH
TABLE: list[tuple[int | Exception, tuple[Decision, Decision, Decision, Decision]]] = [
    (200, (DONE, DONE, DONE, DONE)),
    (201, (DONE, DONE, DONE, DONE)),
    (204, (DONE, DONE, DONE, DONE)),
    (304, (DONE, DONE, DONE, DONE)),
    (400, (FAIL, FAIL, FAIL, FAIL)),
    (401, (FAIL, FAIL, FAIL, FAIL)),
    (403, (FAIL, FAIL, FAIL, FAIL)),
    (404, (FAIL, FAIL, FAIL, FAIL)),
    (409, (FAIL, FAIL, FAIL, FAIL)),
    (422, (FAIL, FAIL, FAIL, FAIL)),
    (429, (RETRY, RETRY, RETRY, RETRY)),
    (500, (RETRY, RETRY, AMBIG, AMBIG)),
    (502, (RETRY, RETRY, AMBIG, AMBIG)),
    (503, (RETRY, RETRY, AMBIG, AMBIG)),
    (504, (RETRY, RETRY, AMBIG, AMBIG)),
    # never reached the server: nothing applied
    (httpx.ConnectError("refused"), (RETRY, RETRY, RETRY, RETRY)),
    (httpx.ConnectTimeout("connect"), (RETRY, RETRY, RETRY, RETRY)),
    (httpx.PoolTimeout("pool"), (RETRY, RETRY, RETRY, RETRY)),
    # may have reached the server
    (httpx.ReadTimeout("read"), (RETRY, RETRY, AMBIG, AMBIG)),
    (httpx.WriteTimeout("write"), (RETRY, RETRY, AMBIG, AMBIG)),
    (httpx.ReadError("reset"), (RETRY, RETRY, AMBIG, AMBIG)),
    (httpx.WriteError("broken pipe"), (RETRY, RETRY, AMBIG, AMBIG)),
    (httpx.RemoteProtocolError("dropped"), (RETRY, RETRY, AMBIG, AMBIG)),
    (httpx.DecodingError("bad gzip"), (RETRY, RETRY, AMBIG, AMBIG)),
    # our own mistakes: retrying cannot help
    (httpx.LocalProtocolError("bad header"), (FAIL, FAIL, FAIL, FAIL)),
    (httpx.UnsupportedProtocol("ftp"), (FAIL, FAIL, FAIL, FAIL)),
    (httpx.TooManyRedirects("loop"), (FAIL, FAIL, FAIL, FAIL)),
    (ValueError("bug"), (FAIL, FAIL, FAIL, FAIL)),
]
CASES = [
    pytest.param(method, outcome, decisions[i], id=f"{method}-{outcome!r}")
    for outcome, decisions in TABLE
    for i, method in enumerate(METHODS)
]


@pytest.mark.parametrize(("method", "outcome", "expected"), CASES)
def test_classify(method: str, outcome: int | Exception, expected: Decision) -> None:
    assert classify(method, outcome) is expected


def test_classify_ignores_method_case() -> None:
    assert classify("get", 503) is RETRY
    assert classify("post", 503) is AMBIG


# --- server-requested waits ----------------------------------------------------------------

NOW = FakeClock.EPOCH


def test_retry_after_in_seconds() -> None:
    assert server_wait(429, {"retry-after": "7"}, NOW) == 7


def test_retry_after_as_http_date() -> None:
    date = formatdate(NOW + 30, usegmt=True)
    assert server_wait(429, {"retry-after": date}, NOW) == pytest.approx(30)


def test_reset_header_counts_on_429_only() -> None:
    headers = {"x-ratelimit-reset": str(int(NOW + 12))}
    assert server_wait(429, headers, NOW) == pytest.approx(12)
    assert server_wait(503, headers, NOW) is None


def test_retry_after_wins_over_reset() -> None:
    headers = {"retry-after": "1", "x-ratelimit-reset": str(int(NOW + 50))}
    assert server_wait(429, headers, NOW) == 1


@pytest.mark.parametrize("value", ["soon", "", "-"])
def test_unreadable_wait_headers_are_ignored(value: str) -> None:
    assert server_wait(429, {"retry-after": value, "x-ratelimit-reset": value}, NOW) is None


# --- the loop ------------------------------------------------------------------------------

REQUEST = httpx.Request("GET", "https://thena.test/x")


def respond(status: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"statusCode": status, "message": "m"})


class Attempts:
    """An attempt function answering with the given outcomes in order (the last repeats)."""

    def __init__(self, *outcomes: httpx.Response | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> httpx.Response:
        self.calls += 1
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def retrier(clock: FakeClock, **policy: float) -> Retrier:
    return Retrier(RetryPolicy(**policy), clock.clock())  # type: ignore[arg-type]


def test_a_retryable_outcome_is_retried_until_success() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(503), httpx.ConnectError("refused"), respond(200))
    assert retrier(clock).send("GET", "/x", attempts).status_code == 200
    assert attempts.calls == 3
    assert len(clock.sleeps) == 2


def test_backoff_grows_exponentially_within_bounds() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(503))
    with pytest.raises(ServerError):
        retrier(clock, max_attempts=5, initial_backoff=1, max_backoff=5).send("GET", "/x", attempts)
    assert attempts.calls == 5
    low = [1, 2, 4, 5]
    high = [2, 3, 5, 5]
    for sleep, lo, hi in zip(clock.sleeps, low, high, strict=True):
        assert lo <= sleep <= hi


def test_total_time_is_capped() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(503))
    loop = retrier(clock, max_attempts=1000, initial_backoff=1, max_backoff=4, max_total_seconds=20)
    with pytest.raises(ServerError):
        loop.send("GET", "/x", attempts)
    assert sum(clock.sleeps) <= 20
    assert sum(clock.sleeps) > 20 - 5  # it did use most of the budget
    assert attempts.calls == len(clock.sleeps) + 1


def test_retry_after_is_honoured_even_beyond_max_backoff() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(429, {"retry-after": "7"}), respond(200))
    retrier(clock, max_backoff=1).send("POST", "/x", attempts)
    assert clock.sleeps == [7]


def test_reset_header_is_honoured_on_429() -> None:
    clock = FakeClock()
    reset = str(int(FakeClock.EPOCH + 9))
    attempts = Attempts(respond(429, {"x-ratelimit-reset": reset}), respond(200))
    retrier(clock).send("PATCH", "/x", attempts)
    assert clock.sleeps == [pytest.approx(9)]


def test_a_wait_longer_than_the_longest_honoured_is_refused_at_once() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(429, {"retry-after": "999999"}))
    with pytest.raises(RateLimitedError) as caught:
        retrier(clock).send("GET", "/x", attempts)
    assert caught.value.retry_after == 999999
    assert clock.sleeps == []
    assert attempts.calls == 1
    message = str(caught.value)
    assert "\n" not in message
    assert "server asks to wait 999999.0s" in message
    assert "waits at most 90 s at a time" in message and "run again later" in message


def test_a_distant_window_reset_is_refused_too() -> None:
    reset = str(int(FakeClock.EPOCH + 600))
    attempts = Attempts(respond(429, {"x-ratelimit-reset": reset}))
    with pytest.raises(RateLimitedError, match="waits at most 90 s at a time"):
        retrier(FakeClock()).send("GET", "/x", attempts)
    assert attempts.calls == 1


def test_a_minute_long_wait_is_honoured_whatever_the_error_budget() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(429, {"retry-after": "60"}), respond(200))
    loop = retrier(clock, max_attempts=2, max_total_seconds=3)  # the CLI's budget, scaled down
    assert loop.send("GET", "/x", attempts).status_code == 200
    assert clock.sleeps == [60]


def test_rate_limit_waits_do_not_use_the_attempts_or_the_error_budget() -> None:
    clock = FakeClock()
    limited = respond(429, {"retry-after": "40"})
    attempts = Attempts(limited, limited, limited, respond(503), limited, respond(200))
    loop = retrier(clock, max_attempts=2, initial_backoff=1, max_total_seconds=5)
    assert loop.send("GET", "/x", attempts).status_code == 200
    assert attempts.calls == 6
    assert sum(clock.sleeps) > 160  # four waits of 40 s and one backoff


def test_one_request_waits_at_most_its_request_budget() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(429, {"retry-after": "60"}))
    with pytest.raises(RateLimitedError) as caught:
        retrier(clock).send("POST", "/x", attempts)
    assert clock.sleeps == [60] * 3
    assert attempts.calls == 4
    assert "waited 180 s for the rate limit, and waits at most 180 s in all" in str(caught.value)


def test_once_nothing_gets_through_the_next_requests_give_up_at_once() -> None:
    """doctor against a server that refuses everything: minutes once, not once per check."""
    clock = FakeClock()
    loop = retrier(clock)
    limited = respond(429, {"retry-after": "60"})
    with pytest.raises(RateLimitedError):
        loop.send("GET", "/first", Attempts(limited))
    waited = sum(clock.sleeps)
    with pytest.raises(RateLimitedError) as caught:
        loop.send("GET", "/second", Attempts(limited, respond(200)))
    assert sum(clock.sleeps) == waited == 180
    assert "no request has got through in the last 180 s" in str(caught.value)
    loop.waits.progress()  # an answer from the API: waiting is no longer a stall
    assert loop.send("GET", "/third", Attempts(limited, respond(200))).status_code == 200


def test_an_answer_resets_the_stall_but_not_the_total() -> None:
    clock = FakeClock()
    loop = retrier(clock)
    for _ in range(4):
        loop.send("GET", "/x", Attempts(respond(429, {"retry-after": "60"}), respond(200)))
    assert loop.waits.stalled == 0 and loop.waits.spent == 240


def test_the_waits_of_all_requests_share_one_budget() -> None:
    clock = FakeClock()
    loop = Retrier(RetryPolicy(), clock.clock(), waits=WaitBudget(100))
    limited = respond(429, {"retry-after": "60"})
    loop.send("GET", "/x", Attempts(limited, respond(200)))
    with pytest.raises(RateLimitedError) as caught:
        loop.send("GET", "/y", Attempts(limited, respond(200)))
    assert clock.sleeps == [60]
    assert loop.waits.spent == 60
    assert "this run has waited 60 s" in str(caught.value)
    assert "THENA_MAX_WAIT_SECONDS" in str(caught.value)


def test_the_limiters_pauses_count_as_waits_not_errors() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    limiter.pause_for(80)
    loop = Retrier(RetryPolicy(max_total_seconds=5), clock.clock(), limiter=limiter)
    assert loop.send("GET", "/x", Attempts(respond(503), respond(200))).status_code == 200
    assert loop.waits.spent == pytest.approx(80)


def test_a_retry_never_runs_past_the_error_budget() -> None:
    clock = FakeClock()
    seen: list[float | None] = []

    def attempt() -> httpx.Response:
        bound = current_deadline()
        seen.append(None if bound is None else bound.seconds)
        clock.now += 25  # each attempt times out after 25 s of the budget
        raise httpx.ReadTimeout("slow")

    loop = Retrier(RetryPolicy(max_total_seconds=60, initial_backoff=0), clock.clock(), timeout=30)
    with pytest.raises(ThenaTimeoutError):
        loop.send("GET", "/x", attempt)
    assert seen[:2] == [30, 30]
    assert seen[2] == pytest.approx(10)  # 60 s budget, 50 s spent
    assert len(seen) == 3


def test_rate_limit_exhaustion_raises_rate_limited_error() -> None:
    clock = FakeClock()
    attempts = Attempts(respond(429, {"retry-after": "1"}))
    with pytest.raises(RateLimitedError):
        retrier(clock, max_attempts=3, max_request_wait_seconds=3).send("POST", "/x", attempts)
    assert attempts.calls == 4


@pytest.mark.parametrize("raw", ["", "90", "0", "4000.5"])
def test_the_wait_budget_comes_from_the_environment(raw: str) -> None:
    expected = float(raw) if raw else 1800
    assert wait_budget_from_env({"THENA_MAX_WAIT_SECONDS": raw}) == expected


@pytest.mark.parametrize("raw", ["soon", "-1", "nan", "inf"])
def test_a_nonsense_wait_budget_names_the_variable(raw: str) -> None:
    with pytest.raises(ValueError, match="THENA_MAX_WAIT_SECONDS"):
        wait_budget_from_env({"THENA_MAX_WAIT_SECONDS": raw})


@pytest.mark.parametrize(
    "outcome",
    [respond(500), respond(503), httpx.ReadTimeout("t"), httpx.RemoteProtocolError("dropped")],
    ids=["500", "503", "read-timeout", "dropped"],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_an_ambiguous_write_is_raised_without_retry(
    method: str, outcome: httpx.Response | Exception
) -> None:
    clock = FakeClock()
    attempts = Attempts(outcome, respond(200))
    with pytest.raises(AmbiguousWriteError) as caught:
        retrier(clock).send(method, "/api/v1/workflows", attempts)
    assert attempts.calls == 1
    assert clock.sleeps == []
    assert caught.value.method == method
    assert caught.value.path == "/api/v1/workflows"
    assert caught.value.cause is not None


def test_a_definite_client_error_is_raised_without_retry() -> None:
    attempts = Attempts(respond(400), respond(200))
    with pytest.raises(InvalidInputError):
        retrier(FakeClock()).send("GET", "/x", attempts)
    assert attempts.calls == 1


def test_delete_after_a_drop_is_retried_and_404_surfaces() -> None:
    attempts = Attempts(httpx.RemoteProtocolError("dropped"), respond(404))
    with pytest.raises(NotFoundError):
        retrier(FakeClock()).send("DELETE", "/x", attempts)
    assert attempts.calls == 2


def test_exhausted_connection_failures_become_transport_errors() -> None:
    with pytest.raises(ThenaTransportError) as refused:
        retrier(FakeClock(), max_attempts=2).send("GET", "/x", Attempts(httpx.ConnectError("no")))
    assert not isinstance(refused.value, ThenaTimeoutError)
    assert isinstance(refused.value.__cause__, httpx.ConnectError)
    with pytest.raises(ThenaTimeoutError):
        retrier(FakeClock(), max_attempts=2).send("POST", "/x", Attempts(httpx.ConnectTimeout("t")))


def test_a_programming_error_propagates_unchanged() -> None:
    with pytest.raises(TypeError):
        retrier(FakeClock()).send("GET", "/x", Attempts(TypeError("not JSON serializable")))


def test_on_retry_hook_sees_each_retry() -> None:
    seen: list[tuple[str, str, float]] = []
    loop = Retrier(RetryPolicy(), FakeClock().clock(), lambda m, p, e, s: seen.append((m, p, s)))
    loop.send("GET", "/x", Attempts(respond(429, {"retry-after": "2"}), respond(200)))
    assert seen == [("GET", "/x", 2)]


@pytest.mark.parametrize(
    "policy",
    [
        {"max_attempts": 0},
        {"initial_backoff": -1},
        {"max_total_seconds": -1},
        {"max_wait_seconds": -1},
        {"max_request_wait_seconds": -1},
    ],
)
def test_policy_rejects_nonsense(policy: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**policy)  # type: ignore[arg-type]
