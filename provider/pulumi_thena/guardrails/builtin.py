"""The built-in guardrails: what a production support workflow should hold to, as rules.

    approval-before-destructive   a step that closes, deletes or archives waits for an approval
    retry-on-external             a step that calls out (HTTP, Slack, email) retries
    no-clear-credentials          no credential written in clear in a step input
    compensate-needs-compensation onFailure: COMPENSATE has a compensation to run
    max-steps                     at most so many steps
    workflow-names                no spaces around a name, at most 100 characters
    unique-workflow-names         one name per workflow within a team (mandatory by default)

Each reads the canonical wire definition (steps by identifier, defaults filled in, secrets as
``[secret]``); paths name fields of that definition. Activity lists are ``fnmatch`` patterns
(``*:delete-*``), matched against the activity's ``uniqueIdentifier``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from pulumi_thena.guardrails.credentials import REDACTED, credential_kind, names_a_secret
from pulumi_thena.guardrails.registry import (
    Finding,
    Level,
    Rule,
    RuleContext,
    WorkflowRef,
    content_only,
    rule,
)
from pulumi_thena.spec.graph import step_ref
from pulumi_thena.spec.steps import approval, compensation, is_sleep, on_failure

DESTRUCTIVE_ACTIVITIES = ["*:delete-*", "*:close-*", "*:archive-*"]
EXTERNAL_ACTIVITIES = ["http:*", "slack:*", "email:*"]


def _steps(definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    steps = definition.get("workflowDefinition")
    return [s for s in steps if isinstance(s, Mapping)] if isinstance(steps, list) else []


def _activity(step: Mapping[str, Any]) -> str:
    activity = step.get("activity")
    return str(activity.get("uniqueIdentifier", "")) if isinstance(activity, Mapping) else ""


def _matching(activity: str, patterns: Sequence[str]) -> str | None:
    return next((p for p in patterns if fnmatchcase(activity, str(p))), None)


def _ancestors(steps: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Each step's dependencies, direct or through others (a cycle is validation's to report)."""
    direct = {
        step_ref(s.get("stepIdentifier")): {step_ref(d) for d in s.get("dependencies") or []}
        for s in steps
    }
    found: dict[str, set[str]] = {}

    def visit(ref: str, seen: frozenset[str]) -> set[str]:
        if ref in found:
            return found[ref]
        result = set(direct.get(ref, set()))
        for dep in direct.get(ref, set()) - seen:
            result |= visit(dep, seen | {ref})
        found[ref] = result
        return result

    for ref in direct:
        visit(ref, frozenset())
    return found


# -- approval-before-destructive -----------------------------------------------------------


@rule(
    "approval-before-destructive",
    description="A step that runs a destructive activity (one that closes, deletes or archives) "
    "waits for a person's approval, on itself or on a step it depends on.",
    fix="set requireApproval: true and an approver on the step, or on a step it depends on "
    "whose onFailure is ABORT or COMPENSATE (a rejection under CONTINUE lets dependents run)",
    options={"activities": DESTRUCTIVE_ACTIVITIES},
)
def approval_before_destructive(
    definition: Mapping[str, Any], context: RuleContext
) -> Iterator[Finding]:
    steps = _steps(definition)
    before = _ancestors(steps)
    gates = {
        step_ref(s.get("stepIdentifier"))
        for s in steps
        if approval(s) is not None and on_failure(s) != "CONTINUE"
    }
    for index, step in enumerate(steps):
        activity = _activity(step)
        pattern = _matching(activity, context.options["activities"])
        if pattern is None or approval(step) is not None:
            continue
        ref = step_ref(step.get("stepIdentifier"))
        if before.get(ref, set()) & gates:
            continue
        yield (
            f"workflowDefinition[{index}].requireApproval",
            f"step {ref} runs '{activity}', a destructive activity (it matches '{pattern}'), "
            "and neither it nor a step it depends on waits for an approval",
        )


