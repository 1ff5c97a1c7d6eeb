"""Running test cases on a copy of the examples: what fails, what is said, what is skipped.

Each test breaks one thing (a filter, an input, an expectation, a file) and checks the
mismatch: the expectation's path and line in the test file, expected and got, and the reasons
with the workflow file's line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.definitions.errors import DefinitionLoadError
from pulumi_thena.definitions.workflow_test_compare import Mismatch, differences, same
from pulumi_thena.definitions.workflow_tests import (
    FAILED,
    PASSED,
    SKIPPED,
    CaseResult,
    WorkflowTestReport,
    run_workflow_tests,
)
from tests.workflow_tests.conftest import ExampleProject

URGENT = "urgent-ticket-escalation"
TICKET = {"title": "Outage", "priority": "urgent", "status": "open", "account": {"name": "Acme"}}


def run(
    examples: ExampleProject, name: str | None = None, stack: str = "local"
) -> WorkflowTestReport:
    paths = [examples.tests / f"{name}.yaml"] if name else []
    return run_workflow_tests(examples.project, paths, stack)


def only_case(report: WorkflowTestReport) -> CaseResult:
    [case] = report.cases
    return case


def case(expect: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """An urgent ticket:created case with the given expectation."""
    body: dict[str, Any] = {
        "name": "the case",
        "event": {"name": "ticket:created", "payload": {"ticketId": "T-1"}},
        "entities": {"Ticket": TICKET},
        "expect": expect,
    }
    return {**body, **fields}


def line_with(path: Path, fragment: str, after: int = 0) -> int:
    """The number of the first line (after line ``after``) that holds ``fragment``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if n > after and fragment in text)


def mismatch(result: CaseResult, what: str) -> tuple[Mismatch, int | None]:
    found = [
        (m, line) for m, line in zip(result.mismatches, result.lines, strict=True) if m.what == what
    ]
    assert len(found) == 1, result.failure_lines()
    return found[0]


def test_a_broken_filter_fails_its_test_naming_the_filter(examples: ExampleProject) -> None:
    examples.replace(
        examples.workflow(URGENT),
        "- ticket.priority: { ~eq: urgent }",
        "- ticket.priority: { ~eq: urgnet }",
    )
    report = run(examples, URGENT)
    assert not report.passed
    first = report.cases[0]
    assert first.outcome == FAILED
    found, line = mismatch(first, "triggered")
    assert (found.expected, found.got) == (True, False)
    assert found.details[0] == (
        "filters.~and[0].~or[0].ticket.priority.~eq: expected 'urgnet', got 'urgent' "
        f"(stacks/workflows/{URGENT}.yaml:26)"
    )
    assert line == 20  # `urgent-ticket-escalation:` under expect.workflows of the first case
    lines = first.failure_lines()
    assert lines[0] == f'stacks/tests/{URGENT}.yaml:18: triggers: expected ["{URGENT}"], got []'
    assert f"stacks/tests/{URGENT}.yaml:20: {URGENT}: triggered: expected true, got false" in lines
    # The cases the typo does not touch still pass.
    assert [c.outcome for c in report.cases].count(PASSED) == 3


def test_a_step_skipped_by_its_filter_says_which_filter(examples: ExampleProject) -> None:
    examples.replace(
        examples.workflow(URGENT),
        "    onFailure: CONTINUE\n",
        "    onFailure: CONTINUE\n    filters:\n      ticket.status: { ~eq: closed }\n",
    )
    result = run(examples, URGENT).cases[0]
    found, _ = mismatch(result, "steps")
    assert (found.expected, found.got) == ([1, 2, 3], [1, 3])
    step_filter = line_with(examples.workflow(URGENT), "~eq: closed")
    assert (
        "step 2 skipped: its filter did not match: "
        "workflowDefinition[1].filters.ticket.status.~eq: "
        f"expected 'closed', got 'open' (stacks/workflows/{URGENT}.yaml:{step_filter})"
    ) in found.details


def test_an_input_that_differs_names_the_field_expected_and_got(examples: ExampleProject) -> None:
    examples.replace(examples.workflow(URGENT), "Urgent ticket {{", "Urgent: {{")
    result = run(examples, URGENT).cases[0]
    found, line = mismatch(result, "inputs.1.text")
    assert found.expected == ":rotating_light: Urgent ticket Checkout down from Acme"
    assert found.got == ":rotating_light: Urgent: Checkout down from Acme"
    test_file = examples.tests / f"{URGENT}.yaml"
    assert line == line_with(test_file, 'text: ":rotating_light:')
    assert found.path == f"cases[0].expect.workflows.{URGENT}.inputs.1.text"


