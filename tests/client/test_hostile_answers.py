"""Hostile answers end fast, small and clean: a deadline per request, a size cap, a depth limit.

Each case runs the real client against ``HostileServer`` on loopback and checks the time bound,
the one-line error and (in a subprocess, so that the measure is the client's alone) the peak
memory.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import time
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_thena.client import (
    AmbiguousWriteError,
    RateLimitedError,
    RetryPolicy,
    ThenaClient,
    ThenaError,
    ThenaTimeoutError,
    UnexpectedResponseError,
)
from pulumi_thena.client.responses import MAX_JSON_DEPTH, deeper_than
from pulumi_thena.client.transport import MAX_ANSWER_BYTES
from tests.client.fakes import Script, make_client, ok, workflow_json
from tests.client.hostile import hostile

TIMEOUT = 2.0
SLACK = 1.5  # scheduling on a shared CI machine
MEMORY_LIMIT_MB = 512  # issue 16: each of our processes stays under this
IMPORTS_MB = 60  # python with the client imported: about 45 MB


def client_for(url: str, retry: RetryPolicy | None = None) -> ThenaClient:
    return ThenaClient(
        url,
        "hostile-test-key-0001",
        timeout=TIMEOUT,
        retry=retry or RetryPolicy(max_attempts=1),
        rate_limit_rps=None,
    )


def one_line(error: BaseException) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text
    assert "hostile-test-key-0001" not in text
    return text


def timed_failure(client: ThenaClient, call: Any) -> tuple[ThenaError, float]:
    started = time.monotonic()
    with pytest.raises(ThenaError) as caught:
        call(client)
    return caught.value, time.monotonic() - started


@pytest.mark.parametrize("mode", ["trickle-headers", "trickle-body"])
def test_an_answer_trickling_in_ends_at_the_deadline(mode: str) -> None:
    with hostile(mode) as server, client_for(server.base_url) as client:
        error, seconds = timed_failure(client, lambda c: c.list_events())
    assert isinstance(error, ThenaTimeoutError)
    assert TIMEOUT - 0.1 <= seconds < TIMEOUT + SLACK
    assert f"no complete answer within {TIMEOUT:g} s" in one_line(error)


def test_retries_of_a_trickling_answer_stay_within_the_error_budget() -> None:
    policy = RetryPolicy(max_attempts=6, initial_backoff=0.05, max_total_seconds=3.0)
    with hostile("trickle-headers") as server, client_for(server.base_url, policy) as client:
        error, seconds = timed_failure(client, lambda c: c.list_events())
    assert isinstance(error, ThenaTimeoutError)
    assert client.stats.requests() == 2  # the retry got what was left of the 3 s budget
    assert seconds < 3.0 + SLACK


def test_a_write_trickling_in_is_ambiguous_at_the_deadline() -> None:
    with hostile("trickle-body") as server, client_for(server.base_url) as client:
        error, seconds = timed_failure(client, lambda c: c.create_workflow({"name": "n"}))
    assert isinstance(error, AmbiguousWriteError)
    assert seconds < TIMEOUT + SLACK
    assert "no complete answer within" in one_line(error)


@pytest.mark.parametrize("mode", ["endless-chunked", "huge", "huge-undeclared", "gzip-bomb"])
def test_an_answer_larger_than_the_cap_is_refused(mode: str) -> None:
    with hostile(mode) as server, client_for(server.base_url) as client:
        error, seconds = timed_failure(client, lambda c: c.list_workflows())
    assert isinstance(error, UnexpectedResponseError)
    assert "larger than 8 MiB, the most the client reads" in one_line(error)
    assert error.path == "/api/v1/workflows"
    assert seconds < TIMEOUT + SLACK


def test_json_nested_5000_deep_is_one_line() -> None:
    with hostile("deep") as server, client_for(server.base_url) as client:
        error, _ = timed_failure(client, lambda c: c.list_workflows())
    assert isinstance(error, UnexpectedResponseError)
    text = one_line(error)
    assert text.startswith("GET /api/v1/workflows -> 200: unexpected response")
    assert f"JSON nested deeper than {MAX_JSON_DEPTH} levels" in text


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=40,
)


@given(value=JSON, limit=st.integers(1, 8))
def test_the_depth_check_counts_as_a_recursive_walk_would(value: Any, limit: int) -> None:
    assert deeper_than(value, limit) == (depth(value) > limit)


def test_a_deep_step_input_is_refused_before_pydantic_sees_it() -> None:
    step = {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "a"}, "input": nested(150)}
    script = Script(ok(workflow_json(workflowDefinition=[step])))
    with pytest.raises(UnexpectedResponseError, match="nested deeper than 100 levels"):
        make_client(script).get_workflow("wf-1")


def test_an_input_as_deep_as_allowed_parses_and_serialises() -> None:
    # workflow, workflowDefinition, step, input: 4 levels above the input's own
    step = {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "a"}, "input": nested(95)}
    workflow = make_client(Script(ok(workflow_json(workflowDefinition=[step])))).get_workflow("w")
    assert json.loads(workflow.model_dump_json(by_alias=True))["uniqueIdentifier"] == "wf-1"


def test_a_gzip_answer_is_decoded() -> None:
    body = gzip.compress(json.dumps([workflow_json()]).encode())
    answer = httpx.Response(200, content=body, headers={"content-encoding": "gzip"})
    script = Script(answer)
    assert make_client(script).list_events() != []
    assert script.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_an_encoding_we_did_not_ask_for_is_refused() -> None:
    with hostile("brotli") as server, client_for(server.base_url) as client:
        error, _ = timed_failure(client, lambda c: c.list_events())
    assert "encoded as 'br', which the client did not ask for" in one_line(error)


def test_the_client_leaves_no_thread_behind() -> None:
    before = {t.ident for t in threading.enumerate()}
    with hostile("trickle-body") as server, client_for(server.base_url) as client:
        timed_failure(client, lambda c: c.list_events())
    after = [t for t in threading.enumerate() if t.ident not in before]
    assert after == []


# VmHWM, the peak RSS of this process's own memory: ru_maxrss would count the pytest process it
# was started from (Linux keeps the high-water mark across fork and exec).
PEAK_SCRIPT = """
import re, sys
from pulumi_thena.client import RetryPolicy, ThenaClient, ThenaError
client = ThenaClient(sys.argv[1], "peak-test-key-0001", timeout=30,
                     retry=RetryPolicy(max_attempts=1), rate_limit_rps=None)
