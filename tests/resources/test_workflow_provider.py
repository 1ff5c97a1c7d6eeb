"""Each lifecycle method of the Workflow provider against the emulator, with call counts."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.diff.encoding import decoded
from pulumi_thena.resources import OwnershipError, WorkflowProvider
from tests.fixtures import small, steps
from tests.support import CREATE, DELETE, GET, PATCH, TOGGLE, Calls, fresh_session

OWNER = "thena-workflows/local/escalation"
RENAMED = "thena-workflows/local/escalation-renamed"


def props(owner: str = OWNER, **overrides: Any) -> dict[str, Any]:
    return {**small(**overrides), "owner": owner, "adoptExisting": False, "isActive": True}


def checked(provider: WorkflowProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return result.inputs


def created(provider: WorkflowProvider, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    result = provider.create(checked(provider, news))
    assert result.outs is not None
    return result.id, result.outs


def live(emulator: Any) -> list[dict[str, Any]]:
    return list(emulator.control.workflows())


# check ----------------------------------------------------------------------------------


def test_check_returns_canonical_inputs_in_the_users_terms(provider: WorkflowProvider) -> None:
    news = props(workflowDefinition=list(reversed(steps(3))))
    state = checked(provider, news)
    assert isinstance(state["definition"], str)  # one JSON text, for the engine's sake
    inputs = decoded(state)
    assert [s["stepIdentifier"] for s in inputs["workflowDefinition"]] == [1, 2, 3]
    assert inputs["triggerEvent"] == "ticket:escalated"
    assert inputs["owner"] == OWNER


def test_check_failures_name_path_and_workflow(provider: WorkflowProvider, calls: Calls) -> None:
    news = props()
    news["workflowDefinition"][0]["dependencies"] = ["4"]
    failures = provider.check({}, news).failures
    assert [f.property for f in failures] == ["workflowDefinition"]
    assert "workflowDefinition[0].dependencies[0]: depends on step 4" in failures[0].reason
    assert "workflow 'Escalation comment'" in failures[0].reason
    assert "step 4, which does not exist" in failures[0].reason
    assert calls.since() == {}


def test_check_cross_checks_the_registries(provider: WorkflowProvider) -> None:
    news = props(triggerEvent="ticket:exploded")
    news["workflowDefinition"][0]["activity"]["uniqueIdentifier"] = "tickets:add-coment-platform"
    failures = {f.property: f.reason for f in provider.check({}, news).failures}
    assert "triggerEvent: unknown trigger event 'ticket:exploded'" in failures["triggerEvent"]
    assert (
        "workflowDefinition[0].activity.uniqueIdentifier: unknown activity "
        "'tickets:add-coment-platform'; did you mean 'tickets:add-comment-platform'"
    ) in failures["workflowDefinition"]


def test_registries_are_fetched_once_per_team(provider: WorkflowProvider, calls: Calls) -> None:
    for name in ("a", "b", "c"):
        checked(provider, props(name=name))
    assert sum(calls.since().values()) == 3  # events, activities, operators


def test_unchanged_check_makes_no_call(provider: WorkflowProvider, calls: Calls) -> None:
    inputs = checked(provider, props())
    fresh_session_calls = Calls(calls.emulator)
    assert provider.check(inputs, props()).failures == []
    assert fresh_session_calls.since() == {}


def test_missing_key_is_a_clear_check_failure(thena_emulator: Any) -> None:
    from pulumi_thena.resources import Session, Settings, use_session

    use_session(Session(Settings(api_url=thena_emulator.base_url, api_key=None)))
    try:
        [failure] = WorkflowProvider().check({}, props()).failures
    finally:
        use_session(None)
    assert "pulumi config set --secret thena:apiKey" in failure.reason


# create ---------------------------------------------------------------------------------


def test_create_makes_one_workflow_and_hides_the_marker(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    inputs = checked(provider, props())
    calls.reset()
    result = provider.create(inputs)
    assert calls.writes() == {CREATE: 1}
    assert result.outs is not None
    assert result.outs["uniqueIdentifier"] == result.id
    assert result.outs["version"] == 1 and result.outs["isActive"] is True
    assert OWNER_METADATA_KEY not in decoded(result.outs)["metadata"]
    [stored] = live(thena_emulator)
    assert stored["metadata"][OWNER_METADATA_KEY] == OWNER


def test_create_inactive_toggles_once(provider: WorkflowProvider, calls: Calls) -> None:
    _, outs = created(provider, {**props(), "isActive": False})
    assert calls.writes() == {CREATE: 1, TOGGLE: 1}
    assert outs["isActive"] is False and outs["version"] == 1


def test_lost_create_response_leaves_exactly_one_workflow(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    inputs = checked(provider, props())
    thena_emulator.control.inject_fault("POST", "/api/v1/workflows", "commit_then_drop")
    result = provider.create(inputs)
    [stored] = live(thena_emulator)
    assert stored["uniqueIdentifier"] == result.id


def test_create_finds_its_own_workflow_from_an_earlier_run(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    first, _ = created(provider, props())
    fresh_session(thena_emulator)  # a new engine operation: new process, empty caches
    calls.reset()
    second, _ = created(provider, props())
    assert first == second and calls.writes() == {}
    assert len(live(thena_emulator)) == 1


# diff -----------------------------------------------------------------------------------


def test_diff(provider: WorkflowProvider) -> None:
    _, outs = created(provider, props())
    assert provider.diff("x", outs, checked(provider, props())).changes is False
    renamed = provider.diff("x", outs, checked(provider, props(name="New")))
    assert renamed.changes is True and renamed.replaces == []
    replaced = provider.diff("x", outs, checked(provider, props(subType="AI_AGENT")))
    assert replaced.replaces == ["subType"] and replaced.delete_before_replace is True
    moved = provider.diff("x", outs, checked(provider, props(owner=RENAMED)))
    assert moved.changes is True and moved.replaces == []


def test_a_rename_through_an_alias_moves_the_marker_in_one_patch(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, props())
    calls.reset()
    result = provider.update(id_, outs, checked(provider, props(owner=RENAMED)))
    assert calls.writes() == {PATCH: 1}
    [stored] = live(thena_emulator)
    assert stored["metadata"][OWNER_METADATA_KEY] == RENAMED and stored["version"] == 2
    assert result.outs is not None and result.outs["owner"] == RENAMED
    # A new resource of the old name no longer takes this workflow for its own lost create.
    fresh_session(thena_emulator)
    other, _ = created(provider, props())
    assert other != id_ and len(live(thena_emulator)) == 2


# update ---------------------------------------------------------------------------------


def test_toggle_only_change_is_one_toggle(provider: WorkflowProvider, calls: Calls) -> None:
    id_, outs = created(provider, props())
    calls.reset()
    result = provider.update(id_, outs, checked(provider, {**props(), "isActive": False}))
    assert calls.writes() == {TOGGLE: 1}
    assert result.outs is not None
    assert result.outs["isActive"] is False and result.outs["version"] == 1


def test_a_toggle_answered_without_a_body_is_read_back(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, props())
    thena_emulator.control.configure(empty_bodies=True)  # toggle answers 204, no body (U-25)
    calls.reset()
    result = provider.update(id_, outs, checked(provider, {**props(), "isActive": False}))
    assert calls.writes() == {TOGGLE: 1}  # not toggled again for want of an answer
    assert calls.since()[GET] == 1  # the state the toggle left, read back
    assert result.outs is not None and result.outs["isActive"] is False
    [stored] = live(thena_emulator)
    assert stored["isActive"] is False


def test_one_field_change_is_one_patch(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, props())
    calls.reset()
    result = provider.update(id_, outs, checked(provider, props(name="Renamed")))
    assert calls.writes() == {PATCH: 1}
    assert result.outs is not None and result.outs["version"] == 2
    [stored] = live(thena_emulator)
    assert stored["name"] == "Renamed"
    assert stored["metadata"][OWNER_METADATA_KEY] == OWNER


def _write_order(emulator: Any, since: int) -> list[str]:
    return [
        r["route"]
        for r in emulator.control.requests()[since:]
        if f"{r['method']} {r['route']}" in (PATCH, TOGGLE)
    ]


def test_deactivate_with_change_toggles_before_patching(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, props())
    start = len(thena_emulator.control.requests())
    news = checked(provider, {**props(name="Paused"), "isActive": False})
    result = provider.update(id_, outs, news)
    assert _write_order(thena_emulator, start) == [
        "/api/v1/workflows/{workflowUniqueIdentifier}/toggle",
        "/api/v1/workflows/{workflowUniqueIdentifier}",
    ]
    assert result.outs is not None and result.outs["isActive"] is False


def test_activate_with_change_patches_before_toggling(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, {**props(), "isActive": False})
    start = len(thena_emulator.control.requests())
    result = provider.update(id_, outs, checked(provider, props(name="Live")))
    assert _write_order(thena_emulator, start) == [
        "/api/v1/workflows/{workflowUniqueIdentifier}",
        "/api/v1/workflows/{workflowUniqueIdentifier}/toggle",
    ]
    assert result.outs is not None and result.outs["isActive"] is True


def test_lost_patch_response_bumps_the_version_once(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, props())
    thena_emulator.control.inject_fault("PATCH", f"/api/v1/workflows/{id_}", "commit_then_drop")
    result = provider.update(id_, outs, checked(provider, props(name="Once")))
    assert result.outs is not None and result.outs["version"] == 2
    [stored] = live(thena_emulator)
    assert stored["version"] == 2 and stored["name"] == "Once"


def test_lost_toggle_response_is_not_flipped_back(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, props())
    thena_emulator.control.inject_fault(
        "POST", f"/api/v1/workflows/{id_}/toggle", "commit_then_drop"
    )
    result = provider.update(id_, outs, checked(provider, {**props(), "isActive": False}))
    assert result.outs is not None and result.outs["isActive"] is False
    assert live(thena_emulator)[0]["isActive"] is False


# read -----------------------------------------------------------------------------------


def test_read_of_an_unchanged_workflow_matches_its_inputs(provider: WorkflowProvider) -> None:
    news = props(workflowDefinition=steps(4))
    id_, outs = created(provider, news)
    result = provider.read(id_, outs)
    assert result.id == id_
    assert result.inputs is None  # no drift: the inputs in state stay as they are
    assert provider.diff(id_, result.outs or {}, checked(provider, news)).changes is False


def test_read_of_an_answer_equal_to_state_converts_nothing(
    provider: WorkflowProvider, thena_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quick test of a refresh: an answer that holds what state holds, as it is, is no
    drift without validating and canonicalizing both sides (most of a read's CPU)."""
    from pulumi_thena.resources import workflow_lifecycle

    id_, outs = created(provider, props(workflowDefinition=steps(4)))
    edited, edited_outs = created(provider, props(owner="p/s/other", name="Other"))
    thena_emulator.client.update_workflow(edited, {"name": "Edited by hand"})
    fresh_session(thena_emulator)
    converted: list[str] = []
    convert = workflow_lifecycle.live_to_inputs

    def counting(live: Any, last: Any) -> dict[str, Any]:
        converted.append(live.unique_identifier)
        return convert(live, last)

    monkeypatch.setattr(workflow_lifecycle, "live_to_inputs", counting)
    assert provider.read(id_, outs).inputs is None
    drifted = provider.read(edited, edited_outs)
    assert drifted.inputs is not None and decoded(drifted.inputs)["name"] == "Edited by hand"
    assert converted == [edited]  # only the answer that differs as it is was converted


