"""spec.runs against docs/api.md 5.2-5.10, and each choice where it is silent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pulumi_thena.spec.runs import APPROVE, REJECT, WAKE, Run, simulate
from pulumi_thena.spec.statuses import EXECUTION_STATUSES, TASK_STATUSES
from tests.strategies import definitions

EVENT = {
    "name": "ticket:created",
    "message": {"payload": {"ticketId": "T-1", "priority": "urgent"}},
}


def step(sid: int, *deps: int, **fields: Any) -> dict[str, Any]:
    return {
        "stepIdentifier": sid,
        "activity": {"uniqueIdentifier": f"act:{sid}"},
        "input": {"n": sid},
        "dependencies": [str(dep) for dep in deps],
        **fields,
    }


def undo(sid: int) -> dict[str, Any]:
    return {"activity": {"uniqueIdentifier": f"undo:{sid}"}, "input": {"of": sid}}


def workflow(*steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "name": "wf",
        "triggerEvent": "ticket:created",
        "workflowDefinition": list(steps),
        **fields,
    }


def states(run: Run) -> dict[str, str]:
    return {ref: record.state for ref, record in run.steps.items()}


def task_rows(run: Run) -> list[tuple[str, str, int, bool]]:
    return [(t.step, t.status, t.attempt, t.is_compensation) for t in run.tasks]


# docs/api.md 5.2: a workflow runs when active, its trigger event fires and its filters match.


def test_an_active_workflow_on_its_event_with_matching_filters_triggers() -> None:
    run = Run(workflow(step(1), filters={"priority": {"~eq": "urgent"}}), EVENT)
    assert run.triggered and run.trigger.why == ()
    assert run.status == "FINISHED"


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"isActive": False}, "isActive: the workflow is inactive, so no event triggers it"),
        (
            {"triggerEvent": "ticket:updated"},
            "triggerEvent: the workflow triggers on ticket:updated, the event is ticket:created",
        ),
        (
            {"filters": {"priority": {"~eq": "low"}}},
            "filters.priority.~eq: expected 'low', got 'urgent'",
        ),
    ],
)
def test_each_reason_not_to_trigger_is_named(fields: dict[str, Any], why: str) -> None:
    run = Run(workflow(step(1), **fields), EVENT)
    assert not run.triggered
    assert run.trigger.why == (why,)
    assert run.status is None and run.tasks == [] and run.to_json()["steps"] == []


def test_every_reason_is_listed_at_once() -> None:
    fields = {"isActive": False, "triggerEvent": "x", "filters": {"priority": {"~eq": "low"}}}
    assert len(Run(workflow(step(1), **fields), EVENT).trigger.why) == 3


def test_the_answer_s_trigger_event_object_matches_by_name_or_uid() -> None:
    by_name = {"uid": "EVT1", "eventName": "ticket:created", "schema": {}}
    assert Run(workflow(step(1), triggerEvent=by_name), EVENT).triggered
    by_uid = {"uid": "EVT1", "eventName": "other"}
    assert Run(workflow(step(1), triggerEvent=by_uid), {**EVENT, "name": "EVT1"}).triggered
    assert Run(
        workflow(step(1), triggerEvent="ticket:created"),
        {**EVENT, "eventName": "ticket:created", "name": None},
    ).triggered


def test_an_event_without_a_name_matches_any_trigger() -> None:
    nameless = {"message": EVENT["message"]}
    assert Run(workflow(step(1), triggerEvent="slack:message"), nameless).triggered


def test_is_active_left_out_means_active() -> None:
    assert Run(workflow(step(1)), EVENT).triggered


# docs/api.md 5.5: dependency order.


def test_steps_run_after_their_dependencies_lowest_identifier_first() -> None:
    run = Run(workflow(step(10, 2), step(2), step(3, 2), step(1)), EVENT)
    assert run.completed == ["1", "2", "3", "10"]
    assert [t.step for t in run.tasks] == ["1", "2", "3", "10"]
    assert run.history == ["PENDING", "SCHEDULED", "EXECUTING_ACTIVITIES", "FINISHED"]


def test_a_cycle_raises_with_the_graph_message() -> None:
    with pytest.raises(ValueError, match="cycle"):
        Run(workflow(step(1, 2), step(2, 1)), EVENT)


# docs/api.md 5.3: a step whose filter does not match is skipped, not failed.


def test_a_step_whose_filter_does_not_match_is_skipped_with_the_filter_named() -> None:
    run = Run(workflow(step(1), step(2, filters={"priority": {"~eq": "low"}})), EVENT)
    assert states(run) == {"1": "finished", "2": "skipped"}
    assert run.steps["2"].why == (
        "its filter did not match: "
        "workflowDefinition[1].filters.priority.~eq: expected 'low', got 'urgent'"
    )
    assert run.status == "FINISHED"


def test_the_dependents_of_a_skipped_step_are_skipped() -> None:
    skipped = step(1, filters={"priority": {"~eq": "low"}})
    run = Run(workflow(skipped, step(2, 1), step(3, 2), step(4)), EVENT)
    assert states(run) == {"1": "skipped", "2": "skipped", "3": "skipped", "4": "finished"}
    assert run.steps["3"].why == "its dependency step 2 was skipped"


def test_a_step_filter_can_read_an_earlier_result() -> None:
    gated = step(2, 1, filters={"{{context.steps.1.result.ok}}": {"~eq": True}})
    assert (
        states(Run(workflow(step(1), gated), EVENT, results={1: {"ok": True}}))["2"] == "finished"
    )
    assert (
        states(Run(workflow(step(1), gated), EVENT, results={1: {"ok": False}}))["2"] == "skipped"
    )


# docs/api.md 5.4: templates in inputs; earlier results under context.steps (our choice).


def test_inputs_are_resolved_and_unresolved_paths_reported() -> None:
    second = step(2, 1, input={"url": "{{context.steps.1.result.url}}", "t": "{{context.x}}"})
    run = Run(workflow(step(1), second), EVENT, results={"1": {"url": "https://u"}})
    assert run.steps["2"].input == {"url": "https://u", "t": "{{context.x}}"}
    assert run.steps["2"].unresolved == ("context.x",)
    assert run.tasks[1].input == run.steps["2"].input


def test_entities_are_given_by_entity_type_or_by_path() -> None:
    annotation = {
        "entityType": "Ticket",
        "requiredFields": {"ticketId": "{{context.event.message.payload.ticketId}}"},
        "pathToAnnotate": "context.event.message.payload.ticket",
    }
    wf = workflow(
        step(1, input={"t": "{{context.event.message.payload.ticket.title}}"}),
        annotations=[annotation],
        filters={"ticket.tier": {"~eq": "gold"}},
    )
    for key in ("Ticket", "context.event.message.payload.ticket"):
        run = Run(wf, EVENT, entities={key: {"title": "Down", "tier": "gold"}})
        assert run.triggered and run.steps["1"].input == {"t": "Down"}
        assert run.annotations == [
            {"entityType": "Ticket", "pathToAnnotate": annotation["pathToAnnotate"], "loaded": True}
        ]
    unloaded = Run(wf, EVENT)
    assert not unloaded.triggered and unloaded.annotations[0]["loaded"] is False


# docs/api.md 5.7: retries, onFailure and compensation.


def test_retries_make_new_tasks_until_one_succeeds() -> None:
    run = Run(workflow(step(1, retryPolicy={"maximumAttempts": 3})), EVENT, failures={1: 2})
    assert task_rows(run) == [
        ("1", "FAILED", 1, False),
        ("1", "FAILED", 2, False),
        ("1", "FINISHED", 3, False),
    ]
    assert [t.to_json()["isRetry"] for t in run.tasks] == [False, True, True]
    assert run.history == [
        "PENDING",
        "SCHEDULED",
        "EXECUTING_ACTIVITIES",
        "RETRYING",
        "EXECUTING_ACTIVITIES",
        "RETRYING",
        "EXECUTING_ACTIVITIES",
        "FINISHED",
    ]


def test_without_a_retry_policy_a_step_has_one_attempt() -> None:
    run = Run(workflow(step(1)), EVENT, failures={1: None})
    assert task_rows(run) == [("1", "FAILED", 1, False)]
    assert run.steps["1"].why == "its one attempt failed (onFailure ABORT)"


def test_maximum_attempts_below_one_count_as_one() -> None:
    run = Run(workflow(step(1, retryPolicy={"maximumAttempts": 0})), EVENT, failures={1: None})
    assert len(run.tasks) == 1


def chain(on_failure: str | None) -> dict[str, Any]:
    """1 -> 2 -> 3 (fails) -> 4, plus 5 on its own; 1 and 2 can be undone."""
    failing = step(3, 2) if on_failure is None else step(3, 2, onFailure=on_failure)
    return workflow(
        step(1, compensationActivity=undo(1)),
        step(2, 1, compensationActivity=undo(2)),
        failing,
        step(4, 3),
        step(5),
    )


ON_FAILURE_TABLE = [
    # onFailure, final status, step states 1..5, compensated
    (None, "FAILED", ["finished", "finished", "failed", "not-run", "not-run"], []),
    ("ABORT", "FAILED", ["finished", "finished", "failed", "not-run", "not-run"], []),
    ("CONTINUE", "FINISHED", ["finished", "finished", "failed", "finished", "finished"], []),
    ("COMPENSATE", "FAILED", ["finished", "finished", "failed", "not-run", "not-run"], ["2", "1"]),
]


@pytest.mark.parametrize(("on_failure", "status", "expected", "compensated"), ON_FAILURE_TABLE)
def test_on_failure_once_the_retries_are_used_up(
    on_failure: str | None, status: str, expected: list[str], compensated: list[str]
) -> None:
    run = Run(chain(on_failure), EVENT, failures={3: None})
    assert run.status == status
    assert list(states(run).values()) == expected
    assert run.compensated == compensated
    if on_failure == "COMPENSATE":
        assert "COMPENSATING" in run.history
        assert [t.activity for t in run.tasks if t.is_compensation] == ["undo:2", "undo:1"]


def test_an_aborted_run_says_why_each_step_did_not_run() -> None:
    run = Run(chain("ABORT"), EVENT, failures={3: None})
    assert run.steps["4"].why == "not run: step 3 failed and its onFailure is ABORT"


def test_compensation_runs_in_reverse_completion_order_not_definition_order() -> None:
    # Step 1 waits for an approval while 2 and 3 complete; after approval 1 completes last.
    wf = workflow(
        step(1, requireApproval=True, compensationActivity=undo(1)),
        step(2, compensationActivity=undo(2)),
        step(3, compensationActivity=undo(3)),
        step(4, 1, 2, 3, onFailure="COMPENSATE"),
    )
    run = simulate(wf, EVENT, failures={4: None}, decisions={1: APPROVE})
    assert run.completed == ["2", "3", "1"]
    assert run.compensated == ["1", "3", "2"]


def test_compensation_passes_over_steps_without_one_and_the_failed_step() -> None:
    wf = workflow(
        step(1, compensationActivity=undo(1)),
        step(2, 1, compensationActivity={}),
        step(3, 2),
        step(4, 3, onFailure="COMPENSATE", compensationActivity=undo(4)),
    )
    run = Run(wf, EVENT, failures={4: None})
    assert run.compensated == ["1"]
    assert [t.to_json()["isCompensation"] for t in run.tasks] == [False] * 4 + [True]


def test_a_compensation_input_reads_the_result_of_its_own_step() -> None:
    first = step(
        1, compensationActivity={**undo(1), "input": {"id": "{{context.steps.1.result.id}}"}}
    )
    run = Run(
        workflow(first, step(2, 1, onFailure="COMPENSATE")),
        EVENT,
        results={1: {"id": "X"}},
        failures={2: None},
    )
    assert run.tasks[-1].input == {"id": "X"} and run.tasks[-1].is_compensation


def test_a_continued_failure_still_lets_dependents_run_and_ends_finished() -> None:
    run = Run(workflow(step(1, onFailure="CONTINUE"), step(2, 1)), EVENT, failures={1: None})
    assert states(run) == {"1": "failed", "2": "finished"}
    assert run.status == "FINISHED"


# docs/api.md 5.8 and U-23: approvals are waits, in any of the three approver shapes.

APPROVER_SHAPES = [
    (
        {"requireApproval": True, "approver": {"type": "TEAM", "uid": "t1", "timeout": 60}},
        "TEAM",
        "t1",
        60,
    ),
    (
        {"requireApproval": True, "approver": {"type": "USER", "id": "u1"}, "approvalTimeout": 90},
        "USER",
        "u1",
        90,
    ),
    (
        {"requireApproval": True, "approverType": "USER", "approver": "u2", "approvalTimeout": 5},
        "USER",
        "u2",
        5,
    ),
]


@pytest.mark.parametrize(("fields", "kind", "uid", "timeout"), APPROVER_SHAPES)
def test_an_approval_suspends_the_run_until_it_is_decided(
    fields: dict[str, Any], kind: str, uid: str, timeout: int
) -> None:
    run = Run(workflow(step(1, **fields), step(2, 1)), EVENT)
    assert run.status == "SUSPENDED"
    assert [w.to_json() for w in run.waits] == [
        {
            "stepIdentifier": 1,
            "kind": "approval",
            "approver": {"type": kind, "uid": uid, "timeout": timeout},
            "duration": None,
            "decisions": ["approve", "reject"],
        }
    ]
    assert task_rows(run) == [("1", "AWAITING_USER_INPUT", 1, False)]
    assert states(run) == {"1": "waiting", "2": "pending"}
    run.resolve(1, APPROVE)
    assert task_rows(run) == [("1", "FINISHED", 1, False), ("2", "FINISHED", 1, False)]
    assert run.history[-3:] == ["SUSPENDED", "EXECUTING_ACTIVITIES", "FINISHED"]


def test_a_rejection_shows_unauthorized_and_applies_on_failure() -> None:
    wf = workflow(step(1, requireApproval=True), step(2, 1))
    run = Run(wf, EVENT).resolve("1", REJECT)
    assert task_rows(run) == [("1", "UNAUTHORIZED", 1, False)]
    assert states(run) == {"1": "rejected", "2": "not-run"}
    assert run.status == "FAILED"
    cont = workflow(step(1, requireApproval=True, onFailure="CONTINUE"), step(2, 1))
    assert states(Run(cont, EVENT).resolve(1, REJECT)) == {"1": "rejected", "2": "finished"}


def test_an_answer_s_approver_without_require_approval_still_waits() -> None:
    answer = step(1, approver={"type": "TEAM", "uid": "t", "timeout": 1})
    assert Run(workflow(answer), EVENT).status == "SUSPENDED"
    assert Run(workflow(step(1, approver={})), EVENT).status == "FINISHED"
    off = step(1, requireApproval=False, approver={"type": "USER", "uid": "u"})
    assert Run(workflow(off), EVENT).status == "FINISHED"


def test_an_approved_step_is_approved_once_for_all_its_attempts() -> None:
    wf = workflow(step(1, requireApproval=True, retryPolicy={"maximumAttempts": 2}))
    run = Run(wf, EVENT, failures={1: 1}).resolve(1, APPROVE)
    assert task_rows(run) == [("1", "FAILED", 1, False), ("1", "FINISHED", 2, False)]
    assert run.waits == []


# docs/api.md 5.9: sleep steps are waits too.


def test_a_sleep_suspends_with_a_started_task_until_it_wakes() -> None:
    sleep = step(
        2,
        1,
        isSleepActivity=True,
        activity={"uniqueIdentifier": "workflows:sleep-platform"},
        input={"duration": 900},
    )
    run = Run(workflow(step(1), sleep, step(3, 2)), EVENT)
    assert run.status == "SUSPENDED"
    assert [(w.kind, w.duration) for w in run.waits] == [("sleep", 900)]
    assert task_rows(run)[-1] == ("2", "STARTED", 1, False)
    with pytest.raises(ValueError, match="waits for sleep: decide with 'wake'"):
        run.resolve(2, APPROVE)
    run.resolve(2, WAKE)
    assert run.status == "FINISHED" and run.completed == ["1", "2", "3"]


def test_an_approval_then_a_sleep_on_one_step_share_one_task() -> None:
    both = step(1, requireApproval=True, isSleepActivity=True)
    run = Run(workflow(both), EVENT).resolve(1, APPROVE)
    assert [w.kind for w in run.waits] == ["sleep"] and task_rows(run) == [
        ("1", "STARTED", 1, False)
    ]
    assert run.resolve(1, WAKE).status == "FINISHED" and len(run.tasks) == 1


def test_a_wait_holds_back_only_the_steps_that_depend_on_it() -> None:
    run = Run(workflow(step(1, requireApproval=True), step(2, 1), step(3)), EVENT)
    assert states(run) == {"1": "waiting", "2": "pending", "3": "finished"}
    assert run.status == "SUSPENDED"


def test_resolving_a_step_that_does_not_wait_names_the_waiting_steps() -> None:
    run = Run(workflow(step(1, requireApproval=True), step(2)), EVENT)
    with pytest.raises(ValueError, match=r"step 2 is not waiting \(waiting steps: 1\)"):
        run.resolve(2, APPROVE)


def test_an_abort_closes_the_waits_still_open() -> None:
    wf = workflow(step(1, requireApproval=True), step(2, onFailure="ABORT"))
    run = Run(wf, EVENT, failures={2: None})
    assert run.status == "FAILED" and run.waits == []
    assert states(run) == {"1": "not-run", "2": "failed"}
    assert task_rows(run)[0] == ("1", "FAILED", 1, False)


def test_simulate_stops_at_the_first_wait_without_a_decision() -> None:
    wf = workflow(step(1, requireApproval=True), step(2, 1, requireApproval=True), step(3, 2))
    run = simulate(wf, EVENT, decisions={1: APPROVE})
    assert run.status == "SUSPENDED" and [w.step for w in run.waits] == ["2"]
    assert simulate(wf, EVENT, decisions={1: APPROVE, 2: APPROVE}).status == "FINISHED"


# docs/api.md 5.10 and the trace.


def test_every_status_is_in_the_spec_vocabularies() -> None:
    runs = [Run(chain(p), EVENT, failures={3: 1}) for p in ("ABORT", "CONTINUE", "COMPENSATE")]
    runs.append(Run(workflow(step(1, requireApproval=True)), EVENT).resolve(1, REJECT))
    for run in runs:
        assert set(run.history) <= set(EXECUTION_STATUSES)
        assert {task.status for task in run.tasks} <= set(TASK_STATUSES)


def test_the_trace_is_plain_json_and_the_same_on_every_run() -> None:
    arguments = {"failures": {3: None}, "results": {1: {"id": 1}}}
    first = Run(chain("COMPENSATE"), EVENT, **arguments).to_json()
    assert json.loads(json.dumps(first)) == first
    assert Run(chain("COMPENSATE"), EVENT, **arguments).to_json() == first
    assert first["compensated"] == [2, 1]
    assert [t["sequence"] for t in first["tasks"]] == list(range(1, len(first["tasks"]) + 1))
    assert first["tasks"][0] == {
        "sequence": 1,
        "stepIdentifier": 1,
        "activity": "act:1",
        "status": "FINISHED",
        "input": {"n": 1},
        "result": {"id": 1},
        "attempt": 1,
        "isRetry": False,
        "isCompensation": False,
        "unresolvedTemplates": [],
    }


def test_the_run_never_changes_the_workflow_or_the_event() -> None:
    wf, event = chain("COMPENSATE"), json.loads(json.dumps(EVENT))
    before = json.dumps([wf, event], sort_keys=True)
    Run(wf, event, failures={3: None}).context["event"]["name"] = "changed"
    assert json.dumps([wf, event], sort_keys=True) == before


@given(definitions(), st.data())
def test_any_dag_runs_dependencies_first_and_compensates_in_reverse(
    definition: dict[str, Any], data: st.DataObject
) -> None:
    steps = [
        {**s, "compensationActivity": undo(s["stepIdentifier"])}
        for s in definition["workflowDefinition"]
    ]
    failing = data.draw(st.sampled_from([str(s["stepIdentifier"]) for s in steps]))
    run = Run(
        {**definition, "isActive": True, "workflowDefinition": steps},
        EVENT,
        failures={failing: None},
    )
    first_task = {task.step: task.sequence for task in reversed(run.tasks)}
    for s in steps:
        ref = str(s["stepIdentifier"])
        if ref in first_task:
            assert all(first_task[dep] < first_task[ref] for dep in s["dependencies"])
    policy = next(s.get("onFailure", "ABORT") for s in steps if str(s["stepIdentifier"]) == failing)
    assert run.status == ("FINISHED" if policy == "CONTINUE" else "FAILED")
    expected = list(reversed(run.completed)) if policy == "COMPENSATE" else []
    assert run.compensated == expected
