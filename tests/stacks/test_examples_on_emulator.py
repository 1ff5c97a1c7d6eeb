"""The examples are valid against the emulator: creating each one there succeeds.

Each example is loaded with the local stack's variables and secrets (stacks/Pulumi.local.yaml),
checked against the emulator's registries, then created through the client as the provider
would send it: trigger event and activities by name, the owner marker in the metadata.
"""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.definitions import LoadedWorkflow, load_stack
from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.models import Registry, registry_problems
from tests.examples import EXAMPLE_PROJECT

PROJECT_DIR = EXAMPLE_PROJECT
LOCAL = load_stack(PROJECT_DIR, "local")


def registry_of(client: Any) -> Registry:
    versions: dict[str, set[int]] = {}
    for activity in client.list_activities():
        versions.setdefault(activity.unique_identifier, set()).add(activity.version)
    events = {e.event_name: e.uid for e in client.list_events() if e.event_name and e.uid}
    return Registry(
        event_names=events,
        activity_versions={name: frozenset(v) for name, v in versions.items()},
    )


@pytest.mark.parametrize("workflow", LOCAL.workflows, ids=lambda w: w.stem)
def test_the_example_uses_only_registered_events_and_activities(
    thena_emulator: Any, workflow: LoadedWorkflow
) -> None:
    offered = registry_of(thena_emulator.client)
    assert [str(p) for p in registry_problems(workflow.definition, offered)] == []


@pytest.mark.parametrize("workflow", LOCAL.workflows, ids=lambda w: w.stem)
def test_creating_the_example_succeeds(thena_emulator: Any, workflow: LoadedWorkflow) -> None:
    definition = workflow.definition
    owner = f"thena-workflows/local/{workflow.stem}"
    body = definition.api_fields() | {
        "metadata": {**definition.metadata, OWNER_METADATA_KEY: owner},
    }
    created = thena_emulator.client.create_workflow(body)
    assert created.unique_identifier and created.version == 1
    assert created.name == definition.name
    assert created.trigger_event_name() == definition.trigger_event
    assert created.team_id == LOCAL.variables["supportTeamId"]
    assert len(created.workflow_definition or []) == len(definition.workflow_definition)
    assert (created.metadata or {}).get(OWNER_METADATA_KEY) == owner
    fetched = thena_emulator.client.get_workflow(created.unique_identifier)
    assert fetched.workflow_definition == created.workflow_definition
