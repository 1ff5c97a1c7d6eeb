"""Run a command with a deadline and measure it: wall time and peak memory of its process tree.

The peak resident set comes from ``wait4``: Linux reports the largest of the child and of every
descendant the child waited for (``pulumi`` waits for its language host, program and plugins),
so one number bounds each process of a run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

MEMORY_LIMIT_MB = 512
TIME_LIMIT_SECONDS = 60
TRACEBACK = "Traceback (most recent call last)"


@dataclass(frozen=True)
class Measured:
    """How one command ended: exit code, output, seconds and peak memory (MB)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def problems(self) -> list[str]:
        """The hardening bounds: under a minute, each process under 512 MB, no traceback."""
        found = []
        if self.seconds > TIME_LIMIT_SECONDS:
            found.append(f"took {self.seconds:.0f}s (limit {TIME_LIMIT_SECONDS}s)")
        if self.peak_mb > MEMORY_LIMIT_MB:
            found.append(f"peaked at {self.peak_mb:.0f} MB (limit {MEMORY_LIMIT_MB} MB)")
        if TRACEBACK in self.output:
            found.append("printed a Python traceback")
        return found


def run_measured(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float = 2 * TIME_LIMIT_SECONDS,
) -> Measured:
    """Run ``argv`` in a process group of its own; killed (the whole group) past ``timeout``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=err, start_new_session=True
        )
        status, peak_kb = _wait(process.pid, started + timeout)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Measured(
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            seconds,
            peak_kb / 1024,
        )


def _wait(pid: int, deadline: float) -> tuple[int, int]:
    """``wait4`` until the child ends; past ``deadline`` its process group is killed first."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage.ru_maxrss
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return status, usage.ru_maxrss
        time.sleep(0.05)
