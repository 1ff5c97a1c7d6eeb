"""The benchmark's process watch: CPU of every process of an operation, by role (Linux /proc)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from benchmarks.procwatch import (
    EMULATOR,
    ENGINE,
    PROGRAM,
    PROVIDER_HOST,
    ProcessWatch,
    role_of,
)

BUSY = "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end: pass"


@pytest.mark.parametrize(
    ("cmdline", "role"),
    [
        ("/opt/pulumi/bin/pulumi preview --non-interactive", ENGINE),
        ("/opt/pulumi/bin/pulumi-language-python -root /p 127.0.0.1:4000", ENGINE),
        ("/p/.venv/bin/python -u /opt/pulumi/bin/pulumi-language-python-exec --monitor x", PROGRAM),
        ("/p/.venv/bin/python -u -m pulumi.dynamic 127.0.0.1:4000", PROVIDER_HOST),
        ("/bin/sh /opt/pulumi/bin/pulumi-resource-pulumi-python 127.0.0.1:4000", ENGINE),
    ],
)
def test_each_process_has_its_role(cmdline: str, role: str) -> None:
    assert role_of(cmdline) == role


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_the_cpu_of_a_child_counts_under_its_role_and_the_root_s_as_the_engine() -> None:
    root = subprocess.Popen(
        ["/bin/sh", "-c", f'"{sys.executable}" -c "$BUSY"; sleep 0.3'],
        env={"BUSY": BUSY},
    )
    watch = ProcessWatch(root.pid).start()
    root.wait(timeout=30)
    watch.stop()
    cpu = watch.cpu_by_role()
    assert cpu[PROGRAM] >= 0.4  # 0.6 s of CPU, less at most one poll interval
    assert cpu[ENGINE] < 0.3  # the shell waits
    assert cpu[PROVIDER_HOST] == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_work_in_this_process_while_watching_counts_as_the_emulator() -> None:
    """The benchmark serves the API from a thread of its own process: that thread's CPU is the
    emulator's; a child's is not, nor is the idle wait of the thread that watches."""
    root = subprocess.Popen(["/bin/sh", "-c", "sleep 1.2"])
    watch = ProcessWatch(root.pid).start()

    def serve() -> None:
        end = time.thread_time() + 0.5
        while time.thread_time() < end:
            pass

    server = threading.Thread(target=serve)
    server.start()
    server.join()
    root.wait(timeout=30)
    watch.stop()
    cpu = watch.cpu_by_role()
    assert 0.45 <= cpu[EMULATOR] < 0.8  # 0.5 s of the serving thread, whatever the polling cost
    assert cpu[PROGRAM] == cpu[PROVIDER_HOST] == 0
