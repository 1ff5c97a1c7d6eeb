"""The language host exits when the engine interrupts it, even when it started with SIGINT ignored.

The engine closes each plugin by sending SIGINT to its process group and kills it only after
5 s. A background job of a non-interactive shell (and nohup, and some CI runners) starts with
SIGINT ignored, and Go keeps an inherited ignore unless the program handles the signal itself:
without its own handler, the host built by ``scripts/install-pulumi`` outlived every engine
operation that ran the program by those 5 s.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from tests.e2e.engine import require_pulumi

pytestmark = pytest.mark.e2e
ENGINE_GRACE_SECONDS = 5  # how long the engine waits after SIGINT before it kills a plugin


@pytest.mark.parametrize(
    "inherited", [signal.SIG_DFL, signal.SIG_IGN], ids=["sigint-default", "sigint-ignored"]
)
def test_the_language_host_stops_on_sigint(inherited: signal.Handlers) -> None:
    host = Path(require_pulumi()).parent / "pulumi-language-python"
    process = subprocess.Popen(
        [str(host)],
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
