"""Runs stacks/__main__.py under Pulumi's mocks with a stack's config, and records what it declared.

The config comes from ``stacks/Pulumi.<stack>.yaml`` as the engine would hand it to the program
(scalars as strings, objects as JSON); ``secure:`` values, which only the Pulumi CLI can
decrypt, are replaced by the test's own secret values and their keys marked secret.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import yaml
from pulumi.runtime import rpc, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import Stack

from tests.examples import EXAMPLE_PROJECT

PROJECT_DIR = EXAMPLE_PROJECT
PROGRAM = PROJECT_DIR / "stacks" / "__main__.py"
PROJECT = "thena-workflows"
WORKFLOW_TYPE = "pulumi-python:dynamic/thena:Workflow"
STACKS = ("local", "dev", "staging", "prod")
TEST_SECRETS = {"reportingWebhookToken": "test-reporting-token-7f3a9c"}


@dataclass
class Declared:
    """One resource the program registered: its inputs (secrets still wrapped) and options."""

    name: str
    type: str
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    alias_names: list[str]

    @property
    def definition(self) -> dict[str, Any]:
        """The definition fields, decoded from the one JSON text the program declares."""
        text, _ = unwrap(self.inputs["definition"])
        fields: dict[str, Any] = json.loads(text)
        return fields

    @property
    def definition_is_secret(self) -> bool:
        return unwrap(self.inputs["definition"])[1]


@dataclass
class ProgramRun:
    declared: dict[str, Declared] = field(default_factory=dict)
    exports: dict[str, Any] = field(default_factory=dict)

    def workflows(self) -> dict[str, Declared]:
        return {n: d for n, d in self.declared.items() if d.type == WORKFLOW_TYPE}


class _Mocks(Mocks):
    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        state.update(uniqueIdentifier=f"WF-{args.name}", uid=f"UID-{args.name}", version=1)
        return f"WF-{args.name}", state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class _RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Mocks, run: ProgramRun) -> None:
        super().__init__(mocks)
        self.run = run

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            self.run.declared[request.name] = Declared(
                name=request.name,
                type=request.type,
                inputs=rpc.deserialize_properties(request.object),
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                alias_names=[a.spec.name for a in request.aliases if a.HasField("spec")],
            )
        return super().RegisterResource(request)


def runtime_config(
    stack: str,
    secrets: Mapping[str, Any] = TEST_SECRETS,
    overrides: Mapping[str, Any] = {},
    project: Path = PROJECT_DIR,
) -> tuple[dict[str, str], list[str]]:
    """The stack file's config as the engine passes it to a program, plus the secret keys."""
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    config: dict[str, Any] = dict(yaml.safe_load(path.read_text())["config"])
    config.update(overrides)
    secret_keys = [key for key, value in config.items() if _has_secure(value)]
    if secrets:
        config["thena-workflows:secrets"] = {**config.get("thena-workflows:secrets", {}), **secrets}
        secret_keys.append("thena-workflows:secrets")
    return {key: _as_config_string(value) for key, value in config.items()}, sorted(
        set(secret_keys)
    )


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    return False


def _as_config_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def run_program(
    stack: str,
    secrets: Mapping[str, Any] = TEST_SECRETS,
    overrides: Mapping[str, Any] = {},
    run: ProgramRun | None = None,
    project: Path = PROJECT_DIR,
) -> ProgramRun:
    """Run the Pulumi program of ``project`` (default: the examples) for ``stack`` under mocks,
    recording into ``run``.

    Raises what the program raises; ``run`` then shows what was declared before it failed.
    """
    run = run if run is not None else ProgramRun()
    # asyncio.run() elsewhere in the session leaves the main thread without an event loop,
    # which the SDK's mocks need; give this run its own.
    asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = _Mocks()
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=stack, preview=False, monitor=_RecordingMonitor(mocks, run)
    )
    config, secret_keys = runtime_config(stack, secrets, overrides, project)
    pulumi.runtime.set_all_config(config, secret_keys)

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        # As the language host's run_in_stack: a root stack that takes pulumi.run's entrypoint
        # (the one set_mocks makes is closed already), run after the module's code.
        settings.set_root_resource(None)  # type: ignore[arg-type]
        root = Stack()
        runpy.run_path(str(project / "stacks" / "__main__.py"), run_name="__main__")
        main = root._take_async_program()
        if main is None:  # a program of 0.2.0 or before: everything declared at the top level
            exported = pulumi.Output.from_input(root.outputs.get("workflows", {}))
        else:
            exported = pulumi.Output.from_input(main()).apply(
                lambda outputs: pulumi.Output.from_input((outputs or {}).get("workflows", {}))
            )
        return exported.apply(run.exports.update)

    program()
    return run


def unwrap(value: Any) -> tuple[Any, bool]:
    """A value from the recorded inputs and whether it was marked secret."""
    if rpc.is_rpc_secret(value):
        return rpc.unwrap_rpc_secret(value), True
    return value, False
