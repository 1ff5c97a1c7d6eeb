"""An API error message with an OSC 8 link reaches a provider error (which Pulumi prints raw)
escaped, both in the provider alone and through ``pulumi up``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.resources import WorkflowProvider
from pulumi_thena.resources.errors import ApiCallError
from tests.hardening.test_terminal_escapes import CLIPBOARD, LINK, RAW
from tests.reliability.harness import new_api_key, open_deployment, workflow_yaml

BODY = {"statusCode": 400, "message": [f"bad {LINK}", CLIPBOARD], "error": "Bad Request"}


def _refuse_creates(control: Any) -> None:
    control.inject_fault(
        "POST",
        "/api/v1/workflows",
        "raw",
        status=400,
        body=json.dumps(BODY),
        content_type="application/json",
    )


def test_the_provider_error_shows_the_message_escaped(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    props = {
        "name": f"Name {LINK}",
        "triggerEvent": "ticket:created",
        "executingAgent": "bot-test",
        "workflowDefinition": [
            {
                "stepIdentifier": 1,
                "activity": {"uniqueIdentifier": "slack:send-message"},
                "input": {"channel": "#c", "text": "hi"},
            }
        ],
        "isActive": True,
        "owner": "thena-workflows/test/hostile",
        "adoptExisting": False,
    }
    checked = provider.check({}, props)
    assert checked.failures == []
    _refuse_creates(thena_emulator.control)
    with pytest.raises(ApiCallError) as raised:
        provider.create(checked.inputs)
    message = str(raised.value)
    assert not RAW.search(message), message
    assert "\\x1b]8;;https://evil.example" in message
    assert "Name \\x1b]8;;" in message  # the name from the definition too


@pytest.mark.e2e
def test_pulumi_up_prints_the_api_message_escaped(tmp_path: Path, pulumi_binary: str) -> None:
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        files = {"wf-1.yaml": workflow_yaml(1)}
        deployment = open_deployment(tmp_path, pulumi_binary, files, server)
        try:
            _refuse_creates(deployment.control)
            outcome = deployment.pulumi("up", "--yes", "--skip-preview", "--color", "never",
                                        check=False)  # fmt: skip
        finally:
            deployment.close()
    assert not outcome.ok
    assert "\\x1b]8;;https://evil.example" in outcome.output, outcome.output
    assert not RAW.search(outcome.output), outcome.output
