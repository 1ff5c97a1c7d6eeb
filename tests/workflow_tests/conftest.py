"""Fixtures for the workflow-test tests: a copy of the examples' project, and a way to edit it.

Every test works on its own copy of ``tests/examples/project`` (Pulumi.yaml and stacks/, with
the shipped test files in stacks/tests/), never on the repository's ``stacks/``, so that a
team's edits there cannot break these tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pulumi_thena.cli import cli
from pulumi_thena.definitions.project import Project
from tests.examples import EXAMPLE_PROJECT


class _NoAliases(yaml.SafeDumper):
    """Writes a repeated object out again: test files, like definitions, refuse aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class ExampleProject:
    """A throw-away copy of the examples' project."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.project = Project.at(root)

    @property
    def tests(self) -> Path:
        return self.root / "stacks" / "tests"

    def workflow(self, stem: str) -> Path:
        return self.root / "stacks" / "workflows" / f"{stem}.yaml"

    def replace(self, path: Path, old: str, new: str) -> None:
        """Change one exact piece of a file (it must be there once)."""
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
        path.write_text(text.replace(old, new), encoding="utf-8")

    def write_test(self, name: str, cases: list[dict[str, Any]]) -> Path:
        """A test file of these cases in stacks/tests/."""
        path = self.tests / f"{name}.yaml"
        text = yaml.dump({"cases": cases}, Dumper=_NoAliases, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    def edit_stack(self, stack: str, change: Callable[[dict[str, Any]], None]) -> None:
        path = self.root / "stacks" / f"Pulumi.{stack}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data["config"])
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    def run(self, *args: str) -> Result:
        """``thena-workflows --project-dir <copy> ARGS``, in-process."""
        return CliRunner().invoke(
            cli, ["--project-dir", str(self.root), *args], env={"COLUMNS": "200"}
        )


@pytest.fixture
def examples(tmp_path: Path) -> ExampleProject:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(EXAMPLE_PROJECT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copytree(
        EXAMPLE_PROJECT / "stacks",
        root / "stacks",
        ignore=shutil.ignore_patterns("__pycache__", ".venv"),
    )
    return ExampleProject(root)
