"""Create bodies for the differential test: valid ones (hypothesis), and one-mistake mutations.

A valid body uses every shape docs/api.md allows: each approver shape of U-23, pinned and
floating activities of the emulator's registry, compensation, filters with every operator,
annotations, numbers written as whole floats, dependencies as strings or numbers. A mutation
makes exactly one mistake in such a body and names the field path it breaks.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from pulumi_thena.emulator.registry import default_activities, default_events
from pulumi_thena.spec.operators import LOGICAL_OPERATORS, OPERATOR_CATEGORIES
from tests.strategies import json_objects

SLEEP = "workflows:sleep-platform"
EVENTS = default_events()
ACTIVITY_VERSIONS: dict[str, list[int]] = {}
for _entry in default_activities():
    ACTIVITY_VERSIONS.setdefault(_entry["uniqueIdentifier"], []).append(_entry["version"])
ACTIVITIES = sorted(ACTIVITY_VERSIONS)
WORKING_ACTIVITIES = [a for a in ACTIVITIES if a != SLEEP]

Body = dict[str, Any]

texts = st.text(min_size=1, max_size=12)
scalars = st.one_of(st.integers(-50, 50), st.text(max_size=6), st.booleans())


def _operand(op: str) -> st.SearchStrategy[Any]:
    kind = OPERATOR_CATEGORIES[op][1]
    if kind == "array":
        return st.lists(scalars, max_size=3)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return st.sampled_from(["^T", "urgent", "a.b", "[0-9]+"])
    return scalars


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    ops = draw(st.lists(st.sampled_from(sorted(OPERATOR_CATEGORIES)), min_size=1, max_size=2))
    return {op: draw(_operand(op)) for op in ops}


field_refs = st.sampled_from(["priority", "ticket.status", "{{context.name}}", "team.id"])
filters = st.one_of(
    st.dictionaries(field_refs, conditions(), max_size=2),
    st.builds(
        lambda op, items: {op: items},
        st.sampled_from(LOGICAL_OPERATORS),
        st.lists(
            st.dictionaries(field_refs, conditions(), min_size=1, max_size=2),
            min_size=1,
            max_size=2,
        ),
    ),
)


def _number(value: int) -> st.SearchStrategy[Any]:
    """The number as an int or as a whole float (how values come back through Pulumi's RPC)."""
    return st.sampled_from([value, float(value)])


@st.composite
def activity_refs(draw: st.DrawFn, identifiers: list[str] = ACTIVITIES) -> dict[str, Any]:
    identifier = draw(st.sampled_from(identifiers))
    ref: dict[str, Any] = {"uniqueIdentifier": identifier}
    pinned = draw(st.sampled_from(["no", "version", "auto-off", "auto-on"]))
    if pinned != "no":
        ref["version"] = draw(_number(draw(st.sampled_from(ACTIVITY_VERSIONS[identifier]))))
    if pinned == "auto-off":
        ref["autoUpgradeToLatestVersion"] = False
    elif pinned == "auto-on":
        ref["autoUpgradeToLatestVersion"] = True
    return ref


@st.composite
def approvals(draw: st.DrawFn) -> dict[str, Any]:
    """No approval, or ``requireApproval: true`` with an approver in one of the U-23 shapes."""
    shape = draw(st.sampled_from(["none", "string", "type-id", "type-uid-timeout", "required"]))
    timeout = draw(st.integers(1, 86400))
    kind = draw(st.sampled_from(["USER", "TEAM"]))
    if shape == "none":
        return {}
    if shape == "required":
        return {"requireApproval": True}
    if shape == "string":
        return {"requireApproval": True, "approver": "user-1", "approverType": kind}
    if shape == "type-id":
        return {
            "requireApproval": True,
            "approver": {"type": kind, "id": "user-2"},
            "approvalTimeout": timeout,
        }
    return {
        "requireApproval": True,
        "approver": {"type": kind, "uid": "team-3", "timeout": timeout},
    }


@st.composite
def steps(draw: st.DrawFn, sid: int, earlier: list[int]) -> dict[str, Any]:
    sleep = draw(st.booleans()) and draw(st.booleans())
    activity = {"uniqueIdentifier": SLEEP} if sleep else draw(activity_refs(WORKING_ACTIVITIES))
    step: dict[str, Any] = {"stepIdentifier": draw(_number(sid)), "activity": activity}
    optional: dict[str, st.SearchStrategy[Any]] = {
        "input": json_objects,
        "retryPolicy": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {},
                optional={
                    "maximumAttempts": st.integers(1, 9),
                    "initialInterval": st.integers(0, 30),
                    "backoffCoefficient": st.sampled_from([1, 1.5, 2]),
                },
            ),
        ),
        "onFailure": st.sampled_from(["ABORT", "CONTINUE", "COMPENSATE"]),
        "executionTimeout": st.one_of(st.none(), st.integers(1, 3600), st.just(2.5)),
        "filters": filters,
        "compensationActivity": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {"activity": activity_refs(WORKING_ACTIVITIES)}, optional={"input": json_objects}
            ),
        ),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            step[name] = draw(strategy)
    if sleep or draw(st.booleans()):
        step["isSleepActivity"] = sleep
    if earlier and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3))
        step["dependencies"] = [draw(st.sampled_from([str(d), d])) for d in chosen]
    step.update(draw(approvals()))
    return step


