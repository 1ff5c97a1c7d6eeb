"""The workflows one stack deploys, as a workflow test sees them: wire dicts, and where each is.

``load_stack_under_test`` loads the files as ``pulumi up`` would (the stack's variables, its
``thena-workflows:include``, its activation) into their canonical wire form. Every secret reads
``[secret]``, set in the stack or not: a test never needs a secret's value (so none can reach a
report), and on a fresh clone a stack may not have its secrets yet (``validate`` says so).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_thena.definitions.errors import raise_if_any
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.stack import (
    config_file_of,
    load_selected,
    parse_settings,
    read_stack_config,
)
from pulumi_thena.definitions.variables import REDACTED, Substitutions
from pulumi_thena.definitions.yamlfile import YamlDocument


@dataclass(frozen=True)
class StackUnderTest:
    """The workflows one stack deploys, as wire dicts, its variables, and where each is written."""

    stack: str
    workflows: dict[str, dict[str, Any]]
    """Deployed file stem -> canonical wire form, ``isActive`` as the stack sets it."""
    files: dict[str, str]
    documents: dict[str, YamlDocument]
    stems: tuple[str, ...]
    """Every definition file of the project, deployed by this stack or not."""
    variables: Mapping[str, Any]

    def substitutions(self) -> Substitutions:
        """What ``${var.NAME}`` (and ``${secret.NAME}``) read in this stack's tests."""
        return Substitutions(self.variables, AnySecret())

    def locate(self, stem: str, path: str) -> str | None:
        """``stacks/workflows/x.yaml:27``: where a field path of a workflow file is written."""
        document = self.documents.get(stem)
        if document is None:
            return None
        top = path.split(".", 1)[0].split("[", 1)[0]
        if top not in document.lines:  # isActive set by the stack, not by the file
            return None
        line = document.line_of(path)
        return f"{self.files[stem]}:{line}" if line else self.files[stem]


class AnySecret(Mapping[str, Any]):
    """Secrets for a test: every name is set, and each reads ``[secret]``."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __getitem__(self, key: str) -> Any:
        return REDACTED

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def load_stack_under_test(project: Project, stack: str) -> StackUnderTest:
    """The stack's deployed workflows; one DefinitionLoadError with every problem if any."""
    project.require_stack(stack)
    source = config_file_of(stack)
    raw, problems = read_stack_config(project.root / source, source)
    settings, found = parse_settings(raw, source)
    stems, loaded, file_problems = load_selected(project.root, settings, source, AnySecret())
    raise_if_any([*problems, *found, *file_problems])
    workflows, files, documents = {}, {}, {}
    for workflow in loaded:
        wire = workflow.definition.to_wire()
        wire["isActive"] = settings.policy.is_active(workflow.stem, workflow.is_active)
        workflows[workflow.stem] = wire
        files[workflow.stem] = workflow.file
        if workflow.document is not None:
            documents[workflow.stem] = workflow.document
    return StackUnderTest(
        stack, workflows, files, documents, tuple(stems), dict(settings.variables)
    )