def test_input_fields_compare_only_where_given(examples: ExampleProject) -> None:
    expect = {"workflows": {URGENT: {"inputs": {3: {"ticketId": "T-1", "extra": {"x": 1}}}}}}
    examples.write_test("inputs", [case(expect)])
    [found] = only_case(run(examples, "inputs")).mismatches
    assert (found.what, found.expected, found.missing) == ("inputs.3.extra", {"x": 1}, True)
    assert found.headline() == f'{URGENT}: inputs.3.extra: expected {{"x": 1}}, got nothing'


def test_an_input_of_a_step_that_did_not_run(examples: ExampleProject) -> None:
    expect = {"workflows": {URGENT: {"inputs": {2: {"ticketId": "T-1"}}}}}
    examples.write_test("not-run", [case(expect, failures={1: "all"})])
    [found] = only_case(run(examples, "not-run")).mismatches
    assert found.what == "inputs.2" and found.missing
    assert found.details == ("step 2 not-run: step 1 failed and its onFailure is ABORT",)


def test_an_unresolved_template_fails_unless_listed(examples: ExampleProject) -> None:
    intake = "slack-message-intake"
    event = {"name": "slack:message", "payload": {"channel": "C-LOCAL-INTAKE", "text": "hi"}}
    allowed = ["context.event.message.actor.name", "context.event.message.payload.ts"]
    bare = {"name": "bare", "event": event, "expect": {"workflows": {intake: {}}}}
    listed = {
        "name": "listed",
        "event": event,
        "expect": {
            "workflows": {intake: {"unresolved": [*allowed, "context.steps.1.result.ticketUrl"]}}
        },
    }
    examples.write_test("unresolved", [bare, listed])
    first, second = run(examples, "unresolved").cases
    assert second.outcome == PASSED, second.failure_lines()
    found, _ = mismatch(first, "unresolved")
    assert found.got == [*allowed, "context.steps.1.result.ticketUrl"]
    assert found.details == (
        "{{context.event.message.actor.name}} did not resolve in step 1: add it to the event "
        "(payload, actor or messageAttributes), fix the path, or list it under 'unresolved'",
        "{{context.event.message.payload.ts}} did not resolve in step 2: add it to the event "
        "(payload, actor or messageAttributes), fix the path, or list it under 'unresolved'",
        "{{context.steps.1.result.ticketUrl}} did not resolve in step 2: give step 1's result "
        "under 'results', fix the path, or list it under 'unresolved'",
    )


def test_why_must_appear_among_the_reasons(examples: ExampleProject) -> None:
    small = {**TICKET, "priority": "low"}
    expect = {
        "workflows": {URGENT: {"triggered": False, "why": ["ticket.priority", "ticket.status"]}}
    }
    examples.write_test("why", [case(expect, entities={"Ticket": small})])
    [found] = only_case(run(examples, "why")).mismatches
    assert (found.what, found.expected) == ("why", ["ticket.status"])
    assert any("ticket.priority.~eq: expected 'urgent', got 'low'" in d for d in found.details)


def test_a_workflow_that_triggers_when_it_should_not(examples: ExampleProject) -> None:
    examples.write_test("no", [case({"workflows": {URGENT: {"triggered": False}}})])
    [found] = only_case(run(examples, "no")).mismatches
    assert (found.what, found.expected, found.got) == ("triggered", False, True)


def test_triggers_lists_every_workflow_the_event_triggers(examples: ExampleProject) -> None:
    examples.write_test("triggers", [case({"triggers": []})])
    [found] = only_case(run(examples, "triggers")).mismatches
    assert (found.expected, found.got) == ([], [URGENT])
    assert found.details == (f"{URGENT} triggered, and the case does not expect it",)


def test_skipped_steps_compare_exactly_and_reasons_in_part(examples: ExampleProject) -> None:
    path = examples.workflow(URGENT)
    examples.replace(
        path,
        "    onFailure: CONTINUE\n",
        "    onFailure: CONTINUE\n    filters:\n      ticket.status: { ~eq: closed }\n",
    )
    right = {"workflows": {URGENT: {"skipped": {2: "ticket.status.~eq"}, "steps": [1, 3]}}}
    wrong_reason = {"workflows": {URGENT: {"skipped": {2: "ticket.priority"}}}}
    wrong_step = {"workflows": {URGENT: {"skipped": {3: ""}}}}
    examples.write_test(
        "skipped",
        [
            case(right, name="right"),
            case(wrong_reason, name="reason"),
            case(wrong_step, name="step"),
        ],
    )
    right_result, reason, step = run(examples, "skipped").cases
    assert right_result.outcome == PASSED, right_result.failure_lines()
    [found] = reason.mismatches
    assert (found.what, found.expected) == ("skipped.2", "ticket.priority")
    [found] = step.mismatches
    assert (found.what, found.expected, found.got) == ("skipped", [3], [2])


