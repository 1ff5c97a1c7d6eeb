"""``declare_workflows_async`` lets the SDK register the first workflows with the engine while
the others are declared; ``declare_workflows`` (a program's top-level code) cannot."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pulumi
import pulumi.runtime
import pytest
from pulumi.runtime import settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks

from pulumi_thena.definitions import program
from pulumi_thena.definitions.loader import LoadedWorkflow
from pulumi_thena.definitions.policy import StackPolicy
from pulumi_thena.models import WorkflowDefinition
from tests.fixtures import small

COUNT = 40 * program.DECLARED_PER_TURN
"""Enough turns of the event loop for the SDK to reach the engine (about 15 under mocks)."""


class _Mocks(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"WF-{args.name}", {**args.inputs, "uniqueIdentifier": f"WF-{args.name}"}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


class _Monitor(MockMonitor):
    def __init__(self, mocks: Mocks, events: list[tuple[str, str]]) -> None:
        super().__init__(mocks)
        self.events = events
        self.lock = threading.Lock()  # the SDK calls the monitor from its executor's threads

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            with self.lock:
                self.events.append(("registered", request.name))
        return super().RegisterResource(request)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    found: list[tuple[str, str]] = []
    asyncio.set_event_loop(asyncio.new_event_loop())
    settings.set_root_resource(None)  # type: ignore[arg-type]
    mocks = _Mocks()
    pulumi.runtime.set_mocks(
        mocks, project="p", stack="s", preview=True, monitor=_Monitor(mocks, found)
    )
    declare = program.declare_workflow

    def recorded(workflow: LoadedWorkflow, policy: StackPolicy) -> Any:
        declared = declare(workflow, policy)
        found.append(("declared", workflow.stem))
        return declared

    monkeypatch.setattr(program, "declare_workflow", recorded)
    yield found


def _loaded() -> list[LoadedWorkflow]:
    definition = WorkflowDefinition.model_validate(small())
    return [LoadedWorkflow(f"wf-{i:03d}", f"wf-{i:03d}.yaml", definition) for i in range(COUNT)]


def _run(declare: Callable[[], Awaitable[Any] | Any]) -> None:
    async def declared() -> None:
        result = declare()
        if asyncio.iscoroutine(result):
            await result

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(declared())

    run()


def _registered_before_last_declared(events: list[tuple[str, str]]) -> int:
    last = max(i for i, (kind, _) in enumerate(events) if kind == "declared")
    return sum(1 for kind, _ in events[:last] if kind == "registered")


def test_in_turns_the_first_workflows_reach_the_engine_before_the_last_is_declared(
    events: list[tuple[str, str]],
) -> None:
    _run(lambda: program.declare_workflows_async(_loaded(), StackPolicy()))
    assert sum(1 for kind, _ in events if kind == "registered") == COUNT
    assert _registered_before_last_declared(events) > 0
    declared = [name for kind, name in events if kind == "declared"]
    assert declared == [f"wf-{i:03d}" for i in range(COUNT)]  # in file order, as before


def test_at_the_top_level_none_reaches_the_engine_before_the_last_is_declared(
    events: list[tuple[str, str]],
) -> None:
    _run(lambda: program.declare_workflows(_loaded(), StackPolicy()))
    assert sum(1 for kind, _ in events if kind == "registered") == COUNT
    assert _registered_before_last_declared(events) == 0


def test_both_declare_the_same_workflows_and_former_names() -> None:
    """The selection, the resources and ``renamed`` come from one place (``_declaring``)."""
    asyncio.set_event_loop(asyncio.new_event_loop())
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(_Mocks(), project="p", stack="s", preview=True)
    definition = WorkflowDefinition.model_validate(small())
    loaded = [
        LoadedWorkflow("new-name", "new-name.yaml", definition, previous_names=("old-name",)),
        LoadedWorkflow("left-out", "left-out.yaml", definition),
    ]
    policy = StackPolicy(include=["new-name"])
    results: list[Any] = []

    async def both() -> None:
        results.append(program.declare_workflows(loaded, policy))
        results.append(await program.declare_workflows_async(loaded, policy))

    @pulumi.runtime.test
    def run() -> pulumi.Output[Any]:
        return pulumi.Output.from_input(both())

    run()
    top_level, in_turns = results
    assert list(top_level) == list(in_turns) == ["new-name"]
    assert top_level.renamed == in_turns.renamed == {"old-name": "new-name"}
