"""The client's shared limiter draws no 429 when several threads share one rate limit.

The engine calls the provider on four threads at once. When the server says that nothing
remains in its window, every caller must hold back until the reset, including one that had
already taken its place in line before the answer came. And no more requests start in a window
than the last answer said remain, less those in flight: the bucket refills while the window
runs, and before that rule a loaded machine saw 3 429s in 43 requests here (CI, 2026-12-02).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi_thena.client import ThenaClient
from pulumi_thena.client.ratelimit import RateLimiter
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.traffic import RateLimit
from pulumi_thena.testing import EmulatorControl
from tests.fixtures import small
from tests.reliability.harness import new_api_key

THREADS = 4  # as many calls as the engine makes at once


def test_a_caller_already_in_line_still_honours_a_later_pause() -> None:
    limiter = RateLimiter(rate=10, burst=1)
    limiter.acquire()  # the bucket is empty: the next caller waits ~0.1 s for its slot
    done: list[float] = []
    started = time.monotonic()
    waiter = threading.Thread(target=lambda: done.append(limiter.acquire()))
    waiter.start()
    time.sleep(0.02)  # the waiter is asleep in line when the server says "nothing remains"
    limiter.pause_for(0.6)
    waiter.join()
    assert time.monotonic() - started >= 0.6


def test_four_threads_against_a_fixed_window_see_no_429() -> None:
    rps, creates = 10, 40
    key = new_api_key()
    limit = RateLimit(limit=rps, window_seconds=1)
    with EmulatorServer(port=0, api_key=key, rate_limit=limit) as s:
        client = ThenaClient(base_url=s.base_url, api_key=key, rate_limit_rps=rps)
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda i: client.create_workflow(_body(i)), range(creates)))
        counters = EmulatorControl(s.base_url, key).counters()
    assert counters["total"] == creates, counters
    assert counters["status429"] == 0, counters


def _body(index: int) -> dict[str, Any]:
    body = small(name=f"Rate limited {index}")
    body.pop("filters")
    return body