def test_tasks_compare_in_order_in_the_fields_given(examples: ExampleProject) -> None:
    tasks = [{"step": 1, "status": "FINISHED"}, {"step": 3}, {"step": 2}]
    examples.write_test("tasks", [case({"workflows": {URGENT: {"tasks": tasks}}})])
    result = only_case(run(examples, "tasks"))
    assert [(m.what, m.expected, m.got) for m in result.mismatches] == [
        ("tasks[1].stepIdentifier", 3, 2),
        ("tasks[2].stepIdentifier", 2, 3),
    ]


def test_a_long_difference_is_shown_one_item_a_line(examples: ExampleProject) -> None:
    tasks = [{"step": 1, "activity": "slack:send-message", "status": "FINISHED"}]
    examples.write_test("long", [case({"workflows": {URGENT: {"tasks": tasks}}})])
    lines = only_case(run(examples, "long")).failure_lines()
    assert lines[0].endswith(f"{URGENT}: tasks:")
    assert lines[1:4] == [
        "    expected:",
        '      - "1 slack:send-message FINISHED"',
        "    got:",
    ]
    assert '      - "3 tickets:assign-ticket-platform FINISHED run"' in lines


def test_a_workflow_name_no_file_has_fails_with_a_suggestion(examples: ExampleProject) -> None:
    examples.write_test("typo", [case({"triggers": ["urgent-ticket-escalaton"]})])
    result = only_case(run(examples, "typo"))
    assert result.outcome == FAILED
    [found] = result.mismatches
    assert f"did you mean '{URGENT}'?" in found.details[0]
    assert result.lines == (line_with(examples.tests / "typo.yaml", "triggers:"),)


def test_a_workflow_the_stack_does_not_deploy_skips_the_case(examples: ExampleProject) -> None:
    report = run(examples, "comment-mirror-webhook", stack="prod")
    assert {c.outcome for c in report.cases} == {SKIPPED} and report.passed
    assert report.cases[0].skip_reason == (
        "comment-mirror-webhook not deployed by stack 'prod' (thena-workflows:include)"
    )


def test_a_case_for_other_stacks_is_skipped(examples: ExampleProject) -> None:
    report = run(examples, "nightly-stale-ticket-sweep", stack="dev")
    assert [c.outcome for c in report.cases] == [SKIPPED, SKIPPED, SKIPPED, PASSED]
    assert report.cases[0].skip_reason == "for stacks local, staging, prod, not 'dev'"


def test_the_stacks_activation_applies(examples: ExampleProject) -> None:
    examples.edit_stack(
        "local", lambda c: c.update({"thena-workflows:activation": {"overrides": {URGENT: False}}})
    )
    found, _ = mismatch(run(examples, URGENT).cases[0], "triggered")
    assert found.details == ("isActive: the workflow is inactive, so no event triggers it",)


def test_the_stacks_variables_apply_to_test_files(examples: ExampleProject) -> None:
    examples.edit_stack(
        "local", lambda c: c["thena-workflows:vars"].update(escalationChannel="#elsewhere")
    )
    assert run(examples, URGENT).passed  # the test reads ${var.escalationChannel} as well
    expect = {"workflows": {URGENT: {"inputs": {1: {"channel": "#local-escalations"}}}}}
    examples.write_test("literal", [case(expect)])
    [found] = only_case(run(examples, "literal")).mismatches
    assert found.got == "#elsewhere"


def test_an_unknown_variable_is_a_problem_only_where_the_case_runs(
    examples: ExampleProject,
) -> None:
    expect = {"workflows": {URGENT: {"inputs": {1: {"channel": "${var.escalationChanel}"}}}}}
    mirror = {
        "name": "mirror",
        "event": {"name": "ticket:comment:added"},
        "expect": {
            "workflows": {"comment-mirror-webhook": {"inputs": {1: {"url": "${var.nope}"}}}}
        },
    }
    examples.write_test("variables", [case(expect), mirror])
    report = run(examples, "variables", stack="prod")
    [problem] = report.problems
    assert problem.path == f"cases[0].expect.workflows.{URGENT}.inputs.1.channel"
    assert (
        "unknown variable 'escalationChanel'; did you mean 'escalationChannel'?" in problem.message
    )
    assert problem.line == line_with(examples.tests / "variables.yaml", "escalationChanel")
    assert "(stack 'prod')" in problem.message
    assert [(c.name, c.outcome) for c in report.cases] == [("mirror", SKIPPED)]
    assert not report.passed


