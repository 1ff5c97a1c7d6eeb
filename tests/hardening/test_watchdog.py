"""The provider's watchdog: it notices a dead engine by its gRPC address or by a new parent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest

from pulumi_thena.resources.watchdog import Watchdog, engine_address, start_watchdog


class Gone:
    """Records when (and whether) the watchdog called it."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.at = 0.0

    def __call__(self, address: str) -> None:
        self.at = time.monotonic()
        self.called.set()


@pytest.fixture
def engine() -> Iterator[tuple[grpc.Server, str]]:
    """A gRPC server with no services: every call answers UNIMPLEMENTED, so it is alive."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield server, f"127.0.0.1:{port}"
    server.stop(0)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["/x/pulumi/dynamic/__main__.py", "127.0.0.1:40123"], "127.0.0.1:40123"),
        (["m", "--logtostderr", "-v=9", "localhost:7"], "localhost:7"),
        (["m", "[::1]:5000"], "[::1]:5000"),
        (["m"], None),
        (["m", "--logtostderr"], None),
    ],
)
def test_the_engine_address_is_the_hosts_last_argument(
    argv: list[str], expected: str | None
) -> None:
    assert engine_address(argv) == expected


def test_nothing_starts_outside_the_engines_host() -> None:
    assert start_watchdog() is None


def test_a_live_engine_is_left_alone_and_a_dead_one_noticed_within_seconds(
    engine: tuple[grpc.Server, str],
) -> None:
    server, address = engine
    gone = Gone()
    watchdog = Watchdog(address, on_gone=gone)
    watchdog.start()
    try:
        assert not gone.called.wait(3.5)  # three checks answered
        stopped = time.monotonic()
        server.stop(0)
        assert gone.called.wait(10)
        assert gone.at - stopped < 6
    finally:
        watchdog.stop()


def test_a_new_parent_is_noticed_at_the_next_check(engine: tuple[grpc.Server, str]) -> None:
    _, address = engine
    parents = iter([100, 100, 1])
    gone = Gone()
    watchdog = Watchdog(address, on_gone=gone, parent=100, getppid=lambda: next(parents, 1))
    started = time.monotonic()
    watchdog.start()
    try:
        assert gone.called.wait(10)
        assert gone.at - started < 4
    finally:
        watchdog.stop()
