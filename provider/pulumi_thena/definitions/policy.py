"""Per-stack policy from stack config: which files deploy, which are active, and deletion guards.

    thena-workflows:include         [file stem, ...]        all files when unset
    thena-workflows:activation      {default: bool, overrides: {file stem: bool}}
    thena-workflows:protect         bool                    protect=True on every workflow
    thena-workflows:retainOnDelete  bool                    deleting a file keeps the workflow

A workflow is active as its override says, else as its file says (``isActive``), else as the
stack's ``activation.default``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import Field

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.workflow_file import ResourceName
from pulumi_thena.models.base import DefinitionModel
from pulumi_thena.models.problems import closest

NAMESPACE = "thena-workflows"


class Activation(DefinitionModel):
    """Whether workflows are switched on in this stack, with exceptions by file stem."""

    default: bool = True
    overrides: dict[ResourceName, bool] = Field(default_factory=dict)


class StackPolicy(DefinitionModel):
    """What a stack deploys and how carefully; parsed from the ``thena-workflows:*`` keys."""

    include: list[ResourceName] | None = None
    activation: Activation = Field(default_factory=Activation)
    protect: bool = False
    retain_on_delete: bool = False

    def selects(self, stem: str) -> bool:
        """Whether the file ``stem`` is deployed in this stack."""
        return self.include is None or stem in self.include

    def is_active(self, stem: str, written: bool | None = None) -> bool:
        """The override for ``stem``, else what its file says, else the stack's default."""
        if stem in self.activation.overrides:
            return self.activation.overrides[stem]
        return self.activation.default if written is None else written


def policy_problems(policy: StackPolicy, stems: Sequence[str], source: str) -> list[FileProblem]:
    """Names in ``include`` and ``activation.overrides`` that match no definition file."""
    return [*_unknown_included(policy, stems, source), *_unknown_overrides(policy, stems, source)]


def _unknown_included(
    policy: StackPolicy, stems: Sequence[str], source: str
) -> Iterator[FileProblem]:
    for index, stem in enumerate(policy.include or []):
        if stem not in stems:
            yield FileProblem(source, f"{NAMESPACE}:include[{index}]", _unknown(stem, stems))


def _unknown_overrides(
    policy: StackPolicy, stems: Sequence[str], source: str
) -> Iterator[FileProblem]:
    for stem in policy.activation.overrides:
        if stem not in stems:
            path = f"{NAMESPACE}:activation.overrides.{stem}"
            yield FileProblem(source, path, _unknown(stem, stems))


def _unknown(stem: str, stems: Sequence[str]) -> str:
    match = closest(stem, stems)
    hint = f"; did you mean '{match}'?" if match else "."
    listing = ", ".join(sorted(stems)) or "none"
    return (
        f"no workflow file is named '{stem}'{hint} Workflow files (stacks/workflows/*.yaml, "
        f"without .yaml): {listing}. Fix the name or remove it"
    )