def test_read_reports_drift_and_absence(provider: WorkflowProvider, thena_emulator: Any) -> None:
    id_, outs = created(provider, props())
    thena_emulator.client.update_workflow(id_, {"name": "Edited by hand"})
    fresh_session(thena_emulator)
    drifted = provider.read(id_, outs)
    assert drifted.inputs is not None and decoded(drifted.inputs)["name"] == "Edited by hand"
    thena_emulator.client.delete_workflow(id_)
    fresh_session(thena_emulator)
    assert provider.read(id_, outs).id is None


def test_refresh_of_many_reads_one_listing(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    made = [created(provider, props(owner=f"p/s/wf{i}", name=f"wf{i}")) for i in range(5)]
    fresh_session(thena_emulator)
    calls.reset()
    for id_, outs in made:
        assert provider.read(id_, outs).id == id_
    # One listing: page 0 (refused by the 1-based emulator: the page base, U-24), the page
    # of five, and the empty page after it (a short first page may be a capped one).
    assert calls.since() == {"GET /api/v1/workflows": 3}


# delete ---------------------------------------------------------------------------------


def test_delete_removes_and_tolerates_absence(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    id_, outs = created(provider, props())
    provider.delete(id_, outs)
    assert live(thena_emulator) == []
    fresh_session(thena_emulator)
    provider.delete(id_, outs)  # already gone: done, no error
    assert calls.writes() == {CREATE: 1, DELETE: 1}


def test_delete_refuses_a_workflow_owned_by_another_resource(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    id_, outs = created(provider, props())
    with pytest.raises(OwnershipError, match="owned by 'thena-workflows/local/escalation'"):
        provider.delete(id_, {**outs, "owner": "thena-workflows/prod/escalation"})
    assert len(live(thena_emulator)) == 1


# ownership and adoption -----------------------------------------------------------------


def test_two_stacks_with_the_same_names_never_touch_each_other(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    a_id, a_outs = created(provider, props(owner="thena-workflows/dev/escalation"))
    b_id, _ = created(provider, props(owner="thena-workflows/staging/escalation"))
    assert a_id != b_id
    provider.delete(a_id, a_outs)
    [remaining] = live(thena_emulator)
    assert remaining["uniqueIdentifier"] == b_id


def test_adopt_existing_takes_over_an_unmarked_workflow(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    by_hand = thena_emulator.client.create_workflow(small())
    fresh_session(thena_emulator)
    calls.reset()
    id_, _ = created(provider, {**props(), "adoptExisting": True})
    assert id_ == by_hand.unique_identifier
    assert CREATE not in calls.writes()
    assert live(thena_emulator)[0]["metadata"][OWNER_METADATA_KEY] == OWNER


def test_adopt_existing_refuses_a_workflow_managed_elsewhere(
    provider: WorkflowProvider, thena_emulator: Any
) -> None:
    created(provider, props(owner="other/prod/escalation"))
    fresh_session(thena_emulator)
    with pytest.raises(OwnershipError, match="managed by 'other/prod/escalation'"):
        provider.create(checked(provider, {**props(), "adoptExisting": True}))
    assert len(live(thena_emulator)) == 1
