"""The language host stops when the engine interrupts it or goes away.

The engine closes each plugin by sending SIGINT to its process group and kills it only after
5 s. A background job of a non-interactive shell (and nohup, and some CI runners) starts with
SIGINT ignored, and Go keeps an inherited ignore unless the program handles the signal itself:
without its own handler, the host built by ``scripts/install-pulumi`` outlived every engine
operation that ran the program by those 5 s. An engine killed outright (SIGKILL) closes nothing;
the host then notices at its next health check of the engine that it is gone, and exits.
"""

from __future__ import annotations

import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from tests.e2e.engine import require_pulumi

pytestmark = pytest.mark.e2e
ENGINE_GRACE_SECONDS = 5  # how long the engine waits after SIGINT before it kills a plugin


@pytest.mark.parametrize(
    "inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["sigint-default", "sigint-ignored"]
)
def test_the_language_host_stops_on_sigint(inherited: signal.Handlers) -> None:
    process = subprocess.Popen(
        [str(_host())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, inherited),
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()  # the host prints its port once it serves
        assert port.isdigit(), port
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=ENGINE_GRACE_SECONDS)
    finally:
        process.kill()
        process.communicate()
    assert code == 0  # it stopped serving and returned, rather than being killed by the signal


def test_the_language_host_exits_when_the_engine_is_gone() -> None:
    host = _host()
    if not (host.parent / "BUILD-INFO").exists():
        pytest.skip("not the host built by scripts/install-pulumi (upstream's checks every 5 min)")
    engine = grpc.server(ThreadPoolExecutor(max_workers=1))  # answers every call Unimplemented
    port = engine.add_insecure_port("127.0.0.1:0")
    engine.start()
    process = subprocess.Popen(
        [str(host), "--healthcheck-interval=100ms", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip().isdigit()
        time.sleep(1)  # about ten health checks, all answered
        assert process.poll() is None, "the host stopped while the engine was there"
        engine.stop(grace=None)
        code = process.wait(timeout=ENGINE_GRACE_SECONDS)
    finally:
        engine.stop(grace=None)
        process.kill()
        process.communicate()
    assert code == 0


def _host() -> Path:
    return Path(require_pulumi()).parent / "pulumi-language-python"
