"""The built-in rules on wire definitions, one behaviour at a time, and what ``evaluate`` makes of
what they return: levels, exemptions, rules that fail."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from pulumi_thena.guardrails import Level, Rule, RuleContext, WorkflowRef, rule
from pulumi_thena.guardrails.enforce import (
    Exemption,
    Subject,
    builtin_registry,
    evaluate,
)
from pulumi_thena.guardrails.registry import RuleDefinitionError, RuleRegistry
from pulumi_thena.guardrails.settings import GuardrailSettings, RuleSetting, resolve_enforcement

REGISTRY = builtin_registry()


def step(sid: int, activity: str, **fields: Any) -> dict[str, Any]:
    return {"stepIdentifier": sid, "activity": {"uniqueIdentifier": activity}, **fields}


def wf(*steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "name": "W",
        "triggerEvent": "ticket:created",
        "executingAgent": "bot",
        "teamId": "t",
        "workflowDefinition": list(steps),
        **fields,
    }


def found(
    rule_id: str,
    definition: Mapping[str, Any],
    *,
    others: tuple[WorkflowRef, ...] = (),
    **options: Any,
) -> list[tuple[str, str]]:
    known = REGISTRY.get(rule_id)
    assert known is not None
    context = RuleContext(
        workflow="this.yaml",
        stack="test",
        options={**known.options, **options},
        workflows=(*others, WorkflowRef("this.yaml", definition)),
    )
    return list(known.check(definition, context))


def paths(rule_id: str, definition: Mapping[str, Any], **options: Any) -> list[str]:
    return [path for path, _ in found(rule_id, definition, **options)]


APPROVED = {"requireApproval": True, "approver": {"type": "USER", "uid": "u", "timeout": 60}}


# approval-before-destructive ---------------------------------------------------------------


@pytest.mark.parametrize(
    "activity", ["tickets:delete-ticket-platform", "tickets:close-ticket", "kb:archive-article"]
)
def test_the_default_destructive_activities_close_delete_and_archive(activity: str) -> None:
    assert paths("approval-before-destructive", wf(step(1, activity))) == [
        "workflowDefinition[0].requireApproval"
    ]


def test_other_activities_need_no_approval() -> None:
    definition = wf(step(1, "tickets:add-comment-platform"), step(2, "tickets:closed-report"))
    assert found("approval-before-destructive", definition) == []


def test_an_approval_on_a_step_before_it_counts_unless_a_rejection_lets_it_run() -> None:
    first = step(1, "tickets:add-comment-platform", **APPROVED)
    delete = step(2, "tickets:delete-ticket", dependencies=["1"])
    assert found("approval-before-destructive", wf(first, delete)) == []
    # Through another step, too.
    middle = step(3, "tickets:add-comment-platform", dependencies=["1"])
    late = step(4, "tickets:delete-ticket", dependencies=["3"])
    assert found("approval-before-destructive", wf(first, middle, late)) == []
    # A rejection under onFailure: CONTINUE lets dependents run: no gate.
    lenient = {**first, "onFailure": "CONTINUE"}
    assert paths("approval-before-destructive", wf(lenient, delete)) == [
        "workflowDefinition[1].requireApproval"
    ]
    # An approval on a step that is not before it does not count.
    parallel = step(2, "tickets:delete-ticket")
    assert paths("approval-before-destructive", wf(first, parallel)) == [
        "workflowDefinition[1].requireApproval"
    ]


def test_the_destructive_activities_are_an_option() -> None:
    definition = wf(step(1, "tickets:update-ticket-platform"))
    assert found("approval-before-destructive", definition) == []
    [(_, why)] = found("approval-before-destructive", definition, activities=["tickets:update-*"])
    assert "(it matches 'tickets:update-*')" in why


# retry-on-external -------------------------------------------------------------------------


def test_external_steps_need_a_retry_policy_with_enough_attempts() -> None:
    definition = wf(
        step(1, "http:webhook"),
        step(2, "slack:send-message", retryPolicy={"maximumAttempts": 1}),
        step(3, "email:send-email", retryPolicy={"initialInterval": 5}),
        step(4, "email:send-email", retryPolicy={}),
        step(5, "slack:send-message", retryPolicy={"maximumAttempts": 2}),
        step(6, "tickets:add-comment-platform"),
    )
    assert found("retry-on-external", definition) == [
        (
            "workflowDefinition[0].retryPolicy",
            "step 1 calls 'http:webhook' and has no retry policy",
        ),
        (
            "workflowDefinition[1].retryPolicy.maximumAttempts",
            "step 2 calls 'slack:send-message' with maximumAttempts 1; this stack asks for at "
            "least 2 attempts",
        ),
        (
            "workflowDefinition[2].retryPolicy.maximumAttempts",
            "step 3 calls 'email:send-email' with no maximumAttempts; this stack asks for at "
            "least 2 attempts",
        ),
        (
            "workflowDefinition[3].retryPolicy",
            "step 4 calls 'email:send-email' and has no retry policy",
        ),
    ]


def test_retry_options_and_sleeps() -> None:
    definition = wf(step(1, "slack:send-message", retryPolicy={"maximumAttempts": 2}))
    assert paths("retry-on-external", definition, minimumAttempts=3) == [
        "workflowDefinition[0].retryPolicy.maximumAttempts"
    ]
    assert found("retry-on-external", definition, activities=["http:*"]) == []
    sleep = step(1, "workflows:sleep-platform", isSleepActivity=True)
    assert found("retry-on-external", wf(sleep), activities=["*"]) == []


# no-clear-credentials ----------------------------------------------------------------------

CLEAR = [
    ({"headers": {"Authorization": "Bearer abcdefgh12345678"}}, "a Bearer token"),
    ({"url": "https://hooks.slack.com/services/T0/B0/abcdef"}, "a Slack webhook URL"),
    ({"url": "https://api.example.com/v1?api_key=abc123"}, "a token in a URL's query"),
    ({"url": "https://bot:hunter22@example.com/hook"}, "a user and password in a URL"),
    ({"body": {"jwt": "eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl"}}, "a JSON Web Token"),
    ({"apiToken": "abc123"}, "'apiToken' names a secret, and its value is written in clear"),
    ({"headers": [{"X-Auth": "letmein"}]}, "'X-Auth' names a secret"),
]


@pytest.mark.parametrize(("inputs", "kind"), CLEAR)
def test_a_credential_in_clear_is_found_and_never_quoted(inputs: dict[str, Any], kind: str) -> None:
    [(path, why)] = found("no-clear-credentials", wf(step(1, "http:webhook", input=inputs)))
    assert path.startswith("workflowDefinition[0].input.")
    assert kind in why
    for value in _strings(inputs):
        assert value not in why


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value]


KEPT = [
    {"headers": {"Authorization": "Bearer [secret]"}},
    {"apiToken": "[secret]"},
    {"token": "{{context.steps.1.result.token}}"},
    {"author": "Jane", "tokenCount": 3, "secretary": ""},
    {"url": "https://reporting.example.com/hooks?team=support"},
]


@pytest.mark.parametrize("inputs", KEPT)
def test_secrets_templates_and_harmless_names_pass(inputs: dict[str, Any]) -> None:
    assert found("no-clear-credentials", wf(step(1, "http:webhook", input=inputs))) == []


def test_a_variable_under_a_secret_name_is_clear_too_and_compensations_are_read() -> None:
    undo = {"activity": {"uniqueIdentifier": "http:webhook"}, "input": {"token": "${var.t}"}}
    definition = wf(step(1, "http:webhook", compensationActivity=undo))
    [(path, why)] = found("no-clear-credentials", definition)
    assert path == "workflowDefinition[0].compensationActivity.input.token"
    assert "comes from a stack variable, which is stored in clear" in why


# compensate-needs-compensation -------------------------------------------------------------

UNDO = {"activity": {"uniqueIdentifier": "accounts:update-account-platform"}, "input": {}}


def test_compensate_needs_a_compensation_that_can_have_run() -> None:
    lone = wf(step(1, "tickets:create-ticket", onFailure="COMPENSATE"))
    assert paths("compensate-needs-compensation", lone) == ["workflowDefinition[0].onFailure"]
    # Its own compensation is passed over when it fails; a later step's cannot have run.
    own = wf(
        step(1, "a:b", onFailure="COMPENSATE", compensationActivity=UNDO),
        step(2, "a:c", dependencies=["1"], compensationActivity=UNDO),
    )
    assert paths("compensate-needs-compensation", own) == ["workflowDefinition[0].onFailure"]
    # A step before it, or one beside it, can.
    before = wf(step(1, "a:b", compensationActivity=UNDO), step(2, "a:c", onFailure="COMPENSATE"))
    assert found("compensate-needs-compensation", before) == []
    empty = wf(step(1, "a:b", compensationActivity={}), step(2, "a:c", onFailure="COMPENSATE"))
    assert paths("compensate-needs-compensation", empty) == ["workflowDefinition[1].onFailure"]


# max-steps, workflow-names, unique-workflow-names ---------------------------------------


def test_max_steps_counts_the_steps() -> None:
    definition = wf(*(step(i, "a:b") for i in range(1, 4)))
    assert found("max-steps", definition, maximum=3) == []
    assert found("max-steps", definition, maximum=2) == [
        ("workflowDefinition", "has 3 steps; this stack allows at most 2")
    ]


def test_names_are_trimmed_and_short() -> None:
    assert paths("workflow-names", wf(step(1, "a:b"), name=" W")) == ["name"]
    assert found("workflow-names", wf(step(1, "a:b"), name="W" * 100)) == []
    [(_, why)] = found("workflow-names", wf(step(1, "a:b"), name="W" * 101))
    assert why == "workflow name is 101 characters long; at most 100 are allowed"
    assert paths("workflow-names", wf(step(1, "a:b"), name="W" * 20), maxLength=10) == ["name"]


def test_names_are_unique_within_a_team() -> None:
    earlier = WorkflowRef("a.yaml", wf(step(1, "a:b")))
    other_team = WorkflowRef("b.yaml", wf(step(1, "a:b"), teamId="other"))
    assert found("unique-workflow-names", wf(step(1, "a:b")), others=(earlier,)) == [
        ("name", "workflow name 'W' is already used by a.yaml for the same team")
    ]
    assert found("unique-workflow-names", wf(step(1, "a:b")), others=(other_team,)) == []


def test_only_the_later_of_two_workflows_of_one_name_is_flagged() -> None:
    first = wf(step(1, "a:b"))
    context = RuleContext(
        workflow="a.yaml",
        stack=None,
        workflows=(WorkflowRef("a.yaml", first), WorkflowRef("b.yaml", first)),
    )
    assert list(REGISTRY.get("unique-workflow-names").check(first, context)) == []  # type: ignore[union-attr]


# evaluate ----------------------------------------------------------------------------------


def enforcement(registry: RuleRegistry = REGISTRY, **levels: str) -> Any:
    settings = GuardrailSettings(
        rules={r.id: RuleSetting(Level(levels.get(r.id, "disabled"))) for r in registry}
    )
    resolved, problems = resolve_enforcement(settings, registry)
    assert problems == []
    return resolved


def test_levels_sort_findings_and_exemptions_set_them_aside() -> None:
    definition = wf(step(1, "slack:send-message"), step(2, "a:b", onFailure="COMPENSATE"))
    levels = {"retry-on-external": "mandatory", "compensate-needs-compensation": "advisory"}
    subject = Subject("x.yaml", definition)
    outcome = evaluate([subject], enforcement(**levels), stack="test")
    assert [v.rule.id for v in outcome.mandatory] == ["retry-on-external"]
    assert [v.rule.id for v in outcome.advisory] == ["compensate-needs-compensation"]
    exempt = Exemption("retry-on-external", "posting twice is worse")
    outcome = evaluate(
        [Subject("x.yaml", definition, (exempt,))], enforcement(**levels), stack="test"
    )
    assert outcome.mandatory == ()
    [waived] = outcome.exempted
    assert waived.exemption == exempt and waived.path == "workflowDefinition[0].retryPolicy"


def test_exemptions_that_name_no_rule_or_waive_nothing_are_warnings() -> None:
    definition = wf(step(1, "tickets:add-comment-platform"))
    exemptions = (
        Exemption("retry-on-externel", "typo"),
        Exemption("max-steps", "waives nothing"),
        Exemption("no-clear-credentials", "disabled here: not looked at"),
    )
    outcome = evaluate(
        [Subject("x.yaml", definition, exemptions)],
        enforcement(**{"max-steps": "mandatory"}),
        stack="test",
    )
    assert [(i.path, i.message) for i in outcome.issues] == [
        (
            "guardrailExemptions[0].rule",
            "exempts from 'retry-on-externel', a rule stack 'test' does not have; did you mean "
            "'retry-on-external'?",
        ),
        (
            "guardrailExemptions[1].rule",
            "exempts from 'max-steps', which finds nothing in this workflow; remove the exemption",
        ),
    ]


def test_a_rule_that_fails_or_answers_wrongly_is_a_finding_at_its_level() -> None:
    @rule("explodes", description="d", fix="f")
    def explodes(definition: Mapping[str, Any], context: RuleContext) -> list[tuple[str, str]]:
        raise KeyError("teamId")

    @rule("mumbles", description="d", fix="f")
    def mumbles(definition: Mapping[str, Any], context: RuleContext) -> list[Any]:
        return ["just a text"]

    ours = REGISTRY.extended(
        [
            Rule(r.id, r.description, r.fix, r.check, source="guardrails/ours.py")
            for r in (explodes, mumbles)
        ]
    )
    outcome = evaluate(
        [Subject("x.yaml", wf(step(1, "a:b")))],
        enforcement(ours, explodes="mandatory", mumbles="advisory"),
        stack="test",
    )
    [failed] = outcome.mandatory
    assert failed.why == (
        "the rule failed on this workflow (KeyError: 'teamId'); fix the rule in guardrails/ours.py"
    )
    [odd] = outcome.advisory
    assert odd.why.startswith("the rule returned str 'just a text', not a (field path, why) pair")


# the rule API ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: Rule("Retry On", "d", "f", lambda d, c: []), "lowercase words joined by '-'"),
        (lambda: Rule("r", "", "f", lambda d, c: []), "'description' must be a non-empty text"),
        (lambda: Rule("r", "d", " ", lambda d, c: []), "'fix' must be a non-empty text"),
        (lambda: Rule("r", "d", "f", lambda d: []), "'check' must take two arguments"),
        (lambda: Rule("r", "d", "f", "not callable"), "'check' must be a function"),  # type: ignore[arg-type]
        (lambda: Rule("r", "d", "f", lambda d, c: [], level="strict"), "'level' must be one of"),  # type: ignore[arg-type]
        (lambda: Rule("r", "d", "f", lambda d, c: [], options={"x": {}}), "option 'x'"),
        (lambda: Rule("r", "d", "f", lambda d, c: [], options={"level": 1}), "other than 'level'"),
    ],
)
def test_a_bad_rule_is_refused_with_what_to_change(make: Any, says: str) -> None:
    with pytest.raises(RuleDefinitionError) as caught:
        make()
    assert says in str(caught.value)


def test_two_rules_of_one_id_cannot_share_a_registry() -> None:
    copy = Rule("max-steps", "d", "f", lambda d, c: [], source="guardrails/ours.py")
    with pytest.raises(RuleDefinitionError) as caught:
        REGISTRY.extended([copy])
    assert "rule 'max-steps' (guardrails/ours.py) has the id of a rule that exists already" in str(
        caught.value
    )


def test_a_workflow_loaded_by_hand_still_reads_its_secrets_as_secret() -> None:
    """``check_guardrails`` on a LoadedWorkflow made without ``redacted`` (as tests do)."""
    from pulumi_thena.definitions.guarding import check_guardrails
    from pulumi_thena.definitions.loader import LoadedWorkflow
    from pulumi_thena.models import WorkflowDefinition

    hook = step(1, "http:webhook", input={"token": "real-secret-value-1234"})
    definition = WorkflowDefinition.model_validate(wf(hook))
    loaded = LoadedWorkflow(
        "x", "x.yaml", definition, secret_paths=("workflowDefinition[0].input.token",)
    )
    report = check_guardrails(
        [loaded], enforcement(**{"no-clear-credentials": "mandatory"}), stack=None, variables={}
    )
    assert report.mandatory == ()
    clear = LoadedWorkflow("y", "y.yaml", definition)
    report = check_guardrails(
        [clear], enforcement(**{"no-clear-credentials": "mandatory"}), stack=None, variables={}
    )
    [problem] = report.mandatory
    assert "real-secret-value-1234" not in str(problem)
