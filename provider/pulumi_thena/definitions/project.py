"""The project the commands work on: its directory, its Pulumi project name and its stacks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_thena.definitions import SCHEMA_FILE, FileProblem, StackSettings
from pulumi_thena.definitions.errors import ProjectError
from pulumi_thena.definitions.loader import definition_stems, links_outside
from pulumi_thena.definitions.stack import (
    STACKS_DIR,
    WORKFLOWS_DIR,
    config_file_of,
    parse_settings,
    read_stack_config,
)
from pulumi_thena.definitions.yamlfile import read_yaml

PROJECT_FILE = "Pulumi.yaml"
DEFAULT_PROJECT_NAME = "thena-workflows"


def find_project_dir(start: Path) -> Path:
    """The nearest directory from ``start`` upward holding a Pulumi.yaml, else ``start``."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    return start


@dataclass(frozen=True)
class Project:
    """A thena-workflows project directory (Pulumi.yaml, stacks/, stacks/workflows/)."""

    root: Path
    name: str

    @classmethod
    def at(cls, root: Path) -> Project:
        return cls(root, _project_name(root))

    @property
    def workflows_dir(self) -> Path:
        return self.root / WORKFLOWS_DIR

    def stack_file(self, stack: str) -> Path:
        return self.root / config_file_of(stack)

    def stacks(self) -> list[str]:
        """The stacks that have a config file, by name."""
        directory = self.root / STACKS_DIR
        if not directory.is_dir():
            return []
        names = (p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))
        return sorted(name for name in names if name)

    def require_stack(self, stack: str) -> Path:
        """The stack's config file; ProjectError naming the known stacks if it is missing."""
        path = self.stack_file(stack)
        if path.is_file():
            return path
        known = ", ".join(self.stacks()) or "none"
        raise ProjectError(
            f"unknown stack '{stack}': {config_file_of(stack)} does not exist in {self.root}; "
            f"known stacks: {known} (or pass --project-dir)"
        )

    def stack_config(self, stack: str) -> dict[str, Any]:
        """The ``config:`` mapping of a stack file, read as plain YAML."""
        document = read_yaml(self.require_stack(stack), config_file_of(stack), allow_empty=True)
        if isinstance(document, FileProblem):
            raise ProjectError(f"{document} (the stack config file cannot be read)")
        data = document.data
        config = data.get("config") if isinstance(data, dict) else None
        return config if isinstance(config, dict) else {}

    def stack_settings(self, stack: str) -> StackSettings:
        """The ``thena-workflows:*`` settings of a stack (unusable parts left at defaults)."""
        source = config_file_of(stack)
        raw, _ = read_stack_config(self.require_stack(stack), source)
        settings, _ = parse_settings(raw, source)
        return settings

    def definition_data(self, stem: str) -> Any:
        """The parsed YAML of ``stacks/workflows/<stem>.yaml`` (or .yml); None if unreadable."""
        for suffix in (".yaml", ".yml"):
            path = self.workflows_dir / f"{stem}{suffix}"
            if path.is_file() and not links_outside(path, self.root):
                document = read_yaml(path, path.name)
                return None if isinstance(document, FileProblem) else document.data
        return None

    def all_definition_data(self) -> dict[str, Any]:
        """Every definition file's parsed YAML, by file stem."""
        found = {stem: self.definition_data(stem) for stem in definition_stems(self.workflows_dir)}
        return {stem: data for stem, data in found.items() if data is not None}

    def schema_ref(self, directory: Path) -> str:
        """The path from ``directory`` to the JSON Schema, for the yaml-language-server comment."""
        schema = self.root / SCHEMA_FILE
        return Path(os.path.relpath(schema, directory.resolve())).as_posix()


def _project_name(root: Path) -> str:
    path = root / PROJECT_FILE
    if not path.is_file():
        return DEFAULT_PROJECT_NAME
    document = read_yaml(path, PROJECT_FILE, allow_empty=True)
    data = None if isinstance(document, FileProblem) else document.data
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_PROJECT_NAME
