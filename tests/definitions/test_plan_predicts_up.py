"""``plan`` predicts what ``pulumi up`` does, for every ownership scenario of the reliability suite.

Each scenario seeds the emulator's org, plans one file against it (``build_plan``), then does
what ``up`` does for that file with the provider itself (a create, or, with state holding the
resource, an update or a replacement) and checks that the two agree: a conflict fails with the
plan's reason and writes nothing; a create POSTs once; an update, a toggle or an adoption writes
exactly what the plan says; an unchanged workflow gets no write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_thena.client import ThenaClient
from pulumi_thena.definitions import LoadedWorkflow, StackDefinitions, StackSettings
from pulumi_thena.definitions.plan import Action, build_plan
from pulumi_thena.diff import OWNER_METADATA_KEY, owner_of
from pulumi_thena.models import WorkflowDefinition
from pulumi_thena.resources import WorkflowError, WorkflowProvider
from tests.fixtures import small
from tests.support import CREATE, DELETE, PATCH, TOGGLE, Calls, fresh_session

PROJECT, STACK, STEM = "thena-workflows", "test", "escalation"
OWNER = owner_of(PROJECT, STACK, STEM)
OLD_OWNER = owner_of(PROJECT, STACK, "escalation-old")


def _marked(owner: str | None, **fields: Any) -> dict[str, Any]:
    body = small(**fields)
    if owner is not None:
        body["metadata"] = {OWNER_METADATA_KEY: owner}
    return body


@dataclass(frozen=True)
class Scenario:
    live: list[dict[str, Any]]
    expected: Action
    writes: dict[str, int]
    adopt: bool = False
    previous: tuple[str, ...] = ()
    file: dict[str, Any] = field(default_factory=small)
    inactive: bool = False
    """The seeded workflows are switched off before the plan."""


SCENARIOS = {
    "empty org": Scenario([], Action.CREATE, {CREATE: 1}),
    "a lost create answer, same definition": Scenario([_marked(OWNER)], Action.UNCHANGED, {}),
    "a lost create answer, edited since": Scenario(
        [_marked(OWNER, name="Old name")], Action.UPDATE, {PATCH: 1}
    ),
    "owned, switched off by hand": Scenario(
        [_marked(OWNER)], Action.TOGGLE, {TOGGLE: 1}, inactive=True
    ),
    "two workflows with this marker": Scenario(
        [_marked(OWNER), _marked(OWNER)], Action.CONFLICT, {}
    ),
    "an unmanaged twin, no adoptExisting": Scenario([_marked(None)], Action.CREATE, {CREATE: 1}),
    "adopt the one unmanaged twin": Scenario(
        [_marked(None)], Action.UNCHANGED, {PATCH: 1}, adopt=True
    ),
    "adopt an edited twin": Scenario(
        [_marked(None, executingAgent="bot-hand")], Action.UPDATE, {PATCH: 1}, adopt=True
    ),
    "adopt among two twins": Scenario(
        [_marked(None), _marked(None)], Action.CONFLICT, {}, adopt=True
    ),
    "adopt a twin another stack manages": Scenario(
        [_marked(owner_of(PROJECT, "prod", STEM))], Action.CONFLICT, {}, adopt=True
    ),
    "adopt a twin of another type": Scenario(
        [_marked(None, type="WORKFLOW")], Action.CONFLICT, {}, adopt=True
    ),
    "renamed through previousNames": Scenario(
        [_marked(OLD_OWNER)], Action.UPDATE, {PATCH: 1}, previous=("escalation-old",)
    ),
    "owned, type changed in the file": Scenario(
        [_marked(OWNER)], Action.REPLACE, {DELETE: 1, CREATE: 1}, file=small(type="WORKFLOW")
    ),
}


def _stack(scenario: Scenario) -> StackDefinitions:
    loaded = LoadedWorkflow(
        stem=STEM,
        file=f"stacks/workflows/{STEM}.yaml",
        definition=WorkflowDefinition.model_validate(scenario.file),
        previous_names=scenario.previous,
        adopt_existing=scenario.adopt,
    )
    return StackDefinitions(STACK, f"stacks/Pulumi.{STACK}.yaml", StackSettings(), (loaded,))


def _props(definition: dict[str, Any], owner: str, adopt: bool = False) -> dict[str, Any]:
    fields = {k: v for k, v in definition.items() if k != "metadata"}
    return {**fields, "isActive": True, "owner": owner, "adoptExisting": adopt}


def _up(scenario: Scenario, provider: WorkflowProvider, seeded: list[dict[str, Any]]) -> None:
    """What the engine calls for this file: an update or a replacement when state has it."""
    news = provider.check({}, _props(scenario.file, OWNER, scenario.adopt)).inputs
    if scenario.expected is not Action.REPLACE and not scenario.previous:
        provider.create(news)  # no state: the engine creates, the provider finds what is there
        return
    [live] = seeded  # the state's resource: its last applied definition and owner
    owner = live["metadata"][OWNER_METADATA_KEY]
    olds = provider.check({}, _props(scenario.live[0], owner)).inputs
    olds["uniqueIdentifier"] = live["uniqueIdentifier"]
    if scenario.expected is Action.REPLACE:
        assert provider.diff(live["uniqueIdentifier"], olds, news).replaces
        provider.delete(live["uniqueIdentifier"], olds)
        provider.create(news)
    else:
        provider.update(live["uniqueIdentifier"], olds, news)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_plan_predicts_what_up_does(name: str, thena_emulator: Any) -> None:
    scenario = SCENARIOS[name]
    seeded = (
        thena_emulator.control.seed(workflows=scenario.live)["workflows"] if scenario.live else []
    )
    client = ThenaClient(thena_emulator.base_url, thena_emulator.api_key, rate_limit_rps=None)
    if scenario.inactive:
        for workflow in seeded:
            client.toggle_workflow(workflow["uniqueIdentifier"])
    [item] = build_plan(_stack(scenario), client.list_workflows(), PROJECT).items
    assert item.action is scenario.expected, item

    calls = Calls(thena_emulator)
    fresh_session(thena_emulator)
    provider = WorkflowProvider()
    if scenario.expected is Action.CONFLICT:
        with pytest.raises(WorkflowError) as failed:
            _up(scenario, provider, seeded)
        assert item.note is not None and item.note in str(failed.value)
    else:
        _up(scenario, provider, seeded)
    assert calls.writes() == scenario.writes
