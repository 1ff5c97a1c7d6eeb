"""The provider's models and the emulator judge the same create bodies alike, or differ as written.

Each body goes through both: the models (``WorkflowDefinition``, ``definition_problems`` and
``registry_problems`` against the emulator's registry) and the emulator's validation (in
process; the contract tests cover the HTTP path). Valid bodies, and the wire form the provider
would send for them, must pass both. A body with one mistake must be refused by both, each
naming the broken field; or, for a mistake listed in ``KNOWN_DIFFERENCES``, by exactly the side
named there. Every known difference is listed, with its docs/api.md clause, in docs/emulator.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from pulumi_thena.emulator.errors import BadRequest
from pulumi_thena.emulator.registry import RegistryView, default_activities, default_events
from pulumi_thena.emulator.validation import validate_create
from pulumi_thena.models import (
    Registry,
    WorkflowDefinition,
    definition_problems,
    problems_from_validation_error,
    registry_problems,
)
from tests.emulator.bodies import MUTATIONS, MUTATIONS_BY_LABEL, Body, Mutation, valid_bodies

DOCS = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
EMULATOR_REGISTRY = RegistryView(default_events(), default_activities())
PROVIDER_REGISTRY = Registry(
    event_names={e["eventName"]: e["uid"] for e in default_events()},
    activity_versions={
        identifier: frozenset(
            a["version"] for a in default_activities() if a["uniqueIdentifier"] == identifier
        )
        for identifier in {a["uniqueIdentifier"] for a in default_activities()}
    },
)

Side = Literal["provider", "emulator"]
KNOWN_DIFFERENCES: dict[str, Side] = {
    # Rules of the provider's own that docs/api.md does not state (U-19: no limits assumed).
    "filters unknown operator": "provider",
    "filters ill-shaped operand": "provider",
    "step filters unknown operator": "provider",
    "stepIdentifier negative": "provider",
    "maximumAttempts 0": "provider",
    "initialInterval negative": "provider",
    "backoffCoefficient below 1": "provider",
    "executionTimeout 0": "provider",
    "approvalTimeout 0": "provider",
    "sleep step on another activity": "provider",
    # U-16: create checks that the activity exists, not its version.
    "version not in registry": "provider",
    # U-9: isActive is ignored on create.
    "isActive not a boolean": "provider",
    # U-23: the models take any approver object or string; the emulator its three shapes.
    "approver empty string": "emulator",
    "approver type unknown": "emulator",
    "approver without uid": "emulator",
    "approver unknown field": "emulator",
    "approverType unknown": "emulator",
    # The models accept Python names and send camelCase; the API takes only wire names.
    "stepIdentifier python name": "emulator",
}
"""Which side alone refuses each mistake; the reason is in docs/emulator.md."""


def provider_paths(body: Body) -> list[str] | None:
    """The dotted paths the models refuse, or None when they accept the body."""
    try:
        definition = WorkflowDefinition.model_validate(body)
    except ValidationError as error:
        problems = problems_from_validation_error(error, WorkflowDefinition)
    else:
        problems = definition_problems(definition) + registry_problems(
            definition, PROVIDER_REGISTRY
        )
    return [re.sub(r"\[(\d+)\]", r".\1", p.path) for p in problems] or None


def emulator_messages(body: Body) -> list[str] | None:
    """The emulator's 400 messages, or None when it accepts the body."""
    try:
        validate_create(body, EMULATOR_REGISTRY)
    except BadRequest as error:
        return list(error.messages)
    return None


def wire_form(body: Body) -> dict[str, Any]:
    """What the provider would send for a valid body: its canonical wire form."""
    return WorkflowDefinition.model_validate(body).canonical().api_fields()


def _names(messages: list[str], path: str) -> bool:
    return any(m.startswith(path) or m.startswith(f"property {path}") for m in messages)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_bodies())
def test_both_accept_a_valid_body_and_its_wire_form(body: Body) -> None:
    assert provider_paths(body) is None
    assert emulator_messages(body) is None
    assert emulator_messages(wire_form(body)) is None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_bodies())
def test_each_mistake_is_judged_alike_or_as_documented(body: Body) -> None:
    """Every mutation, applied to the same valid body (drawing bodies is the costly part)."""
    wrong = [f"{m.label}: {why}" for m in MUTATIONS if (why := disagreement(m, body))]
    assert not wrong, "\n".join(wrong)


def disagreement(mutation: Mutation, body: Body) -> str | None:
    """What is wrong with how the two sides judge ``mutation`` of ``body``; None if nothing."""
    mutated, path = mutation(body)
    by_provider, by_emulator = provider_paths(mutated), emulator_messages(mutated)
    alone = KNOWN_DIFFERENCES.get(mutation.label)
    if alone == "emulator" and by_provider is not None:
        return f"the models now refuse it too ({by_provider}): a difference was closed"
    if alone != "emulator" and (by_provider is None or not _starts(by_provider, path)):
        return f"the models should refuse {path}: {by_provider}"
    if alone == "provider" and by_emulator is not None:
        return f"the emulator now refuses it too ({by_emulator}): a difference was closed"
    if alone != "provider" and (by_emulator is None or not _names(by_emulator, path)):
        return f"the emulator should refuse {path}: {by_emulator}"
    return None


def _starts(paths: list[str], path: str) -> bool:
    return any(p.startswith(path) for p in paths)


def test_every_known_difference_is_a_mutation_and_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for label in KNOWN_DIFFERENCES:
        assert label in MUTATIONS_BY_LABEL
        assert f"`{label}`" in text, f"docs/emulator.md does not list `{label}`"
