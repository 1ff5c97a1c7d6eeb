"""The token bucket: its arithmetic on a fake clock, server-driven pauses, sharing, threads."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from pulumi_thena.client.clock import Clock
from pulumi_thena.client.headers import exhausted, remaining
from pulumi_thena.client.ratelimit import (
    DEFAULT_RPS,
    MAX_SERVER_PAUSE,
    RateLimiter,
    burst_from_env,
    rate_from_env,
    shared_limiter,
)
from tests.client.fakes import FakeClock


def test_a_full_bucket_lets_a_burst_through_then_paces() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock.clock())
    waits = [limiter.acquire() for _ in range(6)]
    assert waits[:3] == [0, 0, 0]
    assert waits[3:] == [pytest.approx(0.5)] * 3
    assert clock.now == pytest.approx(1.5)


def test_the_bucket_refills_with_time_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=10, burst=2, clock=clock.clock())
    limiter.acquire()
    limiter.acquire()
    clock.now += 100  # idle for a long time: still only `burst` tokens
    assert [limiter.acquire() for _ in range(3)] == [0, 0, pytest.approx(0.1)]


def test_default_burst_is_one_second_of_requests() -> None:
    assert RateLimiter(rate=10).burst == 10
    assert RateLimiter(rate=0.5).burst == 1


def test_no_rate_means_no_pacing() -> None:
    limiter = RateLimiter(rate=None, clock=FakeClock().clock())
    assert all(limiter.acquire() == 0 for _ in range(1000))


@pytest.mark.parametrize(("rate", "burst"), [(0, None), (-1, None), (1, 0)])
def test_nonsense_settings_are_rejected(rate: float, burst: int | None) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate=rate, burst=burst)


def test_a_pause_holds_every_caller_back() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    limiter.pause_for(4)
    assert limiter.acquire() == pytest.approx(4)
    assert limiter.acquire() == 0


def test_observe_pauses_until_the_servers_reset_when_nothing_remains() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=100, clock=clock.clock())
    reset = str(int(clock.wall() + 5))
    limiter.observe({"x-ratelimit-remaining": "3", "x-ratelimit-reset": reset})
    assert limiter.acquire() == 0
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset})
    assert limiter.acquire() == pytest.approx(5)


def test_no_more_requests_start_than_remain_less_those_in_flight() -> None:
    # Three requests in flight; the first answer says 3 remain. The other two in flight may
    # not have been counted yet, so one more may start, and the next waits for the reset.
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    reset = str(int(clock.wall() + 5))
    with ExitStack() as flight:
        slots = [flight.enter_context(limiter.slot()) for _ in range(3)]
        assert slots == [0, 0, 0]
        limiter.observe({"x-ratelimit-remaining": "3", "x-ratelimit-reset": reset})
        assert limiter.acquire() == 0
        assert limiter.acquire() == pytest.approx(5)
    assert limiter.acquire() == 0  # a new window, not yet answered: only the bucket paces


def test_a_later_answer_in_the_same_window_only_lowers_what_may_start() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    reset = str(int(clock.wall() + 5))
    with limiter.slot():
        limiter.observe({"x-ratelimit-remaining": "1", "x-ratelimit-reset": reset})
    with limiter.slot():  # an answer from earlier in the window, delivered late
        limiter.observe({"x-ratelimit-remaining": "7", "x-ratelimit-reset": reset})
    assert limiter.acquire() == pytest.approx(5)


def test_a_caller_in_line_with_a_fraction_of_a_token_owed_takes_a_whole_request() -> None:
    # 10 a second: the 11th caller owes 0.1 of a token when the window runs out. After the
    # reset it still sends a request, so the new window holds 9 more, not 9.9 (which, with
    # the bucket refilling, let an 11th request into the server's window).
    clock = FakeClock()
    limiter = RateLimiter(rate=10, burst=10, clock=clock.clock())
    for _ in range(10):
        limiter.acquire()
    clock.now += 0.09  # 0.9 of a token refilled
    assert limiter._reserve() == pytest.approx(0.01)  # in line, asleep, when the answer comes
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(clock.wall() + 1)})
    waits = [limiter.acquire() for _ in range(10)]  # nine more after the reset, then the bucket
    assert waits[0] == pytest.approx(1)
    assert waits[1:9] == [0] * 8
    assert waits[9] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("value", "count"), [("0", 0), (" 7 ", 7), ("00", 0), ("-1", None), ("2.5", None), ("x", None)]
)
def test_remaining_is_read_as_a_whole_count_or_not_at_all(value: str, count: int | None) -> None:
    headers = {"x-ratelimit-remaining": value}
    assert remaining(headers) == count
    assert exhausted(headers) is (count == 0)


def test_retry_after_wins_over_the_window_reset_when_pausing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    limiter.observe(
        {
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": str(int(clock.wall() + 60)),
            "retry-after": "1",
        }
    )
    assert limiter.acquire() == pytest.approx(1)


@pytest.mark.parametrize(
    "headers",
    [{"x-ratelimit-remaining": "0"}, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "x"}, {}],
)
def test_observe_ignores_incomplete_headers(headers: dict[str, str]) -> None:
    limiter = RateLimiter(rate=None, clock=FakeClock().clock())
    limiter.observe(headers)
    assert limiter.acquire() == 0


def test_a_pause_longer_than_the_longest_honoured_wait_is_not_taken() -> None:
    # The next request meets the limit again, and the retry loop refuses that wait at once.
    clock = FakeClock()
    limiter = RateLimiter(rate=None, clock=clock.clock())
    limiter.observe({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(clock.wall() + 1e6)})
    assert limiter.acquire() == 0
    limiter.observe(
        {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(clock.wall() + MAX_SERVER_PAUSE)}
    )
    assert limiter.acquire() == pytest.approx(MAX_SERVER_PAUSE)


def test_concurrent_callers_each_get_their_own_slot() -> None:
    # A frozen clock: every reservation is distinct only if the bucket is updated under a lock.
    waits: list[float] = []
    lock = threading.Lock()

    def record(seconds: float) -> None:
        with lock:
            waits.append(seconds)

    limiter = RateLimiter(rate=100, burst=1, clock=Clock(lambda: 0.0, lambda: 0.0, record))
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(50)]) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(w * 100) for w in waits) == list(range(1, 400))


def test_real_clock_smoke_under_threads() -> None:
    limiter = RateLimiter(rate=200, burst=5)
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(10)]) for _ in range(4)
    ]
    clock = Clock()
    started = clock.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 40 tokens with 5 up front at 200/s need at least 35/200 s.
    assert clock.monotonic() - started >= 35 / 200 - 0.01


def test_limiters_are_shared_per_base_url_and_settings() -> None:
    a = shared_limiter("https://shared.test/", 5, 5)
    assert shared_limiter("https://SHARED.test", 5, 5) is a
    assert shared_limiter("https://shared.test", 6, 5) is not a
    assert shared_limiter("https://other.test", 5, 5) is not a
    fake = FakeClock().clock()
    assert shared_limiter("https://shared.test", 5, 5, fake) is not a


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_RPS),
        ("", DEFAULT_RPS),
        ("2.5", 2.5),
        ("0", None),
        ("off", None),
        ("None", None),
        ("-3", None),
    ],
)
def test_rate_from_env(value: str | None, expected: float | None) -> None:
    env = {} if value is None else {"THENA_RATE_LIMIT_RPS": value}
    assert rate_from_env(env) == expected


def test_rate_and_burst_env_must_be_numbers() -> None:
    with pytest.raises(ValueError, match="THENA_RATE_LIMIT_RPS"):
        rate_from_env({"THENA_RATE_LIMIT_RPS": "fast"})
    with pytest.raises(ValueError, match="THENA_RATE_LIMIT_BURST"):
        burst_from_env({"THENA_RATE_LIMIT_BURST": "1.5"})
    assert burst_from_env({"THENA_RATE_LIMIT_BURST": "4"}) == 4
    assert burst_from_env({}) is None