# -- retry-on-external ---------------------------------------------------------------------


@rule(
    "retry-on-external",
    description="A step that calls a service outside Thena (a webhook, Slack, email) has a "
    "retry policy, so that a passing outage does not fail the run.",
    fix="add retryPolicy: {maximumAttempts: 3, initialInterval: 2, backoffCoefficient: 2} "
    "to the step (maximumAttempts counts the first attempt)",
    options={"activities": EXTERNAL_ACTIVITIES, "minimumAttempts": 2},
)
def retry_on_external(definition: Mapping[str, Any], context: RuleContext) -> Iterator[Finding]:
    minimum = int(context.options["minimumAttempts"])
    for index, step in enumerate(_steps(definition)):
        activity = _activity(step)
        if is_sleep(step) or _matching(activity, context.options["activities"]) is None:
            continue
        ref = step_ref(step.get("stepIdentifier"))
        policy = step.get("retryPolicy")
        attempts = policy.get("maximumAttempts") if isinstance(policy, Mapping) else None
        where = f"workflowDefinition[{index}].retryPolicy"
        if not isinstance(policy, Mapping) or not policy:
            yield where, f"step {ref} calls '{activity}' and has no retry policy"
        elif not isinstance(attempts, int | float) or attempts < minimum:
            said = "no maximumAttempts" if attempts is None else f"maximumAttempts {attempts}"
            yield (
                f"{where}.maximumAttempts",
                f"step {ref} calls '{activity}' with {said}; this stack asks for at least "
                f"{minimum} attempts",
            )


# -- no-clear-credentials ------------------------------------------------------------------


@rule(
    "no-clear-credentials",
    description="No step input holds a credential in clear: a token, a password, an "
    "Authorization header, a key in a URL. Secrets come from the stack as ${secret.NAME}.",
    fix="store the value encrypted with `pulumi config set --secret --path "
    "'thena-workflows:secrets.NAME' <value>` and write ${secret.NAME} in its place; "
    "then revoke the value that was in clear",
)
def no_clear_credentials(definition: Mapping[str, Any], context: RuleContext) -> Iterator[Finding]:
    for index, step in enumerate(_steps(definition)):
        where = f"workflowDefinition[{index}]"
        yield from _clear_credentials(step.get("input"), f"{where}.input", "input")
        undo = compensation(step)
        if undo is not None:
            yield from _clear_credentials(
                undo.get("input"), f"{where}.compensationActivity.input", "input"
            )


def _clear_credentials(value: Any, path: str, key: str) -> Iterator[Finding]:
    if isinstance(value, Mapping):
        for name, item in value.items():
            yield from _clear_credentials(item, f"{path}.{name}", str(name))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from _clear_credentials(item, f"{path}[{position}]", key)
    elif isinstance(value, str) and REDACTED not in value:
        why = _credential_in(key, value)
        if why is not None:
            yield path, why


def _credential_in(key: str, value: str) -> str | None:
    kind = credential_kind(value)
    if kind is not None:
        return f"holds {kind} in clear"
    if not names_a_secret(key) or not value.strip() or "{{" in value:
        return None  # a template is filled in at run time, from the run's context
    if "${var." in value:
        return (
            f"'{key}' names a secret, and its value comes from a stack variable, which is "
            "stored in clear in the stack file and in state"
        )
    return f"'{key}' names a secret, and its value is written in clear"


# -- compensate-needs-compensation ---------------------------------------------------------