annotations = st.fixed_dictionaries(
    {
        "entityType": st.sampled_from(["Ticket", "Account"]),
        "requiredFields": st.dictionaries(texts, st.text(max_size=10), max_size=2),
        "pathToAnnotate": st.just("context.event.message.payload.ticket"),
    },
    optional={"relations": st.lists(st.sampled_from(["account", "account.owner"]), max_size=2)},
)


@st.composite
def valid_bodies(draw: st.DrawFn) -> Body:
    """A create body both the models and the emulator must accept."""
    ids = draw(st.lists(st.integers(0, 60), min_size=1, max_size=5, unique=True))
    made = [draw(steps(sid, ids[:position])) for position, sid in enumerate(ids)]
    event = draw(st.sampled_from(EVENTS))
    body: Body = {
        "name": draw(st.text(min_size=1, max_size=20)),
        "triggerEvent": event[draw(st.sampled_from(["uid", "eventName"]))],
        "executingAgent": draw(texts),
        "workflowDefinition": draw(st.permutations(made)),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "type": st.sampled_from(["MANUAL", "WORKFLOW"]),
        "subType": st.sampled_from(["WORKFLOW", "AI_AGENT"]),
        "filters": filters,
        "annotations": st.lists(annotations, max_size=2),
        "teamId": st.one_of(st.none(), texts),
        "metadata": json_objects,
        "isActive": st.booleans(),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            body[name] = draw(strategy)
    return body


# -- one mistake -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One mistake: its label, the dotted path it breaks (``{i}`` is the step's index), how."""

    label: str
    path: str
    """``{i}`` is the index of the step changed, ``{later}`` the later of two steps compared."""
    apply: Callable[[Body, int], None]
    """Changes the body in place; the int is the index of a step no other step depends on."""

    def __call__(self, body: Body) -> tuple[Body, str]:
        mutated = copy.deepcopy(body)
        index = leaf_index(mutated)
        self.apply(mutated, index)
        return mutated, self.path.format(i=index, later=max(index, 1))


def leaf_index(body: Body) -> int:
    """The index of a step that no other step depends on (there is always one: no cycles)."""
    steps = body["workflowDefinition"]
    needed = {str(dep) for step in steps for dep in step.get("dependencies", [])}
    for index, step in enumerate(steps):
        if str(int(step["stepIdentifier"])) not in needed:
            return index
    raise AssertionError("a valid body has a step nothing depends on")


def _step(body: Body, index: int) -> dict[str, Any]:
    step: dict[str, Any] = body["workflowDefinition"][index]
    return step


def _set(name: str, value: Any) -> Callable[[Body, int], None]:
    return lambda body, _: body.__setitem__(name, value)


def _drop(name: str) -> Callable[[Body, int], None]:
    return lambda body, _: body.pop(name)


def _set_step(name: str, value: Any) -> Callable[[Body, int], None]:
    return lambda body, index: _step(body, index).__setitem__(name, value)


def _set_activity(name: str, value: Any) -> Callable[[Body, int], None]:
    return lambda body, index: _step(body, index)["activity"].__setitem__(name, value)


def _with_approval(**fields: Any) -> Callable[[Body, int], None]:
    def apply(body: Body, index: int) -> None:
        step = _step(body, index)
        for name in ("approver", "approverType", "approvalTimeout"):
            step.pop(name, None)
        step.update({"requireApproval": True, "approver": "user-1", **fields})

    return apply


def _sleep_on_a_working_activity(body: Body, index: int) -> None:
    _step(body, index).update(activity={"uniqueIdentifier": "http:webhook"}, isSleepActivity=True)


def _duplicate_identifier(body: Body, index: int) -> None:
    steps = body["workflowDefinition"]
    if len(steps) == 1:
        steps.append(copy.deepcopy(steps[0]))  # the copy is the later, refused one
        return
    other = 0 if index else 1  # so the later of the two is max(index, 1)
    steps[index]["stepIdentifier"] = steps[other]["stepIdentifier"]


def _cycle(body: Body, index: int) -> None:
    steps = body["workflowDefinition"]
    leaf = steps[index]
    if len(steps) == 1:
        leaf["dependencies"] = [str(int(leaf["stepIdentifier"]) + 1)]
        steps.append(
            {
                "stepIdentifier": int(leaf["stepIdentifier"]) + 1,
                "activity": {"uniqueIdentifier": "http:webhook"},
                "dependencies": [str(int(leaf["stepIdentifier"]))],
            }
        )
        return
    other = next(i for i in range(len(steps)) if i != index)
    leaf["dependencies"] = [str(int(steps[other]["stepIdentifier"]))]
    steps[other]["dependencies"] = [str(int(leaf["stepIdentifier"]))]


def _depend_on(dependency: Any) -> Callable[[Body, int], None]:
    return lambda body, index: _step(body, index).__setitem__("dependencies", [dependency])


def _depend_on_itself(body: Body, index: int) -> None:
    _step(body, index)["dependencies"] = [str(int(_step(body, index)["stepIdentifier"]))]


def _depend_twice(body: Body, index: int) -> None:
    steps = body["workflowDefinition"]
    if len(steps) == 1:
        steps.append({"stepIdentifier": 999, "activity": {"uniqueIdentifier": "http:webhook"}})
    other = next(i for i in range(len(steps)) if i != index)
    ref = str(int(steps[other]["stepIdentifier"]))
    _step(body, index)["dependencies"] = [ref, ref]


def _python_name(body: Body, index: int) -> None:
    step = _step(body, index)
    step["step_identifier"] = step.pop("stepIdentifier")


def _bad_compensation(value: Any) -> Callable[[Body, int], None]:
    return _set_step("compensationActivity", value)


S = "workflowDefinition.{i}"
MUTATIONS: list[Mutation] = [
    Mutation("name missing", "name", _drop("name")),
    Mutation("name empty", "name", _set("name", "")),
    Mutation("name not a string", "name", _set("name", 7)),
    Mutation("triggerEvent missing", "triggerEvent", _drop("triggerEvent")),
    Mutation("triggerEvent unknown", "triggerEvent", _set("triggerEvent", "ticket:craeted")),
    Mutation("executingAgent missing", "executingAgent", _drop("executingAgent")),
    Mutation("executingAgent empty", "executingAgent", _set("executingAgent", "")),
    Mutation("workflowDefinition missing", "workflowDefinition", _drop("workflowDefinition")),
    Mutation("workflowDefinition empty", "workflowDefinition", _set("workflowDefinition", [])),
    Mutation(
        "workflowDefinition not an array", "workflowDefinition", _set("workflowDefinition", {})
    ),
    Mutation("type empty", "type", _set("type", "")),
    Mutation("unknown field", "colour", _set("colour", "blue")),
    Mutation("filters not an object", "filters", _set("filters", ["priority"])),
    Mutation("filters unknown operator", "filters", _set("filters", {"p": {"~equals": 1}})),
    Mutation("filters ill-shaped operand", "filters", _set("filters", {"p": {"~in": "high"}})),
    Mutation("teamId not a string", "teamId", _set("teamId", 5)),
    Mutation("metadata not an object", "metadata", _set("metadata", [1])),
    Mutation("metadata null", "metadata", _set("metadata", None)),
    Mutation("isActive not a boolean", "isActive", _set("isActive", "yes")),
    Mutation(
        "annotation without requiredFields",
        "annotations.0.requiredFields",
        _set("annotations", [{"entityType": "Ticket", "pathToAnnotate": "context.x"}]),
    ),
    Mutation(
        "stepIdentifier missing",
        f"{S}.stepIdentifier",
        lambda b, i: _step(b, i).pop("stepIdentifier"),
    ),
    Mutation(
        "stepIdentifier not a number", f"{S}.stepIdentifier", _set_step("stepIdentifier", "x")
    ),
    Mutation("stepIdentifier fractional", f"{S}.stepIdentifier", _set_step("stepIdentifier", 1.5)),
    Mutation("stepIdentifier negative", f"{S}.stepIdentifier", _set_step("stepIdentifier", -1)),
    Mutation("stepIdentifier python name", f"{S}.step_identifier", _python_name),
    Mutation(
        "stepIdentifier used twice",
        "workflowDefinition.{later}.stepIdentifier",
        _duplicate_identifier,
    ),
    Mutation("dependency missing", f"{S}.dependencies.0", _depend_on("404")),
    Mutation("dependency on itself", f"{S}.dependencies.0", _depend_on_itself),
    Mutation("dependency twice", f"{S}.dependencies", _depend_twice),
    Mutation("dependency a boolean", f"{S}.dependencies.0", _depend_on(True)),
    Mutation("dependencies form a cycle", "workflowDefinition", _cycle),
    Mutation("activity missing", f"{S}.activity", lambda b, i: _step(b, i).pop("activity")),
    Mutation(
        "activity identifier empty",
        f"{S}.activity.uniqueIdentifier",
        _set_activity("uniqueIdentifier", ""),
    ),
    Mutation(
        "activity unknown",
        f"{S}.activity.uniqueIdentifier",
        _set_activity("uniqueIdentifier", "http:webhok"),
    ),
    Mutation("activity with a name", f"{S}.activity.name", _set_activity("name", "Call a webhook")),
    Mutation(
        "pinned without version",
        f"{S}.activity.version",
        lambda b, i: _step(b, i).__setitem__(
            "activity", {"uniqueIdentifier": "http:webhook", "autoUpgradeToLatestVersion": False}
        ),
    ),
    Mutation("version not in registry", f"{S}.activity.version", _set_activity("version", 99)),
    Mutation("version fractional", f"{S}.activity.version", _set_activity("version", 1.5)),
    Mutation(
        "autoUpgrade not a boolean",
        f"{S}.activity.autoUpgradeToLatestVersion",
        _set_activity("autoUpgradeToLatestVersion", "no"),
    ),
    Mutation("input not an object", f"{S}.input", _set_step("input", "text")),
    Mutation("input null", f"{S}.input", _set_step("input", None)),
    Mutation("retryPolicy not an object", f"{S}.retryPolicy", _set_step("retryPolicy", 3)),
    Mutation(
        "retryPolicy unknown field",
        f"{S}.retryPolicy.maxAttempts",
        _set_step("retryPolicy", {"maxAttempts": 3}),
    ),
    Mutation(
        "maximumAttempts 0",
        f"{S}.retryPolicy.maximumAttempts",
        _set_step("retryPolicy", {"maximumAttempts": 0}),
    ),
    Mutation(
        "initialInterval negative",
        f"{S}.retryPolicy.initialInterval",
        _set_step("retryPolicy", {"initialInterval": -1}),
    ),
    Mutation(
        "backoffCoefficient below 1",
        f"{S}.retryPolicy.backoffCoefficient",
        _set_step("retryPolicy", {"backoffCoefficient": 0.5}),
    ),
    Mutation("onFailure unknown", f"{S}.onFailure", _set_step("onFailure", "EXPLODE")),
    Mutation("executionTimeout 0", f"{S}.executionTimeout", _set_step("executionTimeout", 0)),
    Mutation(
        "executionTimeout not a number",
        f"{S}.executionTimeout",
        _set_step("executionTimeout", "1m"),
    ),
    Mutation(
        "isSleepActivity not a boolean", f"{S}.isSleepActivity", _set_step("isSleepActivity", "yes")
    ),
    Mutation(
        "sleep step on another activity",
        f"{S}.activity.uniqueIdentifier",
        _sleep_on_a_working_activity,
    ),
    Mutation(
        "requireApproval not a boolean",
        f"{S}.requireApproval",
        _set_step("requireApproval", "true"),
    ),
    Mutation(
        "approver without requireApproval",
        f"{S}.requireApproval",
        lambda b, i: _step(b, i).update(requireApproval=False, approver="user-1"),
    ),
    Mutation("approver a number", f"{S}.approver", _with_approval(approver=7)),
    Mutation("approver empty string", f"{S}.approver", _with_approval(approver="")),
    Mutation(
        "approver type unknown",
        f"{S}.approver.type",
        _with_approval(approver={"type": "GROUP", "uid": "g"}),
    ),
    Mutation(
        "approver without uid", f"{S}.approver.uid", _with_approval(approver={"type": "USER"})
    ),
    Mutation(
        "approver unknown field",
        f"{S}.approver.name",
        _with_approval(approver={"uid": "u", "name": "n"}),
    ),
    Mutation("approverType unknown", f"{S}.approverType", _with_approval(approverType="ADMIN")),
    Mutation("approvalTimeout 0", f"{S}.approvalTimeout", _with_approval(approvalTimeout=0)),
    Mutation(
        "step filters unknown operator", f"{S}.filters", _set_step("filters", {"p": {"~like": "x"}})
    ),
    Mutation(
        "compensation without activity", f"{S}.compensationActivity.activity", _bad_compensation({})
    ),
    Mutation(
        "compensation activity unknown",
        f"{S}.compensationActivity.activity.uniqueIdentifier",
        _bad_compensation({"activity": {"uniqueIdentifier": "no:such"}}),
    ),
    Mutation("step unknown field", f"{S}.colour", _set_step("colour", "blue")),
]
MUTATIONS_BY_LABEL = {mutation.label: mutation for mutation in MUTATIONS}
