"""A dynamic provider that makes no HTTP call: what the engine costs with nothing to wait for.

It lives in an importable module so that dill pickles it by reference, as it does the real
provider; the null program (``null_program.py``) declares one ``NullWorkflow`` per definition file
with the same properties the real program gives ``Workflow``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

PROVIDER_KEY = "__provider"


class NullProvider(ResourceProvider):
    """Accepts every input, reports a change when an input differs, stores inputs as outputs."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in news if k != PROVIDER_KEY and olds.get(k) != news[k]]
        return DiffResult(changes=bool(changed))

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(uuid.uuid4().hex, props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(news)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class NullWorkflow(pulumi.dynamic.Resource, module="bench", name="NullWorkflow"):
    """A resource of the null provider, declared with a workflow's properties."""

    def __init__(
        self,
        resource_name: str,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(NullProvider(), resource_name, props, opts)
