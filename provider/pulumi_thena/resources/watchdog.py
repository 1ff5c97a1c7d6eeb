"""Ends the provider process when the Pulumi engine that started it is gone.

The engine starts ``python -m pulumi.dynamic ENGINE_ADDRESS`` for every operation and, on a
normal end, stops it. An engine that dies without doing so (SIGKILL, a cancelled CI job, an
out-of-memory kill) leaves the process serving nobody, forever: the SDK's host has no health
check (one was seen holding 5.5 GB more than six minutes later). Our plugin script cannot fix
that alone, since the official CLI starts the host with its own script, so the provider
watches for itself, from its first ``configure``:

- every ``CHECK_EVERY_SECONDS`` (1 s) it compares its parent process with the one it started
  under (our plugin script execs Python, so the parent is the engine: a dead engine shows at
  once as a new parent);
- and asks the engine's gRPC address, passed as the host's last argument, for its health, as
  the Go plugins' ``rpcutil.Healthcheck`` does (an engine that answers, even "unimplemented",
  is alive). Under a wrapper that does not exec (upstream's script keeps ``sh`` as the parent),
  this is what notices: ``FAILED_CHECKS_TO_EXIT`` (2) failures in a row, each given
  ``HEALTH_TIMEOUT_SECONDS`` (2 s).

Either way the process exits at once (``os._exit``: a request in flight cannot hold it), within
about 5 s of the engine's death. The engine is gone, so nothing could record the answer of a
write still in flight; its owner marker lets the next ``pulumi up`` find and adopt what it made.
Outside the engine's host (tests, programs) nothing is started.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

CHECK_EVERY_SECONDS = 1.0
HEALTH_TIMEOUT_SECONDS = 2.0
FAILED_CHECKS_TO_EXIT = 2
HEALTH_METHOD = "/grpc.health.v1.Health/Check"
_HOST_MODULE = "pulumi.dynamic.__main__"
_ADDRESS = re.compile(r"^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$")

_started: Watchdog | None = None
_lock = threading.Lock()


def engine_address(argv: Sequence[str]) -> str | None:
    """The engine's ``host:port``: the host's last argument (after any logging flags)."""
    last = argv[-1] if len(argv) > 1 else ""
    return last if _ADDRESS.match(last) else None


def _in_engine_host() -> bool:
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == _HOST_MODULE


def start_watchdog() -> Watchdog | None:
    """Start watching the engine, once per process, if this process is the engine's host."""
    global _started
    address = engine_address(sys.argv)
    if address is None or not _in_engine_host():
        return None
    with _lock:
        if _started is None:
            _started = Watchdog(address)
            _started.start()
        return _started


def _engine_gone(address: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"pulumi-thena: the Pulumi engine at {address} is gone; exiting\n")
        sys.stderr.flush()
    os._exit(1)


@dataclass
class Watchdog:
    """Watches one engine; ``on_gone`` is called (by default: exit) when it is gone."""

    address: str
    on_gone: Callable[[str], None] = _engine_gone
    every: float = CHECK_EVERY_SECONDS
    parent: int = field(default_factory=os.getppid)
    getppid: Callable[[], int] = os.getppid
    _channel: Any = field(default=None, init=False, repr=False)
    _stopped: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def start(self) -> None:
        name = "thena-engine-watchdog"
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        failures = 0
        while not self._stopped.wait(self.every):
            orphaned = self.getppid() != self.parent
            if not orphaned:
                failures = 0 if self._engine_answers() else failures + 1
            if orphaned or failures >= FAILED_CHECKS_TO_EXIT:
                self.on_gone(self.address)
                return

    def _engine_answers(self) -> bool:
        import grpc  # type: ignore[import-untyped]  # the host's dependency, imported when first due

        if self._channel is None:
            self._channel = grpc.insecure_channel(self.address)
        check = self._channel.unary_unary(
            HEALTH_METHOD,
            request_serializer=lambda _: b"",  # an empty HealthCheckRequest
            response_deserializer=lambda data: data,
        )
        try:
            check(None, timeout=HEALTH_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            return bool(error.code() == grpc.StatusCode.UNIMPLEMENTED)
        return True
