"""The program's CPU by phase, in-process: what ``stacks/__main__.py`` does before the engine.

For N generated files in a temporary project: reading the YAML, loading (variables, models,
canonical form), the stack's guardrails, building each resource's properties, and the SDK's
serialization of those properties (``pulumi.runtime.rpc.serialize_properties``, what a
``RegisterResource`` call does with them). Each phase is timed with ``time.process_time`` (CPU
of this process, so other load on the machine does not count), best of ``repeats``.
What the engine does with the serialized properties is not here: that is the engine's and the
provider host's CPU (``procwatch.ROLES``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from pulumi.runtime.rpc import serialize_properties

from benchmarks.generate import write_workflows
from pulumi_thena.definitions import parse_cache
from pulumi_thena.definitions.guarding import check_guardrails, stack_enforcement_of
from pulumi_thena.definitions.loader import LoadedWorkflow
from pulumi_thena.definitions.stack import WORKFLOWS_DIR, load_selected, parse_settings
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.diff.encoding import encoded

READ, LOAD, LOAD_WARM, GUARDRAILS, GUARDRAILS_KEPT, PROPERTIES, SERIALIZE = (
    "read the YAML files (part of load, measured alone)",
    "load: read, variables, models, canonical form",
    "load with the parse cache filled (instead of the line above)",
    "guardrails",
    "guardrails with their findings kept (instead of the line above)",
    "build each resource's properties",
    "SDK: serialize the properties",
)
PHASES = (READ, LOAD, LOAD_WARM, GUARDRAILS, GUARDRAILS_KEPT, PROPERTIES, SERIALIZE)
APART = (READ, LOAD_WARM, GUARDRAILS_KEPT)
"""Phases the total leaves out: each repeats part of another."""


def measure(count: int, repeats: int = 3) -> dict[str, Any]:
    """CPU milliseconds of each phase for ``count`` files, best of ``repeats``; mean KiB.

    The total is a program's with no parse cache (a fresh machine's first command); it leaves out
    the reading measured alone (loading reads the files again) and the load with the cache
    filled (what the pipeline's later steps pay instead).
    """
    with tempfile.TemporaryDirectory(prefix="thena-phases-") as tmp:
        root = Path(tmp)
        write_workflows(root / WORKFLOWS_DIR, count)
        best: dict[str, float] = {}
        size = 0.0
        for _ in range(repeats):
            timings, size = _once(root)
            for phase, seconds in timings.items():
                best[phase] = min(best.get(phase, seconds), seconds)
    return {
        "count": count,
        "cpuMs": {phase: round(best[phase] * 1000) for phase in PHASES},
        "totalCpuMs": round(sum(best[phase] for phase in PHASES if phase not in APART) * 1000),
        "meanPropertiesKiB": round(size, 1),
    }


def _once(root: Path) -> tuple[dict[str, float], float]:
    timings: dict[str, float] = {}
    settings, _ = parse_settings({"vars": {}}, "bench")
    files = sorted((root / WORKFLOWS_DIR).glob("*.yaml"))
    _timed(timings, READ, lambda: [read_yaml(path, path.name) for path in files])
    with _parse_cache(None):
        _, loaded, problems = _timed(
            timings, LOAD, lambda: load_selected(root, settings, "bench", {})
        )
    assert not problems, problems
    with (
        tempfile.TemporaryDirectory(prefix="thena-phases-cache-") as cache,
        _parse_cache(cache),
    ):
        load_selected(root, settings, "bench", {})  # fills the cache
        _timed(timings, LOAD_WARM, lambda: load_selected(root, settings, "bench", {}))
    enforcement, _ = stack_enforcement_of(settings.guardrails, root, "bench")

    def guardrails() -> Any:
        return check_guardrails(loaded, enforcement, stack="bench", variables={}, snapshot=None)

    with _parse_cache(None):  # the content cache off: every rule runs
        _timed(timings, GUARDRAILS, guardrails)
    with (
        tempfile.TemporaryDirectory(prefix="thena-phases-findings-") as kept,
        _parse_cache(kept),
    ):
        guardrails()  # keeps the findings
        _timed(timings, GUARDRAILS_KEPT, guardrails)
    props = _timed(timings, PROPERTIES, lambda: [_properties(wf) for wf in loaded])
    _timed(timings, SERIALIZE, lambda: asyncio.run(_serialize_all(props)))
    size = sum(len(repr(p)) for p in props) / len(props) / 1024
    return timings, size


def _properties(workflow: LoadedWorkflow) -> dict[str, Any]:
    """What ``Workflow.__init__`` hands the SDK for a file (``resources/workflow.py``)."""
    props = workflow.definition.canonical().to_wire()
    props.update(isActive=True, owner=f"bench/bench/{workflow.stem}")  # adoptExisting: unset
    return encoded(props)


def _parse_cache(folder: str | None) -> Any:
    """The content cache (parsed files, kept findings) in ``folder``, or off, for the time of a
    ``with``; never the user's own."""
    return mock.patch.dict(os.environ, {parse_cache.ENV: folder or parse_cache.OFF})


async def _serialize_all(props: list[dict[str, Any]]) -> None:
    for one in props:
        await serialize_properties(one, {})


def _timed(timings: dict[str, float], phase: str, work: Callable[[], Any]) -> Any:
    started = time.process_time()
    result = work()
    timings[phase] = time.process_time() - started
    return result
