"""Provider CPU per resource: ``check`` and ``diff`` of a 30-step workflow, in-process, offline.

Properties are shaped as the engine hands them to the provider: numbers as floats (they cross
Pulumi's RPC as protobuf doubles), the settings (``owner``, ``adoptExisting``), the output
placeholders and ``__provider``. The session's registry for the team is filled once, before any
timing, through a mock transport serving the emulator's default registry; the cross-check path
then runs on the cached registry, as in a provider process after its first check.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pulumi.dynamic.dynamic import serialize_provider

from benchmarks.generate import TEAM_ID, bump_revision, workflow
from pulumi_thena.client import ThenaClient
from pulumi_thena.diff import OUTPUT_FIELDS, declared_inputs
from pulumi_thena.emulator.registry import default_activities, default_events
from pulumi_thena.models.filters import default_catalog_wire
from pulumi_thena.resources import Session, Settings, WorkflowProvider, use_session

STEPS = 30
OWNER = "thena-workflows/bench/wf-cpu"
CHECK_SAME = "check, unchanged inputs (no registry)"
CHECK_CHANGED = "check, one step changed (registry cross-check)"
CHECK_NEW = "check, new resource (registry cross-check)"
DIFF_SAME = "diff, no change"
DIFF_CHANGED = "diff, one step changed"


def as_rpc(value: Any) -> Any:
    """Every int as a float, as values arrive after crossing the engine's RPC."""
    if isinstance(value, dict):
        return {key: as_rpc(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_rpc(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def registry_transport() -> httpx.MockTransport:
    """Answers the three registry reads with the emulator's default registry, nothing else."""
    answers: dict[str, Any] = {
        "/api/v1/workflows/registry/events": default_events(),
        "/api/v1/workflows/registry/activities": default_activities(),
        "/api/v1/workflows/filter-operators": default_catalog_wire(),
    }

    def answer(request: httpx.Request) -> httpx.Response:
        body = answers.get(request.url.path)
        if body is None:
            return httpx.Response(404, json={"message": "not served in the CPU benchmark"})
        return httpx.Response(200, json=body)

    return httpx.MockTransport(answer)


def seeded_session() -> Session:
    """A session whose registry for the benchmark team is cached: no HTTP from here on."""
    client = ThenaClient(
        "http://registry.invalid", "cpu-bench", transport=registry_transport(), rate_limit_rps=None
    )
    session = Session(Settings(api_url=client.base_url, api_key="cpu-bench"), client)
    session.registry(TEAM_ID)  # fetched once, through the mock transport, then cached
    return session


def program_props(definition: dict[str, Any], provider: str) -> dict[str, Any]:
    """What the program declares for one workflow, as the provider receives it in ``check``.

    Programs declare the definition in canonical form (``declared_inputs``, as ``Workflow`` does).
    """
    props = {**declared_inputs(definition), "isActive": True, "owner": OWNER}
    props["adoptExisting"] = False
    props.update({key: None for key in OUTPUT_FIELDS})
    shaped: dict[str, Any] = as_rpc({**props, "__provider": provider})
    return shaped


def old_outputs(inputs: dict[str, Any], provider: str) -> dict[str, Any]:
    """State after an ``up``: the checked inputs plus what only the API knows."""
    api = {
        "uniqueIdentifier": "wf-cpu",
        "uid": "u1",
        "version": 1,
        "createdAt": "t",
        "updatedAt": "t",
    }
    shaped: dict[str, Any] = as_rpc({**inputs, **api, "__provider": provider})
    return shaped


def cases() -> dict[str, Callable[[], object]]:
    """The timed calls: check (unchanged, changed with registry cross-check, new) and diff."""
    provider_blob = serialize_provider(WorkflowProvider())
    provider = WorkflowProvider()
    news = program_props(workflow(0, steps=STEPS), provider_blob)
    edited = workflow(0, steps=STEPS)
    bump_revision(edited)
    changed = program_props(edited, provider_blob)
    checked = as_rpc(provider.check({}, news).inputs)
    checked_change = as_rpc(provider.check(checked, changed).inputs)
    olds = old_outputs(checked, provider_blob)
    return {
        CHECK_SAME: lambda: provider.check(checked, news),
        CHECK_CHANGED: lambda: provider.check(checked, changed),
        CHECK_NEW: lambda: provider.check({}, news),
        DIFF_SAME: lambda: provider.diff("wf-cpu", olds, checked),
        DIFF_CHANGED: lambda: provider.diff("wf-cpu", olds, checked_change),
    }


def per_call_ms(call: Callable[[], object], iterations: int) -> float:
    """Mean CPU milliseconds (``time.process_time``) per call, after a warm-up."""
    for _ in range(min(20, iterations)):
        call()
    started = time.process_time()
    for _ in range(iterations):
        call()
    return (time.process_time() - started) * 1000 / iterations


def measure(iterations: int = 500) -> dict[str, float]:
    """CPU ms per call of each case, with a seeded session installed (and removed after)."""
    use_session(seeded_session())
    try:
        return {name: round(per_call_ms(call, iterations), 3) for name, call in cases().items()}
    finally:
        use_session(None)


def profile(iterations: int = 300, top: int = 25) -> str:
    """cProfile of check (changed, cross-checked) and diff; the top functions by own time."""
    use_session(seeded_session())
    try:
        chosen = cases()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(iterations):
            chosen[CHECK_CHANGED]()
            chosen[DIFF_CHANGED]()
        profiler.disable()
    finally:
        use_session(None)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return _without_machine_paths(out.getvalue())


def _without_machine_paths(text: str) -> str:
    """Profile lines name files relative to the repository or the standard library."""
    repo = str(Path(__file__).resolve().parent.parent) + "/"
    stdlib = sysconfig.get_paths()["stdlib"] + "/"
    return text.replace(repo, "").replace(stdlib, "<stdlib>/")


# What a provider process imports beyond the SDK's host (``pulumi.dynamic``, loaded before any
# provider code): for an engine operation in which nothing changed, and for one with work to do.
FULL_PATH = (
    "pulumi_thena.resources.workflow",
    "pulumi_thena.resources.workflow_lifecycle",
    "pulumi_thena.client.client",
    "pulumi_thena.models.api",
    "pulumi_thena.models.rules",
)
WITH_CLIENT = "+client"
"""Not a module: the probe then also creates a ``ThenaClient``, as the first API call does."""
IMPORTS: dict[str, tuple[str, ...]] = {
    "unchanged path (check + diff of unchanged workflows)": ("pulumi_thena.resources.workflow",),
    "full path (a workflow to validate, write or read)": FULL_PATH,
    "full path and the HTTP client (its TLS context), before the first call": (
        *FULL_PATH,
        WITH_CLIENT,
    ),
}

_IMPORT_PROBE = """
import json, sys, time
import pulumi.dynamic
started = time.process_time()
from pulumi_thena.resources import workflow
modules = [name for name in sys.argv[1:] if name != "+client"]
if len(modules) > 1:
    workflow._lifecycle()  # as the provider loads the full path
for name in modules:
    __import__(name)
if "+client" in sys.argv:
    from pulumi_thena.client import ThenaClient
    with ThenaClient("https://api.invalid", "cpu-bench"):
        pass
print(json.dumps(time.process_time() - started))
"""


def import_costs(repeats: int = 7) -> dict[str, float]:
    """Median CPU ms, in fresh interpreters, to import each path's modules after the host's."""
    costs = {}
    for path, modules in IMPORTS.items():
        samples = []
        for _ in range(repeats):
            done = subprocess.run(
                [sys.executable, "-c", _IMPORT_PROBE, *modules],
                capture_output=True,
                text=True,
                check=True,
            )
            samples.append(float(json.loads(done.stdout)) * 1000)
        costs[path] = round(statistics.median(samples), 1)
    return costs


if __name__ == "__main__":
    for path, ms in import_costs().items():
        print(f"{ms:8.1f} ms  imports, {path}")
    for name, ms in measure().items():
        print(f"{ms:8.3f} ms  {name}")
