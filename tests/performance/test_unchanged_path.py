"""An unchanged workflow is answered from the last checked inputs: same answer, far less work.

Programs declare canonical inputs (``declared_inputs``), so ``check`` finds an unchanged workflow
equal to what it returned last time. The provider then answers without the models or the
client. These tests hold the shortcut to the answer of the full path, and show what it spares.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_thena.diff import canonical_inputs, declared_inputs
from pulumi_thena.diff.encoding import DEFINITION, decoded, encoded
from pulumi_thena.resources import WorkflowProvider, workflow
from tests.strategies import definitions, through_rpc

OWNER = "thena-workflows/test/wf"
API_FIELDS = {"uniqueIdentifier": "W", "uid": "u", "version": 3.0, "createdAt": "t"}


def declared(definition: dict[str, Any], **settings_: Any) -> dict[str, Any]:
    """What a program sends for a definition, after the engine's RPC (ints become floats)."""
    return through_rpc(
        encoded(
            {**declared_inputs(definition), "owner": OWNER, "adoptExisting": False, **settings_}
        )
    )


def checked_state(props: dict[str, Any]) -> dict[str, Any]:
    """What the full ``check`` returns for ``props``, as the engine hands it back next time."""
    return through_rpc(encoded(canonical_inputs(decoded(props)).inputs))


def two_steps() -> dict[str, Any]:
    step = {"activity": {"uniqueIdentifier": "http:webhook"}}
    return {
        "name": "Triage",
        "triggerEvent": "ticket:created",
        "executingAgent": "bot",
        "workflowDefinition": [{"stepIdentifier": 1, **step}, {"stepIdentifier": 2, **step}],
    }


@contextmanager
def full_path_forbidden() -> Iterator[None]:
    with mock.patch.object(workflow, "_lifecycle", side_effect=AssertionError("full path")):
        yield


EXEMPT = [{"rule": "retry-on-external", "reason": "posting twice is worse than not at all"}]


@given(definitions(), st.sampled_from(["same", "activation", "owner", "adopt", "exempt"]))
@settings(max_examples=150, deadline=None)
def test_the_shortcut_answers_as_the_full_check_would(
    definition: dict[str, Any], edit: str
) -> None:
    last = checked_state(declared(definition))  # what check returned
    news = {
        "same": declared(definition),
        "activation": declared(definition, isActive=not definition["isActive"]),
        "owner": declared(definition, owner="thena-workflows/test/renamed"),
        "adopt": declared(definition, adoptExisting=True),
        "exempt": declared(definition, guardrailExemptions=EXEMPT),
    }[edit]
    full = checked_state(news)
    with full_path_forbidden():
        result = WorkflowProvider().check(last, news)
    assert result.failures == []
    assert result.inputs == full


@given(definitions())
@settings(max_examples=100, deadline=None)
def test_diff_of_an_unchanged_workflow_is_no_change_without_the_full_path(
    definition: dict[str, Any],
) -> None:
    last = checked_state(declared(definition))
    outputs = through_rpc({**last, **API_FIELDS})
    with full_path_forbidden():
        result = WorkflowProvider().diff("W", outputs, last)
    assert result.changes is False


@given(definitions())
@settings(max_examples=100, deadline=None)
def test_state_written_before_json_text_is_no_change_without_the_full_path(
    definition: dict[str, Any],
) -> None:
    """0.2.0 wrote steps, filters, annotations and metadata as objects and lists; a program
    now declares them as JSON text. The same workflow is no change, answered as cheaply."""
    last = checked_state(declared(definition))
    older = through_rpc({**decoded(last), **API_FIELDS})
    assert DEFINITION not in older and "workflowDefinition" in older
    with full_path_forbidden():
        result = WorkflowProvider().diff("W", older, last)
    assert result.changes is False


def test_anything_else_takes_the_full_path() -> None:
    definition = two_steps()
    last = checked_state(declared(definition))
    steps = decoded(last)["workflowDefinition"]
    reordered = encoded({**decoded(last), "workflowDefinition": list(reversed(steps))})
    edits = {
        "an unknown field": {**declared(definition), "workflowDefinitionn": []},
        "a changed field": declared({**definition, "name": "Triage 2"}),
        "activation not a boolean": declared(definition, isActive="yes"),
        "steps in another order": reordered,
    }
    for what, news in edits.items():
        with mock.patch.object(workflow, "_lifecycle") as lifecycle:
            WorkflowProvider().check(last, news)
        assert lifecycle.called, what


# Run in a fresh interpreter, as the dynamic-provider host does once per engine operation.
NO_OP_OPERATION = """
import json, sys, types
from pulumi_thena.resources.workflow import WorkflowProvider

checked, outputs = json.load(sys.stdin)
provider = WorkflowProvider()
provider.configure(types.SimpleNamespace(config=types.SimpleNamespace(get=lambda key: None)))
assert provider.check(checked, checked).failures == []
assert provider.diff("W", outputs, checked).changes is False
print(json.dumps(sorted(sys.modules)))
"""


def test_a_no_op_operation_imports_neither_models_nor_client() -> None:
    definition = two_steps()
    checked = checked_state(declared(definition))
    outputs = {**checked, **API_FIELDS}
    run = subprocess.run(
        [sys.executable, "-c", NO_OP_OPERATION],
        input=json.dumps([checked, outputs]),
        capture_output=True,
        text=True,
        check=True,
    )
    imported = set(json.loads(run.stdout))
    assert "pulumi_thena.resources.workflow" in imported
    heavy = {
        "pulumi_thena.models.definition",
        "pulumi_thena.diff.canonical",
        "pulumi_thena.client.client",
        "pulumi_thena.resources.workflow_lifecycle",
        "httpx",
        "deepdiff",
        "tenacity",
    }
    assert imported & heavy == set()


FULL_PATH = """
import json, sys
from pulumi_thena.resources import workflow
workflow._lifecycle()
from pulumi_thena.client.client import ThenaClient
ThenaClient("http://127.0.0.1:9", "key").close()
print(json.dumps(sorted(sys.modules)))
"""


def test_the_full_path_leaves_out_httpx_command_line_client() -> None:
    """httpx would import rich, click and pygments for its own CLI: 40 ms no provider uses."""
    run = subprocess.run(
        [sys.executable, "-c", FULL_PATH], capture_output=True, text=True, check=True
    )
    imported = set(json.loads(run.stdout))
    assert {"httpx", "pulumi_thena.resources.workflow_lifecycle"} <= imported
    assert imported & {"rich", "click", "pygments"} == set()


PROGRAM_IMPORTS = """
import json, sys
from pulumi_thena.definitions import declare_workflows_async, stack_from_config, workflow_exports
from pulumi_thena.resources.workflow import Workflow
print(json.dumps(sorted(sys.modules)))
"""


def test_the_program_does_not_import_the_client() -> None:
    """The program reads a registry snapshot but never takes one: the client (httpx, tenacity:
    about 0.1 s) loads only in the command that does."""
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM_IMPORTS], capture_output=True, text=True, check=True
    )
    imported = set(json.loads(run.stdout))
    assert "pulumi_thena.definitions.snapshots" in imported
    assert imported & {"pulumi_thena.client.client", "httpx", "tenacity"} == set()
