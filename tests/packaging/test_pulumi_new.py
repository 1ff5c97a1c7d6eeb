"""``pulumi new templates/thena-workflows`` writes what ``thena-workflows init`` writes.

The real Pulumi CLI, offline (``--generate-only``: no backend, no stack, no pip install).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pulumi_thena.cli import EXIT_OK, cli
from pulumi_thena.scaffold import TEMPLATE_DIR
from tests.docs.markdown import REPO
from tests.packaging.conftest import clean_environment, run, succeeded

pytestmark = pytest.mark.e2e

# Written alike by both; Pulumi.yaml is re-saved by `pulumi new`, and the README differs on
# purpose (pulumi new cannot copy the stacks/.venv link, so its README says to make it).
SAME_TEXT = (
    ".github/workflows/thena-workflows.yml",
    ".gitignore",
    "requirements.txt",
    "stacks/Pulumi.dev.yaml",
    "stacks/Pulumi.local.yaml",
    "stacks/Pulumi.prod.yaml",
    "stacks/__main__.py",
    "stacks/workflow.schema.json",
    "stacks/workflows/high-priority-ping.yaml",
)


def _files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_pulumi_new_writes_the_scaffold(tmp_path: Path, pulumi_bin: Path) -> None:
    env = clean_environment(pulumi_bin)
    env["PULUMI_HOME"] = str(tmp_path / "home")
    made = tmp_path / "from-pulumi-new"
    succeeded(
        run(
            [pulumi_bin / "pulumi", "new", REPO / TEMPLATE_DIR, "--generate-only", "--yes",
             "--non-interactive", "--name", "my-flows", "--description", "Our workflows: all",
             "--dir", made],
            tmp_path,
            env,
        )
    )  # fmt: skip
    initialised = tmp_path / "my-flows"
    result = CliRunner().invoke(cli, ["init", str(initialised)])
    assert result.exit_code == EXIT_OK, result.output

    assert _files(made) == _files(initialised) - {"stacks/.venv"}
    for name in SAME_TEXT:
        assert (made / name).read_text() == (initialised / name).read_text(), name
    project = yaml.safe_load((made / "Pulumi.yaml").read_text())
    ours = yaml.safe_load((initialised / "Pulumi.yaml").read_text())
    assert project["name"] == ours["name"] == "my-flows"
    assert project["description"] == "Our workflows: all"
    for key in ("runtime", "main", "stackConfigDir"):
        assert project[key] == ours[key], key
    assert "template" not in project
    assert "ln -s ../.venv stacks/.venv" in (made / "README.md").read_text()

    (made / "stacks" / ".venv").symlink_to("../.venv")
    checked = CliRunner().invoke(
        cli, ["--project-dir", str(made), "validate", "--all-stacks", "--json"]
    )
    assert checked.exit_code == EXIT_OK, checked.output
    assert json.loads(checked.stdout)["valid"] is True