@rule(
    "compensate-needs-compensation",
    description="A step with onFailure: COMPENSATE has a compensation to run: another step "
    "that can finish before it has a compensationActivity.",
    fix="give a step that runs before this one a compensationActivity, or use onFailure: "
    "ABORT (nothing to undo)",
)
def compensate_needs_compensation(
    definition: Mapping[str, Any], context: RuleContext
) -> Iterator[Finding]:
    steps = _steps(definition)
    before = _ancestors(steps)
    undoable = {step_ref(s.get("stepIdentifier")) for s in steps if compensation(s) is not None}
    for index, step in enumerate(steps):
        if on_failure(step) != "COMPENSATE":
            continue
        ref = step_ref(step.get("stepIdentifier"))
        after = {other for other, deps in before.items() if ref in deps}
        if undoable - after - {ref}:
            continue
        yield (
            f"workflowDefinition[{index}].onFailure",
            f"step {ref} compensates on failure, but no step that can finish before it has a "
            "compensationActivity, so a failure undoes nothing",
        )


# -- max-steps -----------------------------------------------------------------------------


@rule(
    "max-steps",
    description="A workflow has at most so many steps (option 'maximum'); a longer one is "
    "hard to review and to reason about when it fails.",
    fix="split the workflow in two, or raise the stack's maximum",
    options={"maximum": 20},
)
def max_steps(definition: Mapping[str, Any], context: RuleContext) -> Iterator[Finding]:
    maximum = int(context.options["maximum"])
    count = len(_steps(definition))
    if count > maximum:
        yield "workflowDefinition", f"has {count} steps; this stack allows at most {maximum}"


# -- workflow-names, unique-workflow-names ---------------------------------------------------


@rule(
    "workflow-names",
    description="A workflow's name has no spaces at either end and is at most 100 characters "
    "long (option 'maxLength').",
    fix="trim the name, or shorten it to the stack's limit",
    options={"maxLength": 100},
)
def workflow_names(definition: Mapping[str, Any], context: RuleContext) -> Iterator[Finding]:
    name = definition.get("name")
    if not isinstance(name, str):
        return
    if name != name.strip():
        yield "name", f"workflow name {name!r} starts or ends with white space"
    limit = int(context.options["maxLength"])
    if len(name) > limit:
        yield "name", f"workflow name is {len(name)} characters long; at most {limit} are allowed"


@rule(
    "unique-workflow-names",
    description="No two workflows of a stack have the same name in the same team.",
    fix="give each workflow its own name",
    level=Level.MANDATORY,
)
def unique_workflow_names(definition: Mapping[str, Any], context: RuleContext) -> Iterator[Finding]:
    first = _first_of_each_name(context.workflows).get(_name_key(definition))
    # Only a workflow after another of its name is the duplicate: the first one is not.
    if first is not None and first != context.workflow:
        name = definition.get("name")
        yield "name", f"workflow name '{name}' is already used by {first} for the same team"


_NameKey = tuple[Any, Any]
_first_names: tuple[Sequence[WorkflowRef], dict[_NameKey, str]] | None = None


def _name_key(definition: Mapping[str, Any]) -> _NameKey:
    name, team = definition.get("name"), definition.get("teamId")
    return (name if isinstance(name, Hashable) else repr(name)), (
        team if isinstance(team, Hashable) else repr(team)
    )


def _first_of_each_name(workflows: Sequence[WorkflowRef]) -> dict[_NameKey, str]:
    """(name, teamId) -> the first workflow with them, for the stack's workflows.

    Every rule context of one evaluation shares the same sequence, so the index is built once
    per evaluation (kept for the last sequence seen), not once per workflow: the rule costs
    O(N) over a stack instead of O(N²).
    """
    global _first_names
    cached = _first_names  # one read: another thread may replace it meanwhile
    if cached is None or cached[0] is not workflows:
        index: dict[_NameKey, str] = {}
        for other in workflows:
            index.setdefault(_name_key(other.definition), other.name)
        cached = _first_names = (workflows, index)
    return cached[1]


BUILTIN_RULES: tuple[Rule, ...] = (
    *content_only(
        approval_before_destructive,
        retry_on_external,
        no_clear_credentials,
        compensate_needs_compensation,
        max_steps,
        workflow_names,
    ),
    unique_workflow_names,  # reads the stack's other workflows
)
