"""The lints of ``spec.lints`` as rules of the registry: advisory unless a stack says otherwise.

    filter-never-matches      a workflow filter (or an ~or branch) that can never match
    step-never-runs           a step whose filter, or a dependency, keeps it from ever running
    step-result-too-early     a template reading a step's result before that step is sure to end
    event-schema-path         a path the trigger event's schema (registry snapshot) does not have

The last one runs only where the stack has a registry snapshot that holds the event's schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_thena.guardrails.registry import Finding, Rule, RuleContext, rule
from pulumi_thena.spec.lints import filter_lints, reference_lints, schema_lints, step_lints


@rule(
    "filter-never-matches",
    description="The workflow filter, or a branch of an ~or in it, can match some event.",
    fix="remove the contradiction (two different ~eq on one field, an empty ~in, bounds that "
    "leave no value), or the branch that can never hold",
)
def filter_never_matches(definition: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    return filter_lints(definition)


@rule(
    "step-never-runs",
    description="Every step can run: its filter can match (alone and with the workflow "
    "filter) and its dependencies can run.",
    fix="change the step's filter so that it can match the events the workflow takes, or its "
    "dependencies",
)
def step_never_runs(definition: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    return step_lints(definition)


@rule(
    "step-result-too-early",
    description="A template reads a step's result ({{context.steps.N...}}) only where step N "
    "has finished: N is among the step's dependencies, directly or through others.",
    fix="add the step to the dependencies of the step that reads its result, or read another value",
)
def step_result_too_early(definition: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    return reference_lints(definition)


@rule(
    "event-schema-path",
    description="The event paths a workflow reads (filters, templates) exist in its trigger "
    "event's schema, as the stack's registry snapshot has it.",
    fix="correct the path (the message names the closest one), or take a new snapshot with "
    "`thena-workflows registry snapshot --stack <stack>` if the event changed",
)
def event_schema_path(definition: Mapping[str, Any], context: RuleContext) -> list[Finding]:
    if context.event_schema is None:
        return []
    return schema_lints(definition, context.event_schema)


LINT_RULES: tuple[Rule, ...] = tuple(
    Rule(r.id, r.description, r.fix, r.check, r.level, r.options, lint=True, content_only=True)
    for r in (filter_never_matches, step_never_runs, step_result_too_early, event_schema_path)
)
