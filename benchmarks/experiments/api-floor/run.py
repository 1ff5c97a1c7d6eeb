"""What the API's own side costs a refresh and a destroy of N workflows, without any engine.

The wall-time rule of the benchmark (*engine + start-up + 1.3 x bound*) counts the API as its
latency alone, four calls at a time. This measures what a client pays on this machine when
nothing else runs: the emulator in a process of its own (20 ms per call, no rate limit), N
generated workflows, and four threads, as the provider host has. Each row is the median of
``--repeats`` runs, every sample kept in results.json:

- *listing*: ``ThenaClient.iter_workflows()``, the org listed page by page;
- *bare DELETE loop*: an ``httpx.Client`` deleting every workflow, four at a time: the least a
  hand-written script pays for a destroy with the client library the project uses;
- *provider delete*: ``WorkflowProvider.delete`` for every workflow, four at a time, in a fresh
  session (the listing included, which checks each workflow's owner marker first);
- *provider read*: ``WorkflowProvider.read`` for every workflow, four at a time, in a fresh
  session (the listing included): a refresh's provider work, without the engine.

CPU is the client's (this process) and the emulator's (its process, from /proc). Run from the
repository root: ``PYTHONPATH=.:provider .venv/bin/python benchmarks/experiments/api-floor/run.py``
(it writes results.json beside itself and prints the table of README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cpu import as_rpc
from benchmarks.generate import workflow
from benchmarks.machine import describe, load_average
from benchmarks.procwatch import cpu_seconds_of
from benchmarks.run import find_pulumi
from pulumi_thena.diff import declared_inputs
from pulumi_thena.diff.encoding import encoded
from pulumi_thena.resources import Session, Settings, WorkflowProvider, use_session

HERE = Path(__file__).resolve().parent
KEY = "api-floor"
THREADS = 4  # the dynamic-provider host's gRPC pool
WORKFLOWS = "/api/v1/workflows"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["THENA_RATE_LIMIT_RPS"] = "off"
    rows: dict[str, list[dict[str, float]]] = {}
    for _ in range(args.repeats):
        for name, sample in measure_once(args.count, args.latency_ms).items():
            rows.setdefault(name, []).append(sample)
    binary = find_pulumi()
    result = {
        "measuredAt": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "loadAverage": load_average(),
        "machine": describe(binary) if binary else None,
        "count": args.count,
        "latencyMs": args.latency_ms,
        "threads": THREADS,
        "rows": {name: _summary(samples) for name, samples in rows.items()},
    }
    (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(result))
    return 0


def measure_once(count: int, latency_ms: float) -> dict[str, dict[str, float]]:
    """One run of every row, each on a freshly seeded emulator."""
    out = {}
    with emulator(latency_ms) as (url, pid):
        states = seeded(url, count)
        out["listing"] = timed(pid, lambda: listing(url))
        out["provider read"] = timed(pid, lambda: provider_calls(url, "read", states))
        out["provider delete"] = timed(pid, lambda: provider_calls(url, "delete", states))
    with emulator(latency_ms) as (url, pid):
        ids = [id_ for id_, _ in seeded(url, count)]
        out["bare DELETE loop"] = timed(pid, lambda: bare_deletes(url, ids))
    return out


@contextmanager
def emulator(latency_ms: float) -> Iterator[tuple[str, int]]:
    """The emulator CLI in a process of its own; its URL from the banner it prints once it
    listens (``--port 0`` picks a free port)."""
    command = [sys.executable, "-m", "pulumi_thena.emulator", "--port", "0", "--api-key", KEY]
    command += ["--latency-ms", str(latency_ms), "--rate-limit", str(10**9)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        banner = process.stdout.readline() if process.stdout else ""
        found = re.search(r"listening on (http://\S+)", banner)
        if found is None:
            raise RuntimeError(f"the emulator did not start: {banner!r}")
        yield found.group(1), process.pid
    finally:
        process.kill()
        process.wait()


def seeded(url: str, count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` workflows created through the provider: their ids and state properties."""
    use_session(Session(Settings(api_url=url, api_key=KEY)))
    provider = WorkflowProvider()

    def create(index: int) -> tuple[str, dict[str, Any]]:
        props = encoded(
            declared_inputs(
                {**workflow(index), "isActive": True, "owner": f"bench/floor/wf-{index}"}
            )
        )
        made = provider.create(as_rpc(props))
        return made.id, {**as_rpc(props), **as_rpc(made.outs)}

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(create, range(count)))


def listing(url: str) -> int:
    session = Session(Settings(api_url=url, api_key=KEY))
    return len(session.org())


def provider_calls(url: str, method: str, states: list[tuple[str, dict[str, Any]]]) -> int:
    use_session(Session(Settings(api_url=url, api_key=KEY)))  # a fresh process's session
    provider = WorkflowProvider()
    call = getattr(provider, method)
    with ThreadPoolExecutor(THREADS) as pool:
        return len(list(pool.map(lambda state: call(*state), states)))


def bare_deletes(url: str, ids: list[str]) -> int:
    with httpx.Client(base_url=url, headers={"x-api-key": KEY}) as client:

        def delete(id_: str) -> None:
            client.delete(f"{WORKFLOWS}/{id_}").raise_for_status()

        with ThreadPoolExecutor(THREADS) as pool:
            return len(list(pool.map(delete, ids)))


def timed(pid: int, work: Callable[[], int]) -> dict[str, float]:
    server_before, cpu_before = _emulator_cpu(pid), time.process_time()
    started = time.perf_counter()
    done = work()
    return {
        "seconds": time.perf_counter() - started,
        "clientCpuSeconds": time.process_time() - cpu_before,
        "emulatorCpuSeconds": _emulator_cpu(pid) - server_before,
        "items": done,
    }


def _summary(samples: list[dict[str, float]]) -> dict[str, Any]:
    """The run with the median wall time (its CPU with it), and every run's wall time."""
    median = sorted(samples, key=lambda s: s["seconds"])[len(samples) // 2]
    return {
        **{key: round(value, 3) for key, value in median.items()},
        "secondsSamples": [round(s["seconds"], 3) for s in samples],
    }


def _emulator_cpu(pid: int) -> float:
    seconds = cpu_seconds_of(pid)
    if seconds is None:
        raise RuntimeError(f"the emulator (pid {pid}) is gone")
    return seconds


def markdown(result: dict[str, Any]) -> str:
    bound = result["count"] * result["latencyMs"] / 1000 / THREADS
    lines = [
        f"N = {result['count']}, {result['latencyMs']:g} ms per call, {THREADS} threads; "
        f"{THREADS}-at-a-time bound for {result['count']} calls: {bound:.2f} s. "
        f"Measured {result['measuredAt']} (load average {result['loadAverage']}).",
        "",
        "| row | wall (s) | samples (s) | client CPU (s) | emulator CPU (s) |",
        "|---|---|---|---|---|",
    ]
    for name, row in result["rows"].items():
        samples = ", ".join(f"{s:.2f}" for s in row["secondsSamples"])
        lines.append(
            f"| {name} | {row['seconds']:.2f} | {samples} | {row['clientCpuSeconds']:.2f} "
            f"| {row['emulatorCpuSeconds']:.2f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
