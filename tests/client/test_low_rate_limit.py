"""A limit as low as 60 requests a minute slows a run and never fails it (issue 15, SPEC U-20).

Tested at the same ratio in a tenth of the time: the emulator allows 6 requests per 6 s, and
the client's budgets are a tenth of the CLI's (errors: 30 s -> 3 s, a wait: 90 s -> 9 s, a
request's waits: 180 s -> 18 s). Before rate-limit waits had a budget of their own, the first
429 asked for more than the whole error budget and the run failed.
"""

from __future__ import annotations

import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pulumi_thena.client import RetryPolicy, ThenaClient
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.traffic import RateLimit
from tests.fixtures import small

SCALE = 0.1
LIMIT, WINDOW = 6, 60 * SCALE
THREADS = 4  # as many calls as the engine makes at once
CREATES = 10
CLI_AT_SCALE = RetryPolicy(
    max_attempts=4,  # the CLI's default: --retries 3
    max_total_seconds=30 * SCALE,
    max_wait_seconds=90 * SCALE,
    max_request_wait_seconds=180 * SCALE,
)


def _body(index: int) -> dict[str, Any]:
    body = small(name=f"Slowly {index}")
    body.pop("filters")
    return body


def test_a_listing_and_many_writes_all_finish_under_a_low_limit() -> None:
    key = f"low-{secrets.token_hex(8)}"
    with EmulatorServer(port=0, api_key=key, rate_limit=RateLimit(LIMIT, WINDOW)) as server:
        client = ThenaClient(server.base_url, key, retry=CLI_AT_SCALE)  # default pacing, 10/s
        started = time.monotonic()
        assert client.list_workflows() == []
        with ThreadPoolExecutor(THREADS) as pool:
            made = list(pool.map(lambda i: client.create_workflow(_body(i)), range(CREATES)))
        listed = client.list_workflows()
        seconds = time.monotonic() - started
        client.close()
    stats = client.stats.snapshot()
    assert {w.unique_identifier for w in listed} == {w.unique_identifier for w in made}
    assert stats["ambiguousWrites"] == 0
    requests = stats["total"] - stats["status429"]
    # It was slowed: at 6 per 6 s, the requests that got through need this many windows.
    assert seconds >= (requests // LIMIT - 1) * WINDOW
    assert client.wait_budget.spent > 0
