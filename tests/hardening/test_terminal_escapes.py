"""Names and API messages with escape sequences reach no terminal raw, from any command.

A workflow named with a screen clear (CSI 2J), an OSC 8 link, an OSC 52 clipboard write, a C1
control, a bidi override and rich markup, once in a definition file and once made in Thena,
goes through every printing command, human and ``--json``; so does an API error message with
an OSC 8 link. No raw ESC, BEL or C1 character may reach stdout or stderr, and rich markup in a
name is printed as written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from pulumi_thena.client.safe_text import json_terminal_safe, terminal_safe
from pulumi_thena.definitions.errors import FileProblem
from tests.cli.conftest import Project, seed_workflow

CLEAR = "\x1b[2J"
LINK = "\x1b]8;;https://evil.example\x1b\\click here\x1b]8;;\x1b\\"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
C1 = "\x9b31m"
BIDI = "\u202eevil"
MARKUP = "[bold red]red[/bold red] [link=https://evil.example]x[/link]"
HOSTILE = f"{CLEAR}{LINK} {CLIPBOARD} {C1} {BIDI} {MARKUP}"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def raw_characters(result: Result) -> list[str]:
    """Control characters (other than newline and tab) in what the command printed."""
    text = (result.stdout_bytes + result.stderr_bytes).decode("utf-8", errors="replace")
    return sorted({f"U+{ord(c):04X}" for c in RAW.findall(text)})


def test_terminal_safe_escapes_controls_and_bidi_and_keeps_the_rest() -> None:
    assert terminal_safe(CLEAR) == "\\x1b[2J"
    assert terminal_safe(CLIPBOARD) == "\\x1b]52;c;ZXZpbA==\\x07"
    assert terminal_safe("a\nb\tc\rd\x7f\x85") == "a\\nb\\tc\\rd\\x7f\\x85"
    assert terminal_safe(BIDI) == "\\u202eevil"
    assert terminal_safe("Café ✓ 😀 [x]") == "Café ✓ 😀 [x]"
    assert terminal_safe(terminal_safe(HOSTILE)) == terminal_safe(HOSTILE)
    assert not RAW.search(terminal_safe(HOSTILE))


def test_json_stays_the_same_document_without_raw_characters() -> None:
    document = json_terminal_safe(json.dumps({"name": HOSTILE}, ensure_ascii=False))
    assert not RAW.search(document)
    assert json.loads(document) == {"name": HOSTILE}


@pytest.fixture
def project(tmp_path: Path, thena_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The command-line tests' project (``tests/cli``), wired to the emulator."""
    monkeypatch.setenv("THENA_RATE_LIMIT_RPS", "off")
    return Project(tmp_path / "project", thena_emulator)


def _hostile_file(project: Project) -> None:
    data = yaml.safe_load(project.workflows.joinpath("slack-alert.yaml").read_text())
    data["name"] = HOSTILE
    project.workflows.joinpath("hostile.yaml").write_text(yaml.safe_dump(data))


def _broken_file(root: Path) -> Path:
    """A file whose problems quote a hostile key and value (validated by path)."""
    path = root / "broken" / "broken.yaml"
    path.parent.mkdir()
    data: dict[str, Any] = {
        "name": HOSTILE,
        "triggerEvent": "ticket:created",
        "executingAgent": "bot",
        "filters": {f"ticket.{CLEAR}": {f"~inn{LINK}": ["x"]}},
        "workflowDefinition": [
            {"stepIdentifier": 1, "activity": {"uniqueIdentifier": CLIPBOARD}, "input": {}}
        ],
    }
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def hostile(project: Project, thena_emulator: Any) -> dict[str, str]:
    """The hostile name in a file of stack ``test`` and in a workflow made in Thena."""
    _hostile_file(project)
    project.write_stack("other")
    project.deploy("test")
    # Made last, so that it is listed first: doctor shows its id, team and runs.
    made = seed_workflow(thena_emulator, name=HOSTILE, teamId=f"team{CLEAR}{CLIPBOARD}")
    thena_emulator.control.seed(
        executions=[
            {
                "workflowId": made["uniqueIdentifier"],
                "tasks": [{"stepIdentifier": 1, "activity": f"act{LINK}"}],
            }
        ]
    )
    return {"uid": made["uniqueIdentifier"], "broken": str(_broken_file(project.root))}


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "{broken}"],
    "validate-stack": ["validate", "--stack", "test"],
    "plan": ["plan", "--stack", "test"],
    "export": ["export", "--stack", "test", "--out", "{out}", "--overwrite"],
    "diff-envs": ["diff-envs", "--from", "test", "--to", "other"],
    "runs": ["runs", "{uid}", "--stack", "test", "--tasks"],
    "doctor": ["doctor", "--stack", "test"],
}


@pytest.mark.parametrize("json_mode", [False, True], ids=["human", "json"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_printing_command_prints_the_name_escaped(
    project: Project, hostile: dict[str, str], tmp_path: Path, command: str, json_mode: bool
) -> None:
    values = {**hostile, "out": str(tmp_path / "export")}
    args = [part.format(**values) for part in COMMANDS[command]]
    result = project.run(*(["--json"] if json_mode else []), *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert raw_characters(result) == [], result.output
    if json_mode:
        json.loads(result.stdout)
    elif command != "validate-stack":  # valid files: no name to show
        assert "\\x1b" in result.output, result.output  # shown, as an escape


@pytest.mark.parametrize("command", ["plan", "export", "runs"])
def test_rich_markup_in_a_name_is_printed_as_written(
    project: Project, hostile: dict[str, str], tmp_path: Path, command: str
) -> None:
    values = {**hostile, "out": str(tmp_path / "export")}
    result = project.run(*[part.format(**values) for part in COMMANDS[command]])
    assert "[bold red]red[/bold red]" in result.output.replace("\n", ""), result.output


@pytest.mark.parametrize("json_mode", [False, True], ids=["human", "json"])
def test_an_api_error_message_with_a_link_is_printed_escaped(
    project: Project, thena_emulator: Any, json_mode: bool
) -> None:
    body = {"statusCode": 400, "message": f"bad {LINK} {CLIPBOARD}", "error": "Bad Request"}
    thena_emulator.control.inject_fault(
        "GET",
        "/api/v1/workflows",
        "raw",
        count=2,  # a 400 to page 0 only says the API pages from 1; the next one is the error
        status=400,
        body=json.dumps(body),
        content_type="application/json",
    )
    result = project.run(*(["--json"] if json_mode else []), "plan", "--stack", "test")
    assert result.exit_code == 1, result.output
    assert raw_characters(result) == [], result.output
    assert "\\x1b]8;;https://evil.example" in result.output


def test_a_file_problem_is_one_terminal_safe_line_for_pulumi_to_print() -> None:
    problem = FileProblem("stacks/workflows/x.yaml", f"filters.ticket{CLEAR}", f"bad {LINK}", 3)
    shown = str(problem)
    assert not RAW.search(shown), shown
    assert shown.startswith("stacks/workflows/x.yaml: filters.ticket\\x1b[2J: bad \\x1b]8;;")
