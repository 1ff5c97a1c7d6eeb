"""Drive the provider exactly as the Pulumi engine does: through the SDK's dynamic-provider host.

``DynamicHost`` starts ``python -u -m pulumi.dynamic`` (a gRPC server that prints its port),
then sends Configure, Check, Diff, Create, Read, Update and Delete with properties serialized by
the SDK's own ``rpc`` module and ``__provider`` produced by the SDK's serializer. Numbers cross
as floats and unknowns as the SDK's marker, as they do under the engine.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from pulumi_thena.resources import WorkflowProvider

URN = "urn:pulumi:local::thena-workflows::pulumi-python:dynamic/thena:Workflow::wf"


def serialize(props: Mapping[str, Any]) -> Any:
    return asyncio.run(rpc.serialize_properties(dict(props), {}))


def deserialize(struct: Any) -> dict[str, Any]:
    return dict(rpc.deserialize_properties(struct, keep_unknowns=True))


@dataclass
class DiffAnswer:
    changes: str
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False


class DynamicHost:
    """One provider process, as the engine starts one per operation."""

    def __init__(self, config: Mapping[str, str], env: Mapping[str, str] | None = None) -> None:
        environment = {**os.environ, **(env or {})}
        environment.pop("THENA_API_KEY", None)  # the key must come through Configure
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        assert self.process.stdout is not None
        port = int(self.process.stdout.readline().strip())
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.provider = serialize_provider(WorkflowProvider())
        self.stub.Configure(provider_pb2.ConfigureRequest(args=serialize(config)))

    def close(self) -> str:
        """Stop the process and return what it wrote to stderr (logs)."""
        self.channel.close()
        self.process.terminate()
        _, err = self.process.communicate(timeout=10)
        return err.decode(errors="replace")

    def __enter__(self) -> DynamicHost:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _with_provider(self, props: Mapping[str, Any]) -> Any:
        return serialize({**props, "__provider": self.provider})

    def check(
        self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self.stub.Check(
            provider_pb2.CheckRequest(
                urn=URN,
                olds=self._with_provider(olds) if olds else serialize({}),
                news=self._with_provider(news),
            )
        )
        failures = [(f.property, f.reason) for f in answer.failures]
        return _without_provider(deserialize(answer.inputs)), failures

    def diff(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffAnswer:
        answer = self.stub.Diff(
            provider_pb2.DiffRequest(
                id=id_, urn=URN, olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )
        kind = provider_pb2.DiffResponse.DiffChanges.Name(answer.changes)
        return DiffAnswer(kind, list(answer.replaces), answer.deleteBeforeReplace)

    def create(self, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        answer = self.stub.Create(
            provider_pb2.CreateRequest(urn=URN, properties=self._with_provider(props))
        )
        return answer.id, _without_provider(deserialize(answer.properties))

    def read(
        self, id_: str, props: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        answer = self.stub.Read(
            provider_pb2.ReadRequest(id=id_, urn=URN, properties=self._with_provider(props))
        )
        return (
            answer.id,
            _without_provider(deserialize(answer.properties)),
            _without_provider(deserialize(answer.inputs)),
        )

    def update(self, id_: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> dict[str, Any]:
        answer = self.stub.Update(
            provider_pb2.UpdateRequest(
                id=id_, urn=URN, olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )
        return _without_provider(deserialize(answer.properties))

    def delete(self, id_: str, props: Mapping[str, Any]) -> None:
        self.stub.Delete(
            provider_pb2.DeleteRequest(id=id_, urn=URN, properties=self._with_provider(props))
        )


def _without_provider(props: dict[str, Any]) -> dict[str, Any]:
    props.pop("__provider", None)
    return props
