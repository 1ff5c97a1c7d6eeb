"""Every engine scenario of the suite by name, and a pool that runs the selected ones side by side.

Each scenario runs the real Pulumi CLI against its own emulator, in its own directory, so they
can overlap: the load scenario spends most of its time waiting on a rate limit and each engine
run waits on its child processes, which leaves room on two cores for the others. Tests ask the
pool for their scenario's result and assert on it.

The corpus is not here: it runs ``thena-workflows`` in process (CliRunner swaps the process's
standard streams and environment), so it runs in the foreground.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from tests.reliability.faults import CASES, run_case
from tests.reliability.interrupted import run_interrupted, run_interrupted_without_checkpoints
from tests.reliability.load import run_load
from tests.reliability.ownership import run_ownership

Runner = Callable[[Path, str], Any]
# Four at a time: the load scenario mostly waits, three engine runs keep two cores busy.
DEFAULT_WORKERS = 4


def fault_scenario(case_id: str) -> str:
    return f"fault-{case_id}"


def runners() -> dict[str, Runner]:
    """Every scenario, longest-waiting first (the order they are started in)."""
    named: dict[str, Runner] = {"load": run_load}
    named.update({fault_scenario(case.id): partial(run_case, case) for case in CASES})
    named.update(
        {
            "ownership": run_ownership,
            "interrupted": run_interrupted,
            "interrupted-no-checkpoints": run_interrupted_without_checkpoints,
        }
    )
    return named


class ScenarioPool:
    """Starts the given scenarios at once (in ``runners()`` order); ``result`` waits for one."""

    def __init__(
        self,
        names: Iterable[str],
        binary: str,
        workdir: Callable[[str], Path],
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        wanted = set(names)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scenario")
        self._futures: dict[str, Future[Any]] = {
            name: self._pool.submit(run, workdir(name), binary)
            for name, run in runners().items()
            if name in wanted
        }

    def result(self, name: str) -> Any:
        """The scenario's result (its exception, if it raised one)."""
        return self._futures[name].result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
