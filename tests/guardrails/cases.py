"""One workflow that breaks each built-in rule and one that keeps it, as definition files.

Every file keeps every other built-in rule (with the stack settings of ``only``), so that a
finding can be put down to the rule under test. ``only(rule, level)`` is the
``thena-workflows:guardrails`` setting that enforces that rule alone, with the options the case
needs.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from pulumi_thena.guardrails.enforce import builtin_registry

RULES = builtin_registry()
BUILTIN = tuple(rule.id for rule in RULES if not rule.lint)
LINTS = tuple(rule.id for rule in RULES if rule.lint)


def workflow(name: str, steps: str, extra: str = "") -> str:
    """A definition file of ``steps`` (YAML list items, indented by two spaces)."""
    head = f"""\
        name: {name}
        triggerEvent: ticket:created
        executingAgent: bot-test
        teamId: team-test
        """
    return (
        textwrap.dedent(head)
        + textwrap.dedent(extra)
        + "workflowDefinition:\n"
        + (textwrap.indent(textwrap.dedent(steps), "  "))
    )


RETRY = "retryPolicy: {maximumAttempts: 3, initialInterval: 1, backoffCoefficient: 2}"


@dataclass(frozen=True)
class Case:
    """A rule, a file that breaks it and one that keeps it, and what the finding says."""

    rule: str
    violating: str
    passing: str
    path: str
    why: str
    options: dict[str, Any]
    earlier: str | None = None
    """Another file, written before the one under test (``another.yaml``), when the rule
    compares workflows."""

    def setting(self, level: str) -> dict[str, Any]:
        return only(self.rule, level, **self.options)


def only(rule: str, level: str, **options: Any) -> dict[str, Any]:
    """``thena-workflows:guardrails`` enforcing ``rule`` at ``level``, every other rule off."""
    rules: dict[str, Any] = {other: "disabled" for other in RULES.ids()}
    rules[rule] = {"level": level, **options}
    return {"rules": rules}


CASES = (
    Case(
        "approval-before-destructive",
        violating=workflow(
            "Raise priority",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:update-ticket-platform}
              input: {priority: urgent}
            """,
        ),
        passing=workflow(
            "Raise priority",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:update-ticket-platform}
              input: {priority: urgent}
              requireApproval: true
              approver: {type: USER, uid: u-manager, timeout: 3600}
            """,
        ),
        path="workflowDefinition[0].requireApproval",
        why="step 1 runs 'tickets:update-ticket-platform', a destructive activity (it matches "
        "'tickets:update-*'), and neither it nor a step it depends on waits for an approval",
        options={"activities": ["tickets:update-*"]},
    ),
    Case(
        "retry-on-external",
        violating=workflow(
            "Alert",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: slack:send-message}
              input: {channel: "#alerts", text: new ticket}
            """,
        ),
        passing=workflow(
            "Alert",
            f"""\
            - stepIdentifier: 1
              activity: {{uniqueIdentifier: slack:send-message}}
              input: {{channel: "#alerts", text: new ticket}}
              {RETRY}
            """,
        ),
        path="workflowDefinition[0].retryPolicy",
        why="step 1 calls 'slack:send-message' and has no retry policy",
        options={},
    ),
    Case(
        "no-clear-credentials",
        violating=workflow(
            "Report",
            f"""\
            - stepIdentifier: 1
              activity: {{uniqueIdentifier: http:webhook}}
              input:
                url: https://reporting.example.com/hooks
                headers: {{Authorization: Bearer abcdefgh12345678}}
              {RETRY}
            """,
        ),
        passing=workflow(
            "Report",
            f"""\
            - stepIdentifier: 1
              activity: {{uniqueIdentifier: http:webhook}}
              input:
                url: https://reporting.example.com/hooks
                headers: {{Authorization: "Bearer ${{secret.hookToken}}"}}
              {RETRY}
            """,
        ),
        path="workflowDefinition[0].input.headers.Authorization",
        why="holds a Bearer token in clear",
        options={},
    ),
    Case(
        "compensate-needs-compensation",
        violating=workflow(
            "Onboard",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: accounts:update-account-platform}
              input: {fields: {onboarding: started}}
            - stepIdentifier: 2
              dependencies: ["1"]
              activity: {uniqueIdentifier: tickets:create-ticket-platform}
              input: {title: Onboarding}
              onFailure: COMPENSATE
            """,
        ),
        passing=workflow(
            "Onboard",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: accounts:update-account-platform}
              input: {fields: {onboarding: started}}
              compensationActivity:
                activity: {uniqueIdentifier: accounts:update-account-platform}
                input: {fields: {onboarding: not_started}}
            - stepIdentifier: 2
              dependencies: ["1"]
              activity: {uniqueIdentifier: tickets:create-ticket-platform}
              input: {title: Onboarding}
              onFailure: COMPENSATE
            """,
        ),
        path="workflowDefinition[1].onFailure",
        why="step 2 compensates on failure, but no step that can finish before it has a "
        "compensationActivity, so a failure undoes nothing",
        options={},
    ),
    Case(
        "max-steps",
        violating=workflow(
            "Three notes",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            - stepIdentifier: 2
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            - stepIdentifier: 3
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        passing=workflow(
            "Two notes",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            - stepIdentifier: 2
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        path="workflowDefinition",
        why="has 3 steps; this stack allows at most 2",
        options={"maximum": 2},
    ),
    Case(
        "workflow-names",
        violating=workflow(
            '"Escalation "',
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        passing=workflow(
            "Escalation",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        path="name",
        why="workflow name 'Escalation ' starts or ends with white space",
        options={},
    ),
    Case(
        "unique-workflow-names",
        violating=workflow(
            "Escalation",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        passing=workflow(
            "Escalation note",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
        path="name",
        why="workflow name 'Escalation' is already used by stacks/workflows/another.yaml for the "
        "same team",
        options={},
        earlier=workflow(
            "Escalation",
            """\
            - stepIdentifier: 1
              activity: {uniqueIdentifier: tickets:add-comment-platform}
            """,
        ),
    ),
)
BY_RULE = {case.rule: case for case in CASES}
