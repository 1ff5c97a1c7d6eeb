"""The model of one definition file: a workflow definition plus settings that stay in the file.

``previousNames`` (former file stems, which become Pulumi aliases so that a rename never
re-creates the workflow) and ``adoptExisting`` steer the program and are never sent to the API.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

from pulumi_thena.models import WorkflowDefinition
from pulumi_thena.models.base import Bool

RESOURCE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
"""File stems and previous names: they become Pulumi resource names and owner markers.

In JSON Schema and pydantic (Rust regex) ``$`` is the end of the text; Python's ``re`` also lets
it match before a final newline, so Python code checks names with ``is_resource_name``.
"""


def is_resource_name(text: str) -> bool:
    """Whether all of ``text`` is a resource name (``trail\\n`` is not)."""
    return re.fullmatch(RESOURCE_NAME_PATTERN, text) is not None


ResourceName = Annotated[str, Field(pattern=RESOURCE_NAME_PATTERN)]


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

    def definition(self) -> WorkflowDefinition:
        """The workflow definition alone, without the file-only settings.

        Built from the values validated already (the fields are the definition's own), not
        validated a second time.
        """
        values = {name: getattr(self, name) for name in WorkflowDefinition.model_fields}
        unset = self.model_fields_set - set(WorkflowDefinition.model_fields)
        return WorkflowDefinition.model_construct(self.model_fields_set - unset, **values)


FILE_ONLY_FIELDS: tuple[str, ...] = ("previousNames", "adoptExisting")
"""Fields a definition file may have that the API never sees."""
