"""A newcomer's first hour, as the README tells it, on a copy of the repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.docs.markdown import REPO, blocks, commands

TOUR = "## A first change"


def _copy_of_repository(tmp: Path) -> Path:
    """The repository's tracked files (what a clone has), with .venv linked."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    root = tmp / "clone"
    for name in filter(None, listed):
        source = REPO / name
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copy2(source, target)
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


def _add_the_tours_workflow(root: Path) -> None:
    [workflow] = blocks("README.md", "yaml", under=TOUR)
    (root / "stacks" / "workflows" / "high-priority-ping.yaml").write_text(workflow)


def test_a_new_workflow_passes_the_documented_check(tmp_path: Path) -> None:
    root = _copy_of_repository(tmp_path)
    _add_the_tours_workflow(root)
    [check] = [b for b in blocks("README.md", "sh", under=TOUR) if "validate" in b]
    for command in commands(check):
        done = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        mentions = [line for line in done.stdout.splitlines() if "high-priority-ping" in line]
        assert all(line.startswith("note: ") for line in mentions), mentions


def test_a_users_new_workflow_never_breaks_the_projects_tests(tmp_path: Path) -> None:
    """The report: one new file in stacks/workflows/ gave `5 failed` in tests/stacks."""
    root = _copy_of_repository(tmp_path)
    _add_the_tours_workflow(root)
    (root / "stacks" / "workflows" / "broken.yaml").write_text("name: [\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "not e2e",
            "tests/stacks",
            "tests/definitions/test_examples.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:]
