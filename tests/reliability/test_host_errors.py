"""An expected provider error reaches the engine as its one-line message, not a traceback.

The SDK's dynamic-provider host reports every exception of a provider method with
``traceback.format_exc()``; the engine prints that under the resource. A WorkflowError is
written for the user (workflow, call, what to do), so it must arrive alone; a provider bug (any
other exception) keeps its traceback.
"""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from tests.fixtures import small
from tests.protocol.host import DynamicHost
from tests.reliability.harness import TRACEBACK

OWNER = "thena-workflows/rel/escalation"


def props(**overrides: Any) -> dict[str, Any]:
    return {**small(**overrides), "owner": OWNER, "adoptExisting": False, "isActive": True}


def test_an_api_failure_arrives_as_one_line(host: DynamicHost, thena_emulator: Any) -> None:
    thena_emulator.control.inject_fault("POST", "/api/v1/workflows", "status", 10, status=503)
    with pytest.raises(grpc.RpcError) as caught:
        host.create(props())
    details = caught.value.details()
    assert TRACEBACK not in details
    assert details.startswith("creating workflow 'Escalation comment' (resource ")
    assert "POST /api/v1/workflows" in details and "run `pulumi up` again" in details
    assert "\n" not in details.strip()
    assert thena_emulator.api_key not in details


def test_an_ownership_refusal_arrives_as_one_line(host: DynamicHost, thena_emulator: Any) -> None:
    id_, _ = host.create(props())
    with pytest.raises(grpc.RpcError) as caught:
        host.delete(id_, {**props(), "owner": "thena-workflows/other/escalation"})
    details = caught.value.details()
    assert TRACEBACK not in details and "not deleted" in details


def test_a_provider_bug_keeps_its_traceback(host: DynamicHost) -> None:
    news = props()
    del news["owner"]  # the engine always sends it; without it, update hits a KeyError
    with pytest.raises(grpc.RpcError) as caught:
        host.update("W", {**props(), "uniqueIdentifier": "W"}, news)
    assert TRACEBACK in caught.value.details() and "KeyError" in caught.value.details()
