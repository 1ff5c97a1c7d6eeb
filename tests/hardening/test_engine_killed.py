"""A SIGKILLed ``pulumi`` leaves no provider process behind, under either plugin script.

``pulumi up`` is killed (SIGKILL, the CLI process alone, as an out-of-memory kill or a runner
that loses the job does) while the provider waits for the create's answer. The provider
(``python -m pulumi.dynamic``) must then exit within a few seconds: under our plugin script,
which execs Python (its parent is the engine), and under a script like the official CLI's,
which keeps ``sh`` as its parent. Whatever else of the run is still there afterwards (the
language host, the program) is killed by the test, by pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_thena.emulator import EmulatorServer
from tests.e2e.engine import REPO
from tests.reliability.harness import Deployment, new_api_key, open_deployment, workflow_yaml
from tests.reliability.interrupted import _descendants

pytestmark = pytest.mark.e2e

PROVIDER = "pulumi.dynamic"
GONE_WITHIN_SECONDS = 10
POST_LATE_BY_SECONDS = 30
# Like the official CLI's pulumi-resource-pulumi-python: Python runs under sh, not in its place.
NON_EXEC_SCRIPT = f"""#!/bin/sh
"{REPO / ".venv" / "bin" / "python"}" -u -m pulumi.dynamic "$@"
"""


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    return ""


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _kill(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def deployment(tmp_path: Path, pulumi_binary: str) -> Iterator[Deployment]:
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        deployment = open_deployment(
            tmp_path, pulumi_binary, {"wf-1.yaml": workflow_yaml(1)}, server
        )
        yield deployment
        deployment.control.clear_faults()
        deployment.close()


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _kill_engine_mid_create(
    deployment: Deployment, extra_path: Path | None
) -> tuple[list[int], float, list[str]]:
    """Kill ``pulumi up`` while the POST waits: the providers left, the seconds until none was,
    and the command line of each provider's parent before the kill."""
    deployment.control.inject_fault(
        "POST", "/api/v1/workflows", "commit_then_delay", delay_seconds=POST_LATE_BY_SECONDS
    )
    project = deployment.project
    env = project.env()
    if extra_path is not None:
        env["PATH"] = f"{extra_path}{os.pathsep}{env['PATH']}"
    argv = [project.binary, "up", "--yes", "--skip-preview", "--non-interactive"]
    process = subprocess.Popen(
        [*argv, "--stack", deployment.stack],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    run: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not deployment.control.workflows():
            assert time.monotonic() < deadline, "the POST never arrived"
            time.sleep(0.05)
        run = _descendants(process.pid)
        providers = [pid for pid in run if PROVIDER in _cmdline(pid)]
        assert providers, "no provider process found"
        parents = [_cmdline(_parent(pid)) for pid in providers]
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        killed = time.monotonic()
        while any(_alive(pid) for pid in providers) and time.monotonic() - killed < 60:
            time.sleep(0.1)
        left = [pid for pid in providers if _alive(pid)]
        return left, time.monotonic() - killed, parents
    finally:
        _kill([process.pid, *run])


def test_the_provider_exits_after_the_engine_is_killed(deployment: Deployment) -> None:
    left, seconds, parents = _kill_engine_mid_create(deployment, None)
    assert all(" up " in parent for parent in parents), parents  # the engine itself
    assert left == [], f"provider processes still running {seconds:.0f}s after the kill"
    assert seconds < GONE_WITHIN_SECONDS


def test_also_under_a_plugin_script_that_keeps_sh_as_the_parent(
    deployment: Deployment, tmp_path: Path
) -> None:
    scripts = tmp_path / "official-like"
    scripts.mkdir()
    script = scripts / "pulumi-resource-pulumi-python"
    script.write_text(NON_EXEC_SCRIPT)
    script.chmod(0o755)
    left, seconds, parents = _kill_engine_mid_create(deployment, scripts)
    assert all(str(script) in parent for parent in parents), parents  # sh running the script
    assert left == [], f"provider processes still running {seconds:.0f}s after the kill"
    assert seconds < GONE_WITHIN_SECONDS
