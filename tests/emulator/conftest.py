"""Fixtures for the emulator's contract tests: one ``api`` target, local by default, live on demand.

``api`` points at the emulator unless THENA_LIVE_URL and THENA_LIVE_KEY are both set; then the
``test_contract_*`` tests run against that URL, create only workflows named ``zz-probe-*`` and a
session-end sweeper deletes any that are left. Tests that need seeding or other emulator-only
controls take the ``emulator`` fixture, which skips in live mode.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, PROBE_PREFIX, ApiTarget


def live_target() -> tuple[str, str] | None:
    """(url, key) when both THENA_LIVE_URL and THENA_LIVE_KEY are set, else None."""
    url, key = os.environ.get("THENA_LIVE_URL"), os.environ.get("THENA_LIVE_KEY")
    return (url, key) if url and key else None


def assert_loopback_or_live(url: str) -> None:
    """Refuse any non-loopback target unless it is the explicitly configured THENA_LIVE_URL."""
    if url == os.environ.get("THENA_LIVE_URL"):
        return
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise pytest.UsageError(
            f"refusing to test against {host!r}: it is not loopback and not THENA_LIVE_URL"
        )


@pytest.fixture
def loopback_guard() -> Callable[[str], None]:
    """``assert_loopback_or_live`` for the tests of the guard itself."""
    return assert_loopback_or_live


@pytest.fixture(scope="session")
def live_sweeper() -> Iterator[None]:
    """At session end in live mode, delete every leftover zz-probe-* workflow."""
    yield
    target = live_target()
    if target is None:
        return
    assert_loopback_or_live(target[0])
    with httpx.Client(base_url=target[0], headers={"x-api-key": target[1]}, timeout=30) as http:
        for page in range(1, 50):
            batch = http.get(API, params={"page": page, "limit": 100}).json()
            for workflow in batch:
                if str(workflow.get("name", "")).startswith(PROBE_PREFIX):
                    http.delete(f"{API}/{workflow['uniqueIdentifier']}")
            if len(batch) < 100:
                break


@pytest.fixture
def api(request: pytest.FixtureRequest, live_sweeper: None) -> Iterator[ApiTarget]:
    """The API under test: the (reset) emulator, or the live org when configured."""
    target = live_target()
    if target is not None:
        url, key, live = target[0], target[1], True
    else:
        handle: EmulatorHandle = request.getfixturevalue("thena_emulator")
        url, key, live = handle.base_url, handle.api_key, False
    assert_loopback_or_live(url)
    api_target = ApiTarget(url, key, live)
    yield api_target
    api_target.cleanup()


@pytest.fixture
def emulator(api: ApiTarget, request: pytest.FixtureRequest) -> EmulatorHandle:
    """The emulator handle for tests that need seeding or controls; skipped in live mode."""
    if api.live:
        pytest.skip("needs emulator-only controls (seeding, faults, config)")
    handle: EmulatorHandle = request.getfixturevalue("thena_emulator")
    return handle
