"""Throw-away Pulumi projects for the benchmark: the real program, or the same with a null provider.

``BenchProject`` composes the e2e tests' ``PulumiProject`` (same offline engine, file backend and
Pulumi home in a temporary directory) and adds what a measurement needs: extra environment for the
engine and its plugins, generated definition files, and ``measure`` — one engine operation with its
wall time, the emulator's request counts, and the peak memory and CPU of the provider process.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from benchmarks.generate import write_workflows
from benchmarks.procwatch import ProcessWatch
from pulumi_thena.testing import EmulatorControl
from tests.e2e.engine import REPO, PulumiProject

STACK = "bench"
BENCH_DIR = Path(__file__).resolve().parent
NULL_PROGRAM = BENCH_DIR / "null_program.py"
FLOOR_PROGRAM = BENCH_DIR / "floor_program.py"
ENGINE_TIMEOUT = 3600


@dataclass
class Measurement:
    """One engine operation: what it cost in calls, time, provider memory and CPU."""

    operation: str
    seconds: float
    calls: dict[str, int]
    provider_peak_rss_mb: float | None = None
    provider_cpu_seconds: float | None = None
    provider_processes: int = 0
    provider_connections: int | None = None
    samples: tuple[float, ...] = ()
    """Wall times of every repeat when this is the median of several (see ``median_of``)."""
    cpu_by_role: dict[str, float] | None = None
    """CPU seconds of the engine, the program and the provider host (``procwatch.ROLES``)."""

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "seconds": round(self.seconds, 3),
            "calls": dict(sorted(self.calls.items())),
            "totalCalls": self.total_calls,
            "providerPeakRssMb": self.provider_peak_rss_mb,
            "providerCpuSeconds": self.provider_cpu_seconds,
            "providerProcesses": self.provider_processes,
            "providerConnections": self.provider_connections,
            "secondsSamples": [round(sample, 3) for sample in self.samples] or None,
            "cpuByRole": self.cpu_by_role,
        }


def median_of(repeats: list[list[Measurement]]) -> list[Measurement]:
    """Per operation, the repeat with the median wall time (its calls, memory and CPU with it).

    Call counts are deterministic; a repeat that disagrees is an error, not noise.
    """
    chosen = []
    for runs in zip(*repeats, strict=True):
        if any(run.calls != runs[0].calls for run in runs):
            raise AssertionError(f"{runs[0].operation}: calls differ between repeats: {runs}")
        ordered = sorted(runs, key=lambda run: run.seconds)
        middle = ordered[(len(ordered) - 1) // 2]
        chosen.append(replace(middle, samples=tuple(run.seconds for run in runs)))
    return chosen


@dataclass
class BenchProject(PulumiProject):
    """A PulumiProject whose engine (and so its plugins) also gets ``extra_env``."""

    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        tmp: Path,
        binary: str,
        count: int,
        *,
        null_provider: bool = False,
        floor: bool = False,
        teams: int = 1,
        extra_env: dict[str, str] | None = None,
    ) -> BenchProject:
        """A project of ``count`` generated workflows; the program is the real one, the null one
        (the same files and properties, no HTTP) or the floor (N resources, one small property)."""
        root = tmp / "project"
        (root / "stacks").mkdir(parents=True)
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        program = (
            FLOOR_PROGRAM
            if floor
            else NULL_PROGRAM
            if null_provider
            else REPO / "stacks" / "__main__.py"
        )
        shutil.copy(program, root / "stacks" / "__main__.py")
        (root / ".venv").symlink_to(REPO / ".venv")
        (tmp / "state").mkdir()
        (tmp / "home").mkdir()
        write_workflows(root / "stacks" / "workflows", count, teams)
        env = dict(extra_env or {})
        if null_provider or floor:  # the null provider's module imports in program and host
            env["PYTHONPATH"] = str(REPO)
        return cls(root, binary, extra_env=env)

    def env(self) -> dict[str, str]:
        environment = super().env()
        environment.update(self.extra_env)
        return environment

    def init_stack(self, api_url: str, api_key: str) -> None:
        """Create the benchmark stack pointed at the emulator."""
        self.run("stack", "init", STACK)
        self.run("config", "set", "thena:apiUrl", api_url)
        self.run("config", "set", "--secret", "thena:apiKey", api_key)

    @property
    def stack_file(self) -> Path:
        return self.root / "stacks" / f"Pulumi.{STACK}.yaml"

    def set_activation_overrides(self, overrides: dict[str, bool]) -> None:
        """``thena-workflows:activation.overrides.<stem>``, as ``config set --path --type bool``.

        Written into the stack file in one go: one CLI call per stem would only add engine start-up
        time to the benchmark, and the file is what the CLI writes.
        """
        document = yaml.safe_load(self.stack_file.read_text()) or {}
        config = document.setdefault("config", {})
        activation = config.setdefault("thena-workflows:activation", {})
        activation.setdefault("overrides", {}).update(overrides)
        self.stack_file.write_text(yaml.safe_dump(document, sort_keys=False))

    def measure(self, operation: str, control: EmulatorControl, *args: str) -> Measurement:
        """Run ``pulumi ARGS`` and measure it; fails when the engine does."""
        before = control.counters()["byRoute"]
        started = time.perf_counter()
        done, watch = self._run_watched(args, urlsplit(control.base_url).port)
        seconds = time.perf_counter() - started
        self.outputs.append(done.stdout + done.stderr)
        if done.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return Measurement(
            operation,
            seconds,
            _route_delta(before, control.counters()["byRoute"]),
            watch.peak_rss_mb(),
            watch.cpu_seconds(),
            watch.processes,
            watch.connections(),
            cpu_by_role=watch.cpu_by_role(),
        )

    def _run_watched(
        self, args: tuple[str, ...], api_port: int | None
    ) -> tuple[subprocess.CompletedProcess[str], ProcessWatch]:
        """``pulumi ARGS`` in the project, its provider processes watched while it runs."""
        process = subprocess.Popen(
            [self.binary, *args, "--non-interactive"],
            cwd=self.root,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        watch = ProcessWatch(process.pid, api_port=api_port).start()
        try:
            stdout, stderr = process.communicate(timeout=ENGINE_TIMEOUT)
        finally:
            watch.stop()
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr), watch


def _route_delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    delta = {route: count - before.get(route, 0) for route, count in after.items()}
    return {route: count for route, count in delta.items() if count}
