"""A throw-away project for the guardrails: the command line's, emptied, with the examples'
Pulumi program so that the same files also run under the program harness's mocks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Project
from tests.examples import EXAMPLE_PROJECT

SECRETS = {"hookToken": "hook-token-4b1d9e"}


class Workspace(Project):
    """A project with no workflow file yet, one stack ``test``, and ``stacks/__main__.py``."""

    def __init__(self, root: Path, emulator: Any) -> None:
        super().__init__(root, emulator)
        for path in self.workflows.glob("*.yaml"):
            path.unlink()
        shutil.copy(EXAMPLE_PROJECT / "stacks" / "__main__.py", root / "stacks" / "__main__.py")

    def guard(self, setting: dict[str, Any] | None, stack: str = "test", **config: Any) -> None:
        """The stack ``stack`` with this ``thena-workflows:guardrails`` (None: none)."""
        if setting is not None:
            config["thena-workflows:guardrails"] = setting
        self.write_stack(stack, **{"thena-workflows:secrets": dict(SECRETS), **config})


@pytest.fixture
def workspace(
    tmp_path: Path, thena_emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "off")
    yield Workspace(tmp_path / "project", thena_emulator)
