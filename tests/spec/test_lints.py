"""spec.lints: each lint with a case that triggers it and one that must not."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_thena.spec.contradictions import LIMIT
from pulumi_thena.spec.lints import (
    filter_lints,
    reference_lints,
    schema_lints,
    step_lints,
    workflow_lints,
)


def wf(filters: Any = None, *steps: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"filters": filters, "workflowDefinition": list(steps), **fields}


def step(sid: int, *deps: int, **fields: Any) -> dict[str, Any]:
    return {"stepIdentifier": sid, "dependencies": [str(d) for d in deps], **fields}


def anded(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"~and": list(conditions)}


# A workflow filter that can never match: (filter, path of the lint, words of its why).
NEVER = [
    (
        anded({"priority": {"~eq": "urgent"}}, {"priority": {"~eq": "high"}}),
        "filters.~and[1].priority.~eq",
        "filters.~and[0].priority.~eq allows only 'urgent', so ~eq: 'high' can never hold",
    ),
    (
        {"priority": {"~eq": "urgent", "~neq": "urgent"}},
        "filters.priority.~neq",
        "~neq: 'urgent' can never hold",
    ),
    ({"tier": {"~in": []}}, "filters.tier.~in", "~in: [] admits no value"),
    (
        anded({"score": {"~gt": 5}}, {"score": {"~lt": 3}}),
        "filters.~and[1].score.~lt",
        "no value is ~gt 5 (filters.~and[0].score.~gt) and ~lt 3 (filters.~and[1].score.~lt)",
    ),
    ({"score": {"~gt": 5, "~lte": 5}}, "filters.score.~lte", "no value is ~gt 5"),
    (
        anded({"closedAt": {"~isnull": True}}, {"closedAt": {"~gt": "2024"}}),
        "filters.~and[1].closedAt.~gt",
        "allows only null or a missing field, so ~gt: '2024' can never hold",
    ),
    (
        {"tags": {"~isempty": True, "~contains": "vip"}},
        "filters.tags.~contains",
        "allows only '', [], {}, null or a missing field",
    ),
    (
        {"score": {"~gt": 5, "~starts": "a"}},
        "filters.score.~starts",
        "needs a value of kind string, but filters.score.~gt allows only number",
    ),
    ({"tier": {"~eq": "gold", "~in": ["silver"]}}, "filters.tier.~in", "allows only 'gold'"),
    ({"tier": {"~eq": "gold", "~nin": ["gold"]}}, "filters.tier.~nin", "allows only 'gold'"),
    ({"title": {"~regex": "(unclosed"}}, "filters.title.~regex", "not a valid regular expression"),
    ({"title": {"~in": "gold"}}, "filters.title.~in", "~in takes a list of values"),
    (
        {"~or": [{"p": {"~eq": 1, "~neq": 1}}, {"q": {"~in": []}}]},
        "filters",
        "no branch of its ~or can hold: filters.~or[0].p.~neq",
    ),
    (
        anded({"p": {"~eq": "a"}}, {"~or": [{"p": {"~eq": "b"}}, {"p": {"~eq": "c"}}]}),
        "filters",
        "filters.~and[1].~or[0].p.~eq",
    ),
    ({"~and": [{"~or": []}]}, "filters.~and[0].~or", "an empty ~or matches nothing"),
]


@pytest.mark.parametrize(("filters", "path", "why"), NEVER)
def test_a_workflow_filter_that_can_never_match(filters: Any, path: str, why: str) -> None:
    found = filter_lints(wf(filters))
    assert len(found) == 1, found
    assert found[0][0] == path
    assert found[0][1].startswith("the workflow can never trigger: ")
    assert why in found[0][1]


# Close to each case above, but some event matches: no lint.
CAN_MATCH = [
    anded({"priority": {"~eq": "urgent"}}, {"priority": {"~eq": "urgent"}}),
    {"~or": [{"priority": {"~eq": "urgent"}}, {"priority": {"~eq": "high"}}]},
    {"priority": {"~eq": "urgent", "~neq": "high"}},
    {"tier": {"~in": ["gold"]}},
    {"tier": {"~nin": []}},
    anded({"score": {"~gt": 3}}, {"score": {"~lt": 5}}),
    {"score": {"~gte": 5, "~lte": 5}},
    {"closedAt": {"~isnull": True, "~neq": "x"}},  # null is not 'x'
    {"closedAt": {"~isnull": True, "~nin": ["x"]}},
    {"name": {"~isempty": True, "~lt": "a"}},  # '' sorts before 'a'
    {"tags": {"~in": ["vip"], "~contains": "vip"}},  # ['vip'] passes both
    {"tags": {"~in": ["vip"], "~starts": "v"}},  # 'vip'
    {"score": {"~gt": 5, "~neq": "a"}},
    {"a": {"~eq": 1}, "b": {"~eq": 2}},
    {"title": {"~regex": "^T", "~nregex": "x$"}},
    {"~and": []},
    {},
    None,
    {"p": {"~eq": "a"}, "{{context.event.message.payload.p}}": {"~eq": "a"}},
]


@pytest.mark.parametrize("filters", CAN_MATCH)
def test_a_filter_some_event_matches_has_no_lint(filters: Any) -> None:
    assert filter_lints(wf(filters)) == []


def test_one_field_read_two_ways_is_one_field() -> None:
    both = {"p": {"~eq": "a"}, "{{context.event.message.payload.p}}": {"~eq": "b"}}
    assert filter_lints(wf(both))[0][0] == "filters.{{context.event.message.payload.p}}.~eq"


def test_an_or_branch_that_can_never_match_in_a_filter_that_can() -> None:
    filters = {
        "~or": [
            {"priority": {"~eq": "urgent"}},
            anded({"priority": {"~eq": "high"}}, {"priority": {"~eq": "low"}}),
        ]
    }
    assert filter_lints(wf(filters)) == [
        (
            "filters.~or[1]",
            "this ~or branch can never match: filters.~or[1].~and[0].priority.~eq allows "
            "only 'high', so ~eq: 'low' can never hold",
        )
    ]


def test_a_filter_too_big_to_expand_is_checked_outside_its_ors() -> None:
    branches = [{"p": {"~eq": i}} for i in range(9)]
    ors = [{"~or": branches}, {"~or": branches}]
    assert len(branches) ** 2 > LIMIT
    outside = filter_lints(wf(anded(*ors, {"q": {"~in": []}})))
    assert [path for path, _ in outside] == ["filters.~and[2].q.~in"]
    across = anded(*ors, {"q": {"~eq": 1}}, {"~or": [{"q": {"~eq": 2}}]})
    assert filter_lints(wf(across)) == []  # taken to match: too many ways to try


# A step that can never run.


def test_a_step_whose_own_filter_can_never_match_and_its_dependents() -> None:
    dead = step(2, 1, filters={"p": {"~gt": 5, "~lt": 1}})
    found = step_lints(wf(None, step(1), dead, step(3, 2), step(4, 3), step(5, 1)))
    assert [path for path, _ in found] == [
        "workflowDefinition[1].filters.p.~lt",
        "workflowDefinition[2].dependencies[0]",
        "workflowDefinition[3].dependencies[0]",
    ]
    assert found[0][1].startswith("step 2 can never run: its filter can never match: ")
    assert found[1][1] == (
        "step 3 can never run: it depends on step 2, which can never run, so it is skipped"
    )


def test_a_step_whose_filter_contradicts_the_workflow_filter() -> None:
    workflow = wf({"priority": {"~eq": "urgent"}}, step(1, filters={"priority": {"~eq": "low"}}))
    assert step_lints(workflow) == [
        (
            "workflowDefinition[0].filters.priority.~eq",
            "step 1 can never run: its filter contradicts the workflow filter: "
            "filters.priority.~eq allows only 'urgent', so ~eq: 'low' can never hold",
        )
    ]


def test_steps_that_can_run_have_no_lint() -> None:
    workflow = wf(
        {"priority": {"~in": ["urgent", "high"]}},
        step(1, filters={"priority": {"~eq": "high"}}),
        step(2, 1),
        step(3, filters={"other": {"~eq": 1}}),
    )
    assert step_lints(workflow) == []


def test_a_workflow_that_never_triggers_is_named_once_not_per_step() -> None:
    workflow = wf({"p": {"~in": []}}, step(1, filters={"q": {"~eq": 1}}))
    assert step_lints(workflow) == []
    assert len(workflow_lints(workflow)) == 1


def test_a_cycle_is_left_to_validation() -> None:
    assert step_lints(wf(None, step(1, 2), step(2, 1))) == []


# A template naming a step result that is not there yet.


def test_a_template_naming_a_step_that_is_not_a_dependency() -> None:
    reads = step(2, input={"url": "{{context.steps.1.result.url}}"})
    assert reference_lints(wf(None, step(1), reads)) == [
        (
            "workflowDefinition[1].input.url",
            "{{context.steps.1.result.url}}: step 1 is not among the dependencies of step 2 "
            '(directly or through others), so it may not have finished; add "1" to its '
            "dependencies",
        )
    ]


def test_templates_naming_missing_or_own_steps() -> None:
    own = step(1, input={"a": "{{context.steps.1.result.a}}", "b": "{{context.steps.9.x}}"})
    found = dict(reference_lints(wf(None, own)))
    assert "cannot read its own result" in found["workflowDefinition[0].input.a"]
    assert "there is no step 9; steps: 1" in found["workflowDefinition[0].input.b"]


def test_results_of_dependencies_and_a_compensation_s_own_result_are_fine() -> None:
    undo = {"activity": {"uniqueIdentifier": "u"}, "input": {"id": "{{context.steps.2.result.id}}"}}
    workflow = wf(
        None,
        step(1),
        step(2, 1, compensationActivity=undo),
        step(3, 2, input={"x": "{{context.steps.1.result.x}}"}),  # through step 2
        step(4, 3, filters={"{{context.steps.3.result.ok}}": {"~eq": True}}),
    )
    assert reference_lints(workflow) == []


# A path the trigger event's schema does not have.

SCHEMA = {
    "type": "object",
    "properties": {
        "message": {
            "type": "object",
            "properties": {
                "actor": {"type": "object"},
                "payload": {
                    "type": "object",
                    "properties": {
                        "ticketId": {"type": "string"},
                        "ticket": {"$ref": "#/$defs/ticket"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "extra": {"type": "object", "additionalProperties": True},
                        "either": {
                            "anyOf": [
                                {"properties": {"a": {}}},
                                {"properties": {"b": {}}},
                            ]
                        },
                    },
                },
            },
        }
    },
    "$defs": {
        "ticket": {
            "allOf": [
                {"properties": {"title": {"type": "string"}}},
                {"properties": {"priority": {"type": "string"}}},
            ]
        }
    },
}
P = "context.event.message.payload"


def reads(template: str) -> dict[str, Any]:
    return wf(None, step(1, input={"v": f"{{{{{template}}}}}"}))


@pytest.mark.parametrize(
    ("template", "why"),
    [
        (
            f"{P}.ticket.titel",
            "has no 'titel' under 'message.payload.ticket'; did you mean 'title'?",
        ),
        (f"{P}.ticketID", "did you mean 'ticketId'?"),
        (f"{P}.zzz", "it has: either, extra, tags, ticket, ticketId"),
        (f"{P}.ticketId.length", "'message.payload.ticketId' is a string in the event schema"),
        (f"{P}.tags.0.name", "'message.payload.tags.0' is a string"),
        (f"{P}.either.c", "has no 'c' under 'message.payload.either'"),
        ("context.event.mesage.payload", "did you mean 'message'?"),
    ],
)
def test_a_template_path_the_event_schema_does_not_have(template: str, why: str) -> None:
    found = schema_lints(reads(template), SCHEMA)
    assert len(found) == 1 and found[0][0] == "workflowDefinition[0].input.v"
    assert found[0][1].startswith(f"{{{{{template}}}}}: ")
    assert why in found[0][1]


@pytest.mark.parametrize(
    "template",
    [
        f"{P}.ticket.title",
        f"{P}.ticket.priority",
        f"{P}.ticketId",
        f"{P}.tags.3",
        f"{P}.extra.anything.below",  # additionalProperties: true
        f"{P}.either.b",
        "context.event.message.actor.name",  # an object without properties may hold anything
        "context.event.name",  # the event's identity is not in its schema
        "context.steps.1.result.x",  # not the event's
        "context.elsewhere",
    ],
)
def test_a_template_path_the_schema_has_or_may_have(template: str) -> None:
    assert schema_lints(reads(template), SCHEMA) == []


def test_filter_fields_are_checked_and_named_as_written() -> None:
    workflow = wf(
        anded({"ticket.prority": {"~eq": "x"}}), step(1, filters={"ticketId": {"~eq": 1}})
    )
    assert schema_lints(workflow, SCHEMA) == [
        (
            "filters.~and[0].ticket.prority",
            "'ticket.prority': the event schema has no 'prority' under 'message.payload.ticket'; "
            "did you mean 'priority'?",
        )
    ]


def test_paths_an_annotation_loads_are_not_the_schema_s() -> None:
    annotation = {
        "entityType": "Ticket",
        "requiredFields": {"ticketId": f"{{{{{P}.ticketId}}}}"},
        "pathToAnnotate": f"{P}.ticket",
    }
    workflow = {**reads(f"{P}.ticket.account.tier"), "annotations": [annotation]}
    assert schema_lints(workflow, SCHEMA) == []
    typo = {**annotation, "requiredFields": {"ticketId": f"{{{{{P}.tiketId}}}}"}}
    assert schema_lints({**workflow, "annotations": [typo]}, SCHEMA)[0][0] == (
        "annotations[0].requiredFields.ticketId"
    )


def test_a_compensation_input_is_checked_too() -> None:
    undo = {"activity": {"uniqueIdentifier": "u"}, "input": {"t": f"{{{{{P}.ticket.titel}}}}"}}
    found = schema_lints(wf(None, step(1, compensationActivity=undo)), SCHEMA)
    assert [path for path, _ in found] == ["workflowDefinition[0].compensationActivity.input.t"]


def test_an_open_schema_reports_nothing() -> None:
    assert schema_lints(reads(f"{P}.anything"), {"type": "object"}) == []
    assert schema_lints(reads(f"{P}.anything"), {"$ref": "https://elsewhere/schema.json"}) == []
    assert workflow_lints(reads(f"{P}.anything")) == []  # no schema given
