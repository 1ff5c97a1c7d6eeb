"""One lifecycle through the real engine: initial up, no-op preview and up, edits, flips, refresh,
destroy, each measured, against a fresh emulator with injected latency.

The same sequence runs with the real program (``Workflow``, the Thena provider) and with the null
program (``NullWorkflow``, a provider that makes no call), so their difference is the provider's.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks import floors
from benchmarks.generate import bump_revision, edit_file, sample, stem
from benchmarks.project import BenchProject, Measurement
from pulumi_thena.definitions import parse_cache
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.emulator.traffic import RateLimit
from pulumi_thena.testing import EmulatorControl

# The emulator's own limit (1000 requests a minute) would answer 429 long before N=500 is done;
# the benchmark measures the provider, not the server's throttling.
UNTHROTTLED = RateLimit(limit=10**9, window_seconds=60)
UP = ("up", "--yes", "--skip-preview")


@dataclass(frozen=True)
class SequenceConfig:
    """What one lifecycle runs with."""

    binary: str
    count: int
    latency_ms: float
    null_provider: bool = False
    floor: bool = False
    """The floor program (``floor_program.py``): N null resources with one small property."""
    rate_limit_rps: str | None = "1000"
    teams: int = 1
    skip_checkpoints: bool = False
    """PULUMI_SKIP_CHECKPOINTS=true: the engine writes the state once at the end, not per step."""
    operations: tuple[str, ...] = floors.OPERATIONS


@contextmanager
def emulated_project(config: SequenceConfig) -> Iterator[tuple[BenchProject, EmulatorControl]]:
    """A fresh emulator and a fresh project with its stack initialised, both removed after."""
    key = f"bench-{secrets.token_hex(8)}"
    env = {"THENA_RATE_LIMIT_RPS": config.rate_limit_rps} if config.rate_limit_rps else {}
    if config.skip_checkpoints:
        env["PULUMI_SKIP_CHECKPOINTS"] = "true"
    server = EmulatorServer(
        port=0, api_key=key, latency_ms=config.latency_ms, rate_limit=UNTHROTTLED
    )
    with tempfile.TemporaryDirectory(prefix="thena-bench-") as tmp, server:
        project = BenchProject.create(
            Path(tmp),
            config.binary,
            config.count,
            null_provider=config.null_provider,
            floor=config.floor,
            teams=config.teams,
            extra_env=env,
        )
        # Each lifecycle starts with an empty parse cache, as on a fresh machine: the first `up`
        # parses every file, later operations read what it stored (docs/performance.md).
        project.extra_env[parse_cache.ENV] = str(Path(tmp) / "parse-cache")
        project.init_stack(server.base_url, key)
        with EmulatorControl(server.base_url, key) as control:
            yield project, control


def run_sequence(
    config: SequenceConfig, progress: Callable[[str], None] = print
) -> list[Measurement]:
    """Every operation of ``config.operations``, in lifecycle order, measured."""
    return run_lockstep([config], progress)[0]


def run_lockstep(
    configs: Sequence[SequenceConfig], progress: Callable[[str], None] = print
) -> list[list[Measurement]]:
    """Several lifecycles side by side, one operation of each in turn.

    Interleaving puts the provider's run and the null provider's run of the same operation next
    to each other in time, so that other load on the machine hits both alike.
    """
    results: list[list[Measurement]] = [[] for _ in configs]
    with ExitStack() as stack:
        running = [stack.enter_context(emulated_project(config)) for config in configs]
        for operation in floors.OPERATIONS:
            for config, (project, control), out in zip(configs, running, results, strict=True):
                if operation not in config.operations:
                    continue
                prepare(project, operation, config.count)
                measured = project.measure(operation, control, *engine_args(operation))
                progress(_summary(config, measured))
                out.append(measured)
    return results


def prepare(project: BenchProject, operation: str, count: int) -> None:
    """Change the files or the stack config the way ``operation`` needs."""
    if operation == floors.EDIT_UP:
        for index in sample(count):
            edit_file(project.workflow_file(stem(index)), bump_revision)
    elif operation == floors.FLIP_UP:
        project.set_activation_overrides({stem(i): False for i in sample(count, offset=5)})


def engine_args(operation: str) -> tuple[str, ...]:
    """The pulumi command of ``operation``; no-op runs fail if the engine sees any change."""
    return {
        floors.INITIAL_UP: UP,
        floors.NOOP_PREVIEW: ("preview", "--expect-no-changes"),
        floors.NOOP_UP: (*UP, "--expect-no-changes"),
        floors.EDIT_UP: UP,
        floors.FLIP_UP: UP,
        floors.REFRESH: ("refresh", "--yes", "--skip-preview"),
        floors.DESTROY: ("destroy", "--yes", "--skip-preview"),
    }[operation]


def _summary(config: SequenceConfig, measured: Measurement) -> str:
    kind = ("floor" if config.floor else "null" if config.null_provider else "thena") + (
        " (no checkpoints)" if config.skip_checkpoints else ""
    )
    return (
        f"  N={config.count:<4} {kind:<22} {measured.operation:<28} {measured.seconds:7.2f} s "
        f"{measured.total_calls:5d} calls"
    )
