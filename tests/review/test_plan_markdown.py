"""``plan --format markdown``: the comment a reviewer reads, drawn by Mermaid itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.cli import EXIT_DIFFERENCES
from tests.cli.conftest import ESCALATION, Project
from tests.review.tools import render_mermaid

EDITED = ESCALATION.replace(
    "text: escalated", "text: escalated by the on-call"
).replace(  # step 2 edited
    "      content: Escalated to ${var.channel}\n", "      content: Escalated\n"
)


def _three_changes(project: Project) -> str:
    """Step 1 edited, step 2 removed, step 3 added: the plan's Markdown."""
    project.deploy("test")
    text = EDITED.replace(
        '  - stepIdentifier: 2\n    dependencies: ["1"]',
        '  - stepIdentifier: 3\n    dependencies: ["1"]',
    )
    text = text.replace("      text: escalated by the on-call", "      text: a new step")
    project.write("escalation-note", text)
    result = project.run("plan", "--stack", "test", "--format", "markdown")
    assert result.exit_code == EXIT_DIFFERENCES, result.output
    return result.stdout


@pytest.fixture
def markdown(tmp_path: Path, thena_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "off")
    return _three_changes(Project(tmp_path / "project", thena_emulator))


def _mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


def _classes(source: str) -> dict[str, str]:
    """Step node label's first line -> its class, from the Mermaid source."""
    labels = dict(re.findall(r'^  (s\d+)\["<b>(.*?)</b>', source, re.M))
    found = {}
    for members, name in re.findall(r"^  class (\S+) (\w+)$", source, re.M):
        for node in members.split(","):
            if node in labels:
                found[labels[node]] = name
    return found


def test_an_edited_an_added_and_a_removed_step_each_in_its_own_style(markdown: str) -> None:
    assert markdown.startswith("### Plan for stack `test`")
    assert "| update | 1 |" in markdown and "| unchanged | 1 |" in markdown
    [source] = _mermaid_blocks(markdown)
    classes = _classes(source)
    assert classes == {  # labels are written with Mermaid's entity codes (#183; is "·")
        "1 #183; tickets:add-comment-platform": "changed",
        "2 #183; slack:send-message": "removed",
        "3 #183; slack:send-message": "added",
    }
    assert "| `workflowDefinition[0].input.content` |" in markdown


@pytest.mark.mermaid
def test_the_comment_renders_in_mermaid(markdown: str, tmp_path: Path) -> None:
    [svg] = render_mermaid(_mermaid_blocks(markdown), tmp_path)
    assert "a new step" not in svg  # values stay in the table, not in the boxes
    assert "3 · slack:send-message" in svg
