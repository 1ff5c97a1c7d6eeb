"""The evaluator and the lints on the shipped examples, in their canonical wire form.

Each example is loaded with the local stack's variables (stacks/Pulumi.local.yaml), as the
provider would send it, then simulated with an event that should trigger it. The examples are
read from the tests' own copy (``tests.examples``) where there is one, so that a team's edits
to ``stacks/`` cannot break these tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.definitions import load_stack
from pulumi_thena.emulator.registry import default_events
from pulumi_thena.spec.lints import workflow_lints
from pulumi_thena.spec.runs import APPROVE, WAKE, Run, simulate

try:
    from tests.examples import EXAMPLE_PROJECT as PROJECT_DIR
except ImportError:  # a tree without the tests' own copy of the examples
    PROJECT_DIR = Path(__file__).resolve().parents[2]
LOCAL = load_stack(PROJECT_DIR, "local")
WIRE = {w.stem: w.definition.to_wire() for w in LOCAL.workflows}
SCHEMAS = {event["eventName"]: event["schema"] for event in default_events()}


def event(name: str, payload: dict[str, Any], **message: Any) -> dict[str, Any]:
    return {"name": name, "message": {"payload": payload, **message}}


@pytest.mark.parametrize("stem", sorted(WIRE))
def test_no_lint_fires_on_an_example(stem: str) -> None:
    assert workflow_lints(WIRE[stem]) == []


# The emulator's ticket events list only ticketId and ticket in their payload schema, so these
# fields the examples read are not in it. The lint is right about that schema.
SCHEMA_FINDINGS = {
    "comment-mirror-webhook": [
        "filters.comment.visibility",
        "workflowDefinition[0].input.body.comment",
    ],
    "sla-breach-approval": ["filters.~and[0].slaBreached"],
}


@pytest.mark.parametrize("stem", sorted(WIRE))
def test_the_schema_lint_on_an_example_with_the_emulator_registry(stem: str) -> None:
    workflow = WIRE[stem]
    found = workflow_lints(workflow, SCHEMAS[workflow["triggerEvent"]])
    assert [path for path, _ in found] == SCHEMA_FINDINGS.get(stem, [])
    assert all("the event schema has no" in why for _, why in found)


URGENT_TICKET = {
    "title": "Checkout down",
    "priority": "high",
    "status": "open",
    "account": {"name": "Acme", "classification": {"tier": "enterprise"}},
}


def test_urgent_ticket_escalation_runs_its_three_steps() -> None:
    run = Run(
        WIRE["urgent-ticket-escalation"],
        event("ticket:created", {"ticketId": "T-1"}),
        entities={"Ticket": URGENT_TICKET},
    )
    assert run.status == "FINISHED" and run.completed == ["1", "2", "3"]
    assert run.steps["1"].input["text"] == ":rotating_light: Urgent ticket Checkout down from Acme"
    assert run.steps["3"].input == {"ticketId": "T-1", "assignedAgentId": "agent-local-escalation"}


def test_a_broken_filter_names_the_condition_that_failed() -> None:
    small = {**URGENT_TICKET, "account": {"name": "Shop", "classification": {"tier": "smb"}}}
    run = Run(
        WIRE["urgent-ticket-escalation"],
        event("ticket:created", {"ticketId": "T-2"}),
        entities={"Ticket": small},
    )
    assert not run.triggered
    assert run.trigger.why == (
        "filters.~and[0].~or[0].ticket.priority.~eq: expected 'urgent', got 'high'",
        "filters.~and[0].~or[1].~and[1].ticket.account.classification.tier.~in: "
        "expected one of ['enterprise', 'strategic'], got 'smb'",
    )


def test_sla_breach_approval_waits_for_the_support_manager() -> None:
    ticket = {"status": "open", "priority": "high", "title": "Late"}
    run = Run(
        WIRE["sla-breach-approval"],
        event("ticket:updated", {"ticketId": "T-3", "slaBreached": True, "ticket": ticket}),
    )
    assert run.status == "SUSPENDED" and run.completed == ["1"]
    assert run.waits[0].approver == {"type": "USER", "uid": "user-local-manager", "timeout": 14400}
    run.resolve(2, APPROVE)
    assert run.status == "FINISHED"
    assert run.steps["3"].input["subject"] == "SLA breach raised to urgent: Late"


def test_slack_message_intake_answers_with_the_ticket_link() -> None:
    message = event(
        "slack:message",
        {"channel": "C-LOCAL-INTAKE", "text": "printer on fire", "ts": "17.4"},
        actor={"name": "Ada"},
    )
    run = Run(WIRE["slack-message-intake"], message, results={1: {"ticketUrl": "https://t/9"}})
    assert run.steps["1"].input["description"] == "Opened from Slack by Ada"
    assert run.steps["2"].input["text"] == "Thanks! We opened a ticket for this: https://t/9"
    command = event("slack:message", {"channel": "C-LOCAL-INTAKE", "text": "!help", "ts": "1"})
    assert not Run(WIRE["slack-message-intake"], command).triggered


def test_the_nightly_sweep_sleeps_between_its_steps() -> None:
    run = simulate(WIRE["nightly-stale-ticket-sweep"], event("schedule:daily", {}))
    assert run.status == "SUSPENDED"
    assert [(w.step, w.kind, w.duration) for w in run.waits] == [("2", "sleep", 900)]
    assert run.resolve(2, WAKE).status == "FINISHED"


def test_vip_onboarding_undoes_its_steps_when_the_announcement_fails() -> None:
    payload = {"accountId": "A-1", "account": {"name": "Acme", "tier": "enterprise"}}
    run = Run(
        WIRE["vip-account-onboarding"],
        event("account:created", payload),
        results={2: {"ticketId": "T-7"}},
        failures={3: None},
    )
    assert run.status == "FAILED" and run.compensated == ["2", "1"]
    undo = [(t.activity, t.input) for t in run.tasks if t.is_compensation]
    assert undo == [
        ("tickets:update-ticket-platform", {"ticketId": "T-7", "statusId": "closed"}),
        (
            "accounts:update-account-platform",
            {"accountId": "A-1", "fields": {"onboardingStatus": "not_started"}},
        ),
    ]


def test_the_comment_mirror_passes_private_comments_over() -> None:
    comment = {"visibility": "private", "content": "internal"}
    run = Run(
        WIRE["comment-mirror-webhook"],
        event("ticket:comment:added", {"ticketId": "T-4", "comment": comment}),
    )
    assert run.trigger.why == ("filters.comment.visibility.~eq: expected 'public', got 'private'",)
