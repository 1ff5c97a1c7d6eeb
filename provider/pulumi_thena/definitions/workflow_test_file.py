"""The model of one workflow test file (``stacks/tests/*.yaml``), and its JSON Schema for editors.

A file holds ``cases``; strings may hold ``${var.NAME}``, read from the stack under test as in
definition files. Each case fires one event (``event``, with the entities annotations
would load, what steps return, which attempts fail and how waits are decided) at every
workflow a stack deploys, and says what it expects (``expect``): which workflows trigger, and
for each one named under ``workflows`` its status, steps, tasks, skipped steps, waits, inputs,
compensation and the templates allowed not to resolve. docs/workflow-tests.md describes it.

``render_test_schema`` gives ``stacks/workflow-test.schema.json``, which
``scripts/generate-schema`` writes with the definition file's (``definitions.schema``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final, Literal

from pydantic import BeforeValidator, Field, WithJsonSchema, field_validator, model_validator

from pulumi_thena.definitions.workflow_file import ResourceName
from pulumi_thena.models.base import Bool, DefinitionModel, FreeForm
from pulumi_thena.models.base import StepRef as WireStepRef

TEST_SCHEMA_FILE: Final = "stacks/workflow-test.schema.json"
EVERY_ATTEMPT: Final = "all"

ExecutionStatus = Literal[
    "PENDING",
    "SCHEDULED",
    "EXECUTING_ACTIVITIES",
    "FINISHED",
    "FAILED",
    "RETRYING",
    "COMPENSATING",
    "SUSPENDED",
]
TaskStatus = Literal[
    "SCHEDULED", "UNAUTHORIZED", "STARTED", "AWAITING_USER_INPUT", "FAILED", "FINISHED"
]
Decision = Literal["approve", "reject", "wake"]
"""The vocabularies of spec.statuses and spec.runs, spelled out for the schema (a test compares)."""


def _failing_attempts(value: Any) -> Any:
    if value == EVERY_ATTEMPT or (
        isinstance(value, int) and not isinstance(value, bool) and value >= 1
    ):
        return value
    raise ValueError(
        f"expected how many attempts fail: a whole number of at least 1, or 'all' (got {value!r})"
    )


FailingAttempts = Annotated[
    int | str,
    BeforeValidator(_failing_attempts),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"const": EVERY_ATTEMPT}]}),
]
Text = Annotated[str, Field(min_length=1)]
StepRef = Annotated[
    WireStepRef,
    WithJsonSchema({"type": ["integer", "string"], "description": "A stepIdentifier."}),
]
"""A step, written as a number or a string (``2`` or ``"2"``), held as a string."""


class WorkflowTestEvent(DefinitionModel):
    """The event fired: its registry name and what its message carries."""

    name: Text = Field(description="The event's name (or registry uid), e.g. ticket:created.")
    payload: FreeForm = Field(
        default_factory=dict,
        description="context.event.message.payload: what filters and templates read.",
    )
    actor: FreeForm | None = Field(default=None, description="context.event.message.actor.")
    message_attributes: FreeForm | None = Field(
        default=None, description="context.event.messageAttributes."
    )


class ExpectedTask(DefinitionModel):
    """One task of the run, in order; only the fields given are compared."""

    step: StepRef = Field(description="The task's stepIdentifier.")
    activity: str | None = Field(default=None, description="activity.uniqueIdentifier.")
    status: TaskStatus | None = None
    is_retry: Bool | None = Field(default=None, description="A second or later attempt.")
    is_compensation: Bool | None = Field(default=None, description="A compensation activity.")


class WorkflowExpectation(DefinitionModel):
    """What one workflow (named by its file stem) does with the event."""

    triggered: Bool = Field(
        default=True, description="false: the event must not trigger this workflow."
    )
    why: list[Text] | None = Field(
        default=None,
        description="With triggered: false, texts that must each appear in the reasons it did "
        "not trigger (e.g. the filter path, 'filters.ticket.priority').",
    )
    status: ExecutionStatus | None = Field(
        default=None, description="The execution's status when the run stops."
    )
    steps: list[StepRef] | None = Field(
        default=None,
        description="The steps that got a task, in the order they started (retries and "
        "compensations do not repeat a step): exactly these.",
    )
    tasks: list[ExpectedTask] | None = Field(
        default=None, description="Every task, retries and compensations too, in order."
    )
    skipped: dict[StepRef, str] | None = Field(
        default=None,
        description="The skipped steps, exactly these, each with a part of its reason ('' for "
        "any reason).",
    )
    waits: list[StepRef] | None = Field(
        default=None, description="The steps waiting (approval or sleep) when the run stops."
    )
    inputs: dict[StepRef, FreeForm] | None = Field(
        default=None,
        description="A step's resolved input; only the fields given are compared (at any depth).",
    )
    compensation: list[StepRef] | None = Field(
        default=None, description="The steps compensated, in the order compensation ran."
    )
    unresolved: list[Text] | None = Field(
        default=None,
        description="Templates allowed not to resolve, e.g. context.steps.1.result.url (by "
        "default none may: an unresolved template fails the case).",
    )

    @model_validator(mode="after")
    def _why_only_when_not_triggered(self) -> WorkflowExpectation:
        if self.why is not None and self.triggered:
            raise ValueError("'why' says why a workflow did not trigger; add 'triggered: false'")
        if not self.triggered:
            given = self.model_fields_set - {"triggered", "why"}
            if given:
                raise ValueError(
                    f"a workflow that does not trigger has no {', '.join(sorted(given))}; "
                    "remove them, or remove 'triggered: false'"
                )
        return self


class Expectation(DefinitionModel):
    """What must happen: which workflows trigger, and what named ones do."""

    triggers: list[ResourceName] | None = Field(
        default=None,
        description="The workflows (file stems) the event triggers: exactly these.",
    )
    workflows: dict[ResourceName, WorkflowExpectation] = Field(
        default_factory=dict, description="By file stem: what that workflow does."
    )

    @model_validator(mode="after")
    def _says_something(self) -> Expectation:
        if self.triggers is None and not self.workflows:
            raise ValueError(
                "an expectation that names nothing cannot fail; give 'triggers' or 'workflows'"
            )
        return self


class WorkflowTestCase(DefinitionModel):
    """One event fired at the stack's workflows, and what must come of it."""

    name: Text = Field(description="Unique in the file; the JUnit test name.")
    stacks: list[Text] | None = Field(
        default=None,
        description="The stacks this case is for (default: every stack); others skip it.",
    )
    event: WorkflowTestEvent
    entities: FreeForm = Field(
        default_factory=dict,
        description="What annotations load, by entityType or pathToAnnotate.",
    )
    results: dict[StepRef, FreeForm] = Field(
        default_factory=dict,
        description="What a step returns (default {}), read as {{context.steps.N.result...}}.",
    )
    failures: dict[StepRef, FailingAttempts] = Field(
        default_factory=dict,
        description="How many attempts of a step fail: a number, or 'all'.",
    )
    decisions: dict[StepRef, Decision] = Field(
        default_factory=dict,
        description="How a wait is decided: approve or reject an approval, wake a sleep. "
        "A wait without a decision stops the run (SUSPENDED).",
    )
    expect: Expectation

    def failing_attempts(self) -> dict[str, int | None]:
        """``failures`` as ``spec.runs`` takes it: None for every attempt."""
        return {
            step: None if count == EVERY_ATTEMPT else int(count)
            for step, count in self.failures.items()
        }


class WorkflowTestFile(DefinitionModel):
    """A workflow test file: one or more cases."""

    cases: list[WorkflowTestCase] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _unique_names(cls, cases: list[WorkflowTestCase]) -> list[WorkflowTestCase]:
        names = [case.name for case in cases]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"case names must be unique in a file: {', '.join(twice)}")
        return cases


def workflow_test_schema() -> dict[str, Any]:
    """The JSON Schema of ``stacks/tests/*.yaml``."""
    schema = WorkflowTestFile.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "thena-workflows test file",
        "description": "Cases for `thena-workflows test`: an event fired at a stack's workflows "
        "and what must come of it (docs/workflow-tests.md).",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def render_test_schema() -> str:
    """The schema as the committed file holds it: two-space JSON with a final newline."""
    return json.dumps(workflow_test_schema(), indent=2, ensure_ascii=False) + "\n"
