"""What a user writes: a workflow definition, validated strictly and kept in canonical order.

Defaults are the server's documented (or SPEC-assumed) defaults, filled in so that a field left
out and the same field written with its default value compare equal. ``canonical()`` sorts
set-like arrays and orders steps by ``stepIdentifier``, so the order a user writes them in never
shows as a change.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pulumi_thena.models.base import Bool, DefinitionModel, FreeForm, Int, Number, StepRef
from pulumi_thena.models.fields import DEFINITION_FIELDS
from pulumi_thena.spec.graph import ref_sort_key

OnFailure = Literal["ABORT", "CONTINUE", "COMPENSATE"]

DEFAULT_TYPE = "MANUAL"
DEFAULT_SUB_TYPE = "WORKFLOW"
SLEEP_ACTIVITY = "workflows:sleep-platform"
DEFAULT_APPROVER_TYPE = "USER"
"""The first value of the approver type enum (docs/api.md §8, U-23): what a type left out means."""


class ActivityRef(DefinitionModel):
    """Which registry activity a step runs, optionally pinned to a version."""

    unique_identifier: str = Field(min_length=1)
    auto_upgrade_to_latest_version: Bool = True
    version: Int | None = None


class RetryPolicy(DefinitionModel):
    """Temporal-style retries of a failing activity (intervals in seconds)."""

    maximum_attempts: Int | None = Field(default=None, ge=1)
    initial_interval: Number | None = Field(default=None, ge=0)
    backoff_coefficient: Number | None = Field(default=None, ge=1)


class CompensationActivity(DefinitionModel):
    """The undo action of a step, run in reverse order when a later step fails with COMPENSATE."""

    activity: ActivityRef
    input: FreeForm = Field(default_factory=dict)


class Annotation(DefinitionModel):
    """Loads a platform entity into the execution context before filters and steps run."""

    entity_type: str = Field(min_length=1)
    required_fields: dict[str, str]
    relations: list[str] = Field(default_factory=list)
    path_to_annotate: str = Field(min_length=1)


class Approver(DefinitionModel):
    """Who approves the step: a USER or a TEAM by its id (uid), and the seconds they have."""

    # The documented shape (docs/api.md U-23). ``id`` is an older object shape's name for
    # ``uid`` (with ``approvalTimeout`` on the step); canonical form always holds ``uid``.

    type: str = Field(
        default=DEFAULT_APPROVER_TYPE, pattern=r"^[A-Z][A-Z_]*$", examples=["USER", "TEAM"]
    )
    uid: str | None = Field(default=None, min_length=1)
    id: str | None = Field(default=None, min_length=1)
    timeout: Number | None = Field(default=None, gt=0)


class WorkflowStep(DefinitionModel):
    """One node of the workflow's activity graph."""

    step_identifier: Int = Field(ge=0)
    activity: ActivityRef
    input: FreeForm = Field(default_factory=dict)
    retry_policy: RetryPolicy | None = None
    on_failure: OnFailure = "ABORT"
    execution_timeout: Number | None = Field(default=None, gt=0)
    is_sleep_activity: Bool = False
    dependencies: list[StepRef] = Field(default_factory=list)
    require_approval: Bool = False
    approver: Approver | str | None = None
    approver_type: str | None = None
    approval_timeout: Number | None = Field(default=None, gt=0)
    filters: FreeForm = Field(default_factory=dict)
    compensation_activity: CompensationActivity | None = None


class WorkflowDefinition(DefinitionModel):
    """A whole workflow as a user declares it: trigger, filters and the step graph."""

    name: str = Field(min_length=1)
    type: str = Field(default=DEFAULT_TYPE, min_length=1)
    sub_type: str = Field(default=DEFAULT_SUB_TYPE, min_length=1)
    trigger_event: str = Field(min_length=1)
    filters: FreeForm = Field(default_factory=dict)
    annotations: list[Annotation] = Field(default_factory=list)
    workflow_definition: list[WorkflowStep] = Field(min_length=1)
    executing_agent: str = Field(min_length=1)
    team_id: str | None = None
    metadata: FreeForm = Field(default_factory=dict)
    is_active: Bool = True

    def canonical(self) -> WorkflowDefinition:
        """The same definition in canonical form: steps by identifier, set-like lists sorted,
        approvers in the documented shape.

        Validation keeps the user's order so that problem paths point at what they wrote.
        """
        steps = [
            step.model_copy(
                update={
                    "dependencies": sorted(set(step.dependencies), key=ref_sort_key),
                    **documented_approval(step),
                }
            )
            for step in sorted(self.workflow_definition, key=lambda s: s.step_identifier)
        ]
        annotations = [
            a.model_copy(update={"relations": sorted(set(a.relations))}) for a in self.annotations
        ]
        return self.model_copy(update={"workflow_definition": steps, "annotations": annotations})

    def api_fields(self) -> dict[str, Any]:
        """The canonical wire form of everything the API stores, without ``isActive``."""
        wire = self.to_wire()
        wire.pop("isActive", None)
        return wire


_MODEL_FIELDS = tuple(
    field.alias or name for name, field in WorkflowDefinition.model_fields.items()
)
if _MODEL_FIELDS != DEFINITION_FIELDS:  # pragma: no cover - a field added to one list only
    raise RuntimeError(f"models/fields.py lists {DEFINITION_FIELDS}, the model has {_MODEL_FIELDS}")


def documented_approval(step: WorkflowStep) -> dict[str, Any]:
    """The step's approval in the documented shape (U-23), whichever shape it was written in.

    A string approver with ``approverType``/``approvalTimeout``, an object with ``id`` and
    ``approvalTimeout``, and ``{type, uid, timeout}`` all become ``approver: {type, uid,
    timeout}``: moving a file from an older shape to the documented one changes nothing.
    """
    approver = step.approver
    if approver is None:
        return {}
    if isinstance(approver, str):
        documented = Approver(
            type=step.approver_type or DEFAULT_APPROVER_TYPE,
            uid=approver,
            timeout=step.approval_timeout,
        )
    else:
        documented = Approver(
            type=approver.type,
            uid=approver.uid or approver.id,
            timeout=approver.timeout if approver.timeout is not None else step.approval_timeout,
        )
    return {"approver": documented, "approver_type": None, "approval_timeout": None}
