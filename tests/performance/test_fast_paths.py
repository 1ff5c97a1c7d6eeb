"""The provider's shortcuts agree with the long way round, and save the calls they promise."""

from __future__ import annotations

from typing import Any

from benchmarks.cpu import as_rpc
from benchmarks.generate import bump_revision, workflow
from pulumi_thena.diff import canonical_or_plain, changed_fields
from pulumi_thena.models import DEFINITION_FIELDS
from pulumi_thena.resources import WorkflowProvider
from tests.fixtures import small
from tests.support import Calls, fresh_session

OWNER = "thena-workflows/bench/wf"


def slow_changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """changed_fields without its shortcut: both sides canonicalized, always."""
    before, after = canonical_or_plain(old), canonical_or_plain(new)
    return [name for name in DEFINITION_FIELDS if before.get(name) != after.get(name)]


def test_changed_fields_agrees_with_the_canonical_comparison() -> None:
    for index in range(40):
        old = workflow(index)
        reordered = {**old, "workflowDefinition": list(reversed(old["workflowDefinition"]))}
        edited = workflow(index)
        bump_revision(edited)
        for new in (old, as_rpc(old), reordered, edited, {**old, "isActive": False}):
            assert changed_fields(old, new) == slow_changed_fields(old, new)


def test_order_and_floats_are_no_change_and_an_edit_is_one_field() -> None:
    old = workflow(3)
    reordered = {**old, "workflowDefinition": list(reversed(old["workflowDefinition"]))}
    edited = workflow(3)
    bump_revision(edited)
    assert changed_fields(old, as_rpc(reordered)) == []
    assert changed_fields(old, edited) == ["workflowDefinition"]


def test_check_of_an_activation_change_reads_no_registry(
    provider: WorkflowProvider, calls: Calls, thena_emulator: Any
) -> None:
    news = {**small(), "owner": OWNER, "adoptExisting": False, "isActive": True}
    olds = provider.check({}, news).inputs
    fresh_session(thena_emulator)  # the next engine operation: a new process, empty caches
    calls.reset()
    result = provider.check(olds, {**news, "isActive": False})
    assert result.failures == [] and result.inputs["isActive"] is False
    assert calls.since() == {}


def test_check_of_a_definition_change_still_cross_checks_the_registries(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    news = {**small(), "owner": OWNER, "adoptExisting": False, "isActive": True}
    olds = provider.check({}, news).inputs
    fresh_session(thena_emulator)
    unknown = small()
    unknown["workflowDefinition"][0]["activity"]["uniqueIdentifier"] = "tickets:no-such-thing"
    failures = provider.check(olds, {**news, **unknown}).failures
    assert [f.property for f in failures] == ["workflowDefinition"]
    assert "workflowDefinition[0].activity.uniqueIdentifier: unknown activity" in failures[0].reason
