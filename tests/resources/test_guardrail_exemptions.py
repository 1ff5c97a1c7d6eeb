"""``guardrailExemptions``: a setting input like ``adoptExisting``, recorded in state, never sent.

Adding, changing or removing an exemption is an update (the engine shows it, state records it)
that makes no API call; a workflow without exemptions has no such input at all, so state
written before exemptions existed reads as no change. Through the SDK's real dynamic-provider
host (a fresh process, as the engine starts one per operation) and against the emulator.
"""

from __future__ import annotations

from typing import Any

from pulumi_thena.resources import WorkflowProvider
from tests.fixtures import small
from tests.protocol.host import DynamicHost
from tests.support import PATCH, Calls, fresh_session

OWNER = "thena-workflows/local/escalation"
EXEMPT = [{"rule": "retry-on-external", "reason": "a retry could post the message twice"}]


def props(**settings: Any) -> dict[str, Any]:
    return {**small(), "owner": OWNER, "adoptExisting": False, "isActive": True, **settings}


def deployed(host: DynamicHost, **settings: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Check and create, as a first ``pulumi up``: the id, the checked inputs, the outputs."""
    inputs, failures = host.check(props(**settings))
    assert failures == []
    id_, outputs = host.create(inputs)
    return id_, inputs, outputs


def test_check_keeps_the_exemptions_as_an_input(host: DynamicHost) -> None:
    inputs, failures = host.check(props(guardrailExemptions=EXEMPT))
    assert failures == []
    assert inputs["guardrailExemptions"] == EXEMPT


def test_adding_an_exemption_is_an_update_with_no_api_call(
    host: DynamicHost, thena_emulator: Any, calls: Calls
) -> None:
    id_, inputs, outputs = deployed(host)
    version = outputs["version"]
    calls.reset()
    news, failures = host.check(props(guardrailExemptions=EXEMPT), olds=inputs)
    assert failures == []
    answer = host.diff(id_, outputs, news)
    assert answer.changes == "DIFF_SOME" and answer.replaces == []
    updated = host.update(id_, outputs, news)
    assert calls.since() == {}  # no read, no write: the API never sees exemptions
    assert updated["guardrailExemptions"] == EXEMPT
    assert updated["version"] == version and updated["uniqueIdentifier"] == id_
    # The next operation finds nothing to do.
    assert host.diff(id_, updated, news).changes == "DIFF_NONE"
    [stored] = thena_emulator.control.workflows()
    assert "guardrailExemptions" not in stored and "guardrailExemptions" not in stored["metadata"]


def test_removing_an_exemption_is_an_update_with_no_api_call(
    host: DynamicHost, calls: Calls
) -> None:
    id_, inputs, outputs = deployed(host, guardrailExemptions=EXEMPT)
    assert outputs["guardrailExemptions"] == EXEMPT
    calls.reset()
    news, _ = host.check(props(), olds=inputs)
    assert "guardrailExemptions" not in news
    assert host.diff(id_, outputs, news).changes == "DIFF_SOME"
    updated = host.update(id_, outputs, news)
    assert calls.since() == {}
    assert "guardrailExemptions" not in updated


def test_an_exemption_with_a_definition_change_is_one_patch(
    host: DynamicHost, thena_emulator: Any, calls: Calls
) -> None:
    id_, inputs, outputs = deployed(host)
    calls.reset()
    news, _ = host.check({**props(guardrailExemptions=EXEMPT), "name": "Renamed"}, olds=inputs)
    updated = host.update(id_, outputs, news)
    assert calls.writes() == {PATCH: 1}
    [stored] = thena_emulator.control.workflows()
    assert stored["name"] == "Renamed" and "guardrailExemptions" not in stored
    assert updated["guardrailExemptions"] == EXEMPT


def test_an_unchanged_exemption_is_no_change_and_no_call(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    checked = provider.check({}, props(guardrailExemptions=EXEMPT)).inputs
    created = provider.create(checked)
    fresh_session(thena_emulator)  # a new engine operation: nothing cached
    calls.reset()
    again = provider.check(checked, props(guardrailExemptions=EXEMPT))
    assert again.inputs == checked
    assert provider.diff(created.id, created.outs or {}, again.inputs).changes is False
    assert calls.since() == {}


def test_state_without_the_input_and_no_exemptions_is_no_change(
    provider: WorkflowProvider, thena_emulator: Any, calls: Calls
) -> None:
    """What an older version wrote: no guardrailExemptions key in inputs or outputs."""
    checked = provider.check({}, props()).inputs
    created = provider.create(checked)
    assert "guardrailExemptions" not in checked and "guardrailExemptions" not in (
        created.outs or {}
    )
    fresh_session(thena_emulator)
    calls.reset()
    for empty in ({}, {"guardrailExemptions": []}):
        news = provider.check(checked, props(**empty)).inputs
        assert provider.diff(created.id, created.outs or {}, news).changes is False
    assert calls.since() == {}
