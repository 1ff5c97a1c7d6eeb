"""The engine's floor: one NullWorkflow per definition file, each with one short property.

Copied into a benchmark project as ``stacks/__main__.py`` by ``BenchProject.create(floor=True)``.
No file is parsed or checked and almost nothing is serialized: what an operation costs here is
the engine, the SDK's registration of N resources and the dynamic-provider host, the least any
program declaring N dynamic resources pays. The property is the file's digest, so that editing a
file still updates its resource (the "10% edited" operation has work to do).
"""

import asyncio
import hashlib
from pathlib import Path

import pulumi

from benchmarks.null_provider import NullWorkflow

WORKFLOWS_DIR = Path(__file__).resolve().parent / "workflows"
PER_TURN = 5
"""``DECLARED_PER_TURN`` of the real program (not imported: the floor loads none of the package;
tests/performance/test_floors.py checks they agree)."""


async def main() -> pulumi.Inputs:
    """Declared in turns with the engine, as the real program declares."""
    resources = {}
    for count, path in enumerate(sorted(WORKFLOWS_DIR.glob("*.yaml")), 1):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        resources[path.stem] = NullWorkflow(path.stem, {"digest": digest})
        if count % PER_TURN == 0:
            await asyncio.sleep(0)
    return {"workflows": {stem: resource.id for stem, resource in resources.items()}}


pulumi.run(main)
