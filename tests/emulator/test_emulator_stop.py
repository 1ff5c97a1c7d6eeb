"""Stopping: after SIGTERM the emulator exits, and its port is free, within a second, whatever
it was doing (state file, open keep-alive connections, a request in flight, either entry point).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from pulumi_thena.emulator import DEFAULT_API_KEY
from tests.emulator.support import API

BOUND_SECONDS = 1.0
MODULE = [sys.executable, "-m", "pulumi_thena.emulator"]
COMMAND = [str(Path(sys.executable).parent / "thena-workflows"), "emulator"]
HEADERS = {"x-api-key": DEFAULT_API_KEY}

Load = Callable[[str, list[object]], None]


def _idle(url: str, keep: list[object]) -> None:
    return None


def _keep_alive(url: str, keep: list[object]) -> None:
    """Ten clients, each holding a keep-alive connection open after one request."""
    for _ in range(10):
        client = httpx.Client(base_url=url, headers=HEADERS)
        assert client.get(API).status_code == 200
        keep.append(client)


def _in_flight(url: str, keep: list[object]) -> None:
    """A keep-alive connection, a request the server is still working on, a half-sent one."""
    _keep_alive(url, keep)
    httpx.post(f"{url}/__emulator/config", json={"latencyMs": 5000}, headers=HEADERS)
    slow = threading.Thread(target=_swallow, args=(url,), daemon=True)
    slow.start()
    half = socket.create_connection(_address(url))
    half.sendall(
        b"POST /api/v1/workflows HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99\r\n\r\n{"
    )
    keep += [slow, half]
    time.sleep(0.2)  # the slow request is inside the server now


def _swallow(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):  # cut by the stop, as expected
        httpx.get(f"{url}{API}", headers=HEADERS, timeout=10)


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def _port_is_free(port: int) -> bool:
    """Can a new listener bind the port, without SO_REUSEADDR (the strictest test)?"""
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


@pytest.mark.parametrize(
    ("command", "with_state", "load"),
    [
        (MODULE, False, _idle),
        (MODULE, True, _keep_alive),
        (MODULE, True, _in_flight),
        (COMMAND, False, _idle),
        (COMMAND, True, _in_flight),
    ],
    ids=[
        "module",
        "module-state-keepalive",
        "module-state-inflight",
        "command",
        "command-inflight",
    ],
)
def test_sigterm_stops_within_a_second(
    tmp_path: Path, command: list[str], with_state: bool, load: Load
) -> None:
    state = ["--state", str(tmp_path / "state.json")] if with_state else []
    process = subprocess.Popen(
        [*command, "--port", "0", *state],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "THENA_EMULATOR_API_KEY": DEFAULT_API_KEY},
    )
    keep: list[object] = []
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split("listening on ", 1)[1].split(" ", 1)[0]
        load(url, keep)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=10)
        stopped_after = time.monotonic() - signalled
        assert code == 0
        assert stopped_after < BOUND_SECONDS, f"exited {stopped_after:.2f} s after SIGTERM"
        assert _port_is_free(_address(url)[1])
        assert process.stderr is not None and process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for held in keep:
            if isinstance(held, httpx.Client | socket.socket):
                held.close()