def test_secrets_read_as_secret_and_no_value_reaches_a_report(examples: ExampleProject) -> None:
    examples.edit_stack(
        "local",
        lambda c: c["thena-workflows:secrets"].update(reportingWebhookToken="hunter2-clear"),
    )
    expect = {
        "workflows": {
            "nightly-stale-ticket-sweep": {"inputs": {1: {"headers": {"Authorization": "x"}}}}
        }
    }
    examples.write_test(
        "secret", [{"name": "s", "event": {"name": "schedule:daily"}, "expect": expect}]
    )
    report = run(examples, "secret")
    [found] = only_case(report).mismatches
    assert found.got == "Bearer [secret]"
    assert "hunter2" not in str(report.to_json())
    assert run(examples, "nightly-stale-ticket-sweep", stack="prod").passed  # prod has none set


def _wrong(**fields: Any) -> dict[str, Any]:
    return {"name": "x", "event": {"name": "a"}, "expect": {"triggers": []}, **fields}


WRONG = {
    "event without a name": (
        [_wrong(event={})],
        ("cases[0].event.name", "this field is required", "event: {}"),
    ),
    "unknown field": (
        [_wrong(expect={"trigers": []})],
        ("cases[0].expect.trigers", "Did you mean 'triggers'?", "trigers:"),
    ),
    "empty expectation": (
        [_wrong(expect={})],
        ("cases[0].expect", "an expectation that names nothing cannot fail", "expect:"),
    ),
    "failures not a count": (
        [_wrong(failures={1: "twice"})],
        ("cases[0].failures.1", "a whole number of at least 1, or 'all' (got 'twice')", "twice"),
    ),
    "why while triggered": (
        [_wrong(expect={"workflows": {"w": {"why": ["a"]}}})],
        ("cases[0].expect.workflows.w", "add 'triggered: false'", "w:"),
    ),
    "steps while not triggered": (
        [_wrong(expect={"workflows": {"w": {"triggered": False, "steps": [1]}}})],
        ("cases[0].expect.workflows.w", "a workflow that does not trigger has no steps", "w:"),
    ),
    "a name twice": (
        [_wrong(), _wrong()],
        ("cases", "case names must be unique in a file: x", "cases:"),
    ),
}


@pytest.mark.parametrize("mistake", sorted(WRONG))
def test_a_wrong_test_file_is_a_problem_with_path_and_line(
    examples: ExampleProject, mistake: str
) -> None:
    cases, (path, message, fragment) = WRONG[mistake]
    written = examples.write_test("wrong", cases)
    report = run(examples, "wrong")
    assert not report.passed and report.cases == ()
    [problem] = report.problems
    assert (problem.file, problem.path) == ("stacks/tests/wrong.yaml", path)
    assert problem.line == line_with(written, fragment)
    assert message in problem.message


def test_a_file_that_is_not_yaml_is_a_problem_and_the_others_still_run(
    examples: ExampleProject,
) -> None:
    (examples.tests / "broken.yaml").write_text("cases: [\n", encoding="utf-8")
    report = run(examples)
    [problem] = report.problems
    assert problem.file == "stacks/tests/broken.yaml" and "not valid YAML" in problem.message
    assert report.count(PASSED) == 27


def test_invalid_workflow_files_stop_the_run_with_every_problem(examples: ExampleProject) -> None:
    examples.replace(examples.workflow(URGENT), "triggerEvent: ticket:created", "triggerEvnt: x")
    with pytest.raises(DefinitionLoadError) as raised:
        run(examples)
    assert any(p.file == f"stacks/workflows/{URGENT}.yaml" for p in raised.value.problems)


@pytest.mark.parametrize(
    ("wanted", "got", "found"),
    [
        ({"a": 1}, {"a": 1.0, "b": 2}, []),
        ({"a": True}, {"a": 1}, [(".a", True, 1, False)]),
        ({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 3, "d": 4}]}}, [(".a.b[1].c", 2, 3, False)]),  # noqa: E501
        ({"a": [1]}, {"a": [1, 2]}, [(".a", [1], [1, 2], False)]),
        ({"a": None}, {}, [(".a", None, None, True)]),
        ({"a": None}, {"a": None}, []),
        ({"a": "1"}, {"a": 1}, [(".a", "1", 1, False)]),
    ],
)  # fmt: skip
def test_differences_compare_the_fields_given_as_json_values(
    wanted: Any, got: Any, found: list[tuple[str, Any, Any, bool]]
) -> None:
    assert list(differences(wanted, got)) == found


def test_same_is_json_equality() -> None:
    assert same(1, 1.0) and same([1, {"a": 2.0}], [1.0, {"a": 2}])
    assert not same(True, 1) and not same(0, False) and not same({"a": 1}, {"a": 1, "b": 2})
