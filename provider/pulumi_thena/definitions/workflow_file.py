"""The model of one definition file: a workflow definition plus settings that stay in the file.

``previousNames`` (former file stems, which become Pulumi aliases so that a rename never
re-creates the workflow), ``adoptExisting`` and ``guardrailExemptions`` (rules of the stack's
guardrails this workflow is exempt from, each with its reason) steer the program and are never
sent to the API.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, field_validator

from pulumi_thena.guardrails.registry import MAX_ID_LENGTH, RULE_ID
from pulumi_thena.models import WorkflowDefinition
from pulumi_thena.models.base import Bool, DefinitionModel

RESOURCE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
"""File stems and previous names: they become Pulumi resource names and owner markers.

In JSON Schema and pydantic (Rust regex) ``$`` is the end of the text; Python's ``re`` also lets
it match before a final newline, so Python code checks names with ``is_resource_name``.
"""


def is_resource_name(text: str) -> bool:
    """Whether all of ``text`` is a resource name (``trail\\n`` is not)."""
    return re.fullmatch(RESOURCE_NAME_PATTERN, text) is not None


ResourceName = Annotated[str, Field(pattern=RESOURCE_NAME_PATTERN)]


class GuardrailExemption(DefinitionModel):
    """A rule of the stack's guardrails this workflow does not have to follow, and why."""

    rule: str = Field(
        json_schema_extra={"pattern": RULE_ID.pattern, "maxLength": MAX_ID_LENGTH},
        description="The id of the rule (e.g. retry-on-external); `thena-workflows guardrails "
        "list` shows every rule.",
    )
    reason: str = Field(
        json_schema_extra={"pattern": r"\S"},
        description="Why the workflow may break the rule; reviewers read it in the pull request.",
    )

    @field_validator("rule")
    @classmethod
    def _rule_id(cls, value: str) -> str:
        if not RULE_ID.fullmatch(value) or len(value) > MAX_ID_LENGTH:
            raise ValueError(
                f"{value!r} is not a rule id (lowercase words joined by '-', e.g. "
                "retry-on-external); `thena-workflows guardrails list` shows every rule"
            )
        return value

    @field_validator("reason")
    @classmethod
    def _says_why(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; say why the workflow may break the rule")
        return value


class WorkflowFile(WorkflowDefinition):
    """A workflow definition as written in ``stacks/workflows/<name>.yaml``."""

    previous_names: list[ResourceName] = Field(
        default_factory=list,
        description="Former file names (without .yaml) of this workflow; each becomes a Pulumi "
        "alias so that renaming the file updates the workflow instead of replacing it.",
    )
    adopt_existing: Bool = Field(
        default=False,
        description="On first deployment, take over an unmanaged workflow with the same name "
        "and team instead of creating a new one.",
    )

    guardrail_exemptions: list[GuardrailExemption] = Field(
        default_factory=list,
        description="Guardrails (thena-workflows:guardrails of the stack) this workflow is "
        "exempt from, each with the reason; one entry per rule.",
    )

    @field_validator("guardrail_exemptions")
    @classmethod
    def _one_per_rule(cls, value: list[GuardrailExemption]) -> list[GuardrailExemption]:
        rules = [exemption.rule for exemption in value]
        twice = sorted({rule for rule in rules if rules.count(rule) > 1})
        if twice:
            raise ValueError(
                f"exempts from {', '.join(twice)} more than once; keep one entry per rule"
            )
        return value

    def definition(self) -> WorkflowDefinition:
        """The workflow definition alone, without the file-only settings.

        Built from the values validated already (the fields are the definition's own), not
        validated a second time.
        """
        values = {name: getattr(self, name) for name in WorkflowDefinition.model_fields}
        unset = self.model_fields_set - set(WorkflowDefinition.model_fields)
        return WorkflowDefinition.model_construct(self.model_fields_set - unset, **values)


FILE_ONLY_FIELDS: tuple[str, ...] = ("previousNames", "adoptExisting", "guardrailExemptions")
"""Fields a definition file may have that the API never sees."""
