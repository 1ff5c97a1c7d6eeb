"""``python -m pulumi_thena.emulator`` as a real process: it answers and exits 0 on a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_thena.emulator import DEFAULT_API_KEY, EmulatorServer
from pulumi_thena.emulator.__main__ import main
from tests.emulator.support import API


def _start(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_thena.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line


@pytest.fixture
def emulator_process() -> Iterator[tuple[subprocess.Popen[str], str]]:
    process, line = _start("--rate-limit", "3", "--rate-window", "60")
    yield process, line
    if process.poll() is None:
        process.kill()
        process.wait()


def _url(line: str) -> str:
    return line.split("listening on ", 1)[1].split(" ", 1)[0]


def test_prints_where_it_listens_and_answers(
    emulator_process: tuple[subprocess.Popen[str], str],
) -> None:
    _, line = emulator_process
    assert line.startswith("Thena emulator listening on http://127.0.0.1:")
    assert f"(api key: {DEFAULT_API_KEY})" in line
    url = _url(line)
    assert httpx.get(f"{url}{API}/health").json() == {"status": "ok"}
    headers = {"x-api-key": DEFAULT_API_KEY}
    statuses = [httpx.get(f"{url}{API}", headers=headers).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]  # --rate-limit 3


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_exits_cleanly_on_a_signal(sig: signal.Signals) -> None:
    process, line = _start()
    assert "listening" in line
    process.send_signal(sig)
    assert process.wait(timeout=10) == 0
    assert process.stderr is not None and process.stderr.read() == ""


def test_a_custom_key_is_used_but_never_printed(tmp_path: Path) -> None:
    process, line = _start(
        "--state", str(tmp_path / "s.json"), env={"THENA_EMULATOR_API_KEY": "k-9x"}
    )
    try:
        assert "k-9x" not in line
        url = _url(line)
        assert httpx.get(f"{url}{API}", headers={"x-api-key": "k-9x"}).status_code == 200
        assert httpx.get(f"{url}{API}", headers={"x-api-key": DEFAULT_API_KEY}).status_code == 401
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    assert (tmp_path / "s.json").exists()


def test_main_reports_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    with EmulatorServer() as taken:
        assert main(["--port", str(taken.port)]) == 1
    assert f"cannot listen on 127.0.0.1:{taken.port}" in capsys.readouterr().err