try:
    client.list_workflows()
except ThenaError as error:
    print(str(error).splitlines()[0][:120], file=sys.stderr)
status = open("/proc/self/status").read()
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024)
"""


@pytest.mark.parametrize("mode", ["endless-chunked", "huge-undeclared", "gzip-bomb"])
def test_a_listing_against_an_endless_answer_stays_small(mode: str) -> None:
    with hostile(mode) as server:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, server.base_url],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    peak_mb = int(done.stdout.strip())
    assert "larger than 8 MiB" in done.stderr
    assert peak_mb < MEMORY_LIMIT_MB
    # What is held is the cap (8 MiB of chunks and their join), not the answer (100 MB or more)
    # nor one inflated gzip piece (up to 64 MB per read when left to httpx's decoder).
    assert peak_mb < IMPORTS_MB + 3 * MAX_ANSWER_BYTES // (1024 * 1024)


def test_the_densest_answer_under_the_cap_stays_under_the_limit() -> None:
    """8 MiB of empty objects: the most memory an answer the client accepts can take."""
    with hostile("dense", size=MAX_ANSWER_BYTES - 1024) as server:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, server.base_url],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    assert "not a valid Workflow" in done.stderr  # decoded, then refused by the model
    assert int(done.stdout.strip()) < MEMORY_LIMIT_MB


def test_a_wait_of_days_is_refused_at_once_and_not_taken_later() -> None:
    """Retry-After: 999999 (and a reset as far off): no wait at all, one line saying why."""
    with hostile("rate-limited") as server, client_for(server.base_url, RetryPolicy()) as client:
        first, seconds = timed_failure(client, lambda c: c.list_workflows())
        second, again = timed_failure(client, lambda c: c.get_workflow("wf-1"))
    assert isinstance(first, RateLimitedError) and isinstance(second, RateLimitedError)
    assert seconds < SLACK and again < SLACK  # the limiter took no pause either
    assert "(server asks to wait 999999.0s): not waiting" in one_line(first)
    assert "waits at most 90 s at a time" in str(first)
