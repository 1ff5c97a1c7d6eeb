"""``thena-workflows test``: exit codes, the report, --json, --junit, --all-stacks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from tests.workflow_tests.conftest import ExampleProject

URGENT = "urgent-ticket-escalation"


def break_the_urgent_filter(examples: ExampleProject) -> None:
    examples.replace(
        examples.workflow(URGENT),
        "- ticket.priority: { ~eq: urgent }",
        "- ticket.priority: { ~eq: urgnet }",
    )


def test_the_examples_pass_on_the_local_stack_by_default(examples: ExampleProject) -> None:
    result = examples.run("test")
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "stacks/tests/comment-mirror-webhook.yaml"
    assert "  ✓ a public comment is mirrored" in lines
    assert "  - in dev the schedule runs nothing (for stacks dev, not 'local')" in lines
    assert lines[-1] == (
        "✓ 28 case(s) in 6 file(s) on stack 'local' (the default): 27 passed, 1 skipped"
    )


def test_a_broken_filter_exits_1_naming_the_filter_and_the_lines(examples: ExampleProject) -> None:
    break_the_urgent_filter(examples)
    result = examples.run("test", "--stack", "local")
    assert result.exit_code == EXIT_ERROR
    out = result.stdout
    assert "  ✗ an urgent ticket pages on-call, gets a note and goes to the escalation agent" in out
    assert f"stacks/tests/{URGENT}.yaml:20: {URGENT}: triggered: expected true, got false" in out
    assert (
        "filters.~and[0].~or[0].ticket.priority.~eq: expected 'urgnet', got 'urgent' "
        f"(stacks/workflows/{URGENT}.yaml:26)"
    ) in out
    assert out.splitlines()[-1] == (
        "✗ 28 case(s) in 6 file(s) on stack 'local': 23 passed, 4 failed, 1 skipped"
    )


def test_json_holds_every_case_and_each_failure(examples: ExampleProject) -> None:
    break_the_urgent_filter(examples)
    result = examples.run("test", "--json")
    assert result.exit_code == EXIT_ERROR
    report = json.loads(result.stdout)
    assert report["passed"] is False and report["stack"] == "local"
    assert report["summary"] == {
        "cases": 28, "passed": 23, "failed": 4, "skipped": 1, "problems": 0
    }  # fmt: skip
    failed = [c for c in report["cases"] if c["outcome"] == "failed"]
    assert {c["file"] for c in failed} == {f"stacks/tests/{URGENT}.yaml"}
    failure = next(f for f in failed[0]["failures"] if f["what"] == "triggered")
    assert (failure["expected"], failure["got"], failure["line"]) == (True, False, 20)
    assert failure["path"] == f"cases[0].expect.workflows.{URGENT}.triggered"
    assert failure["details"][0].startswith("filters.~and[0].~or[0].ticket.priority.~eq")


def test_junit_xml_for_ci(examples: ExampleProject, tmp_path: Path) -> None:
    break_the_urgent_filter(examples)
    (examples.tests / "broken.yaml").write_text("cases: [\n", encoding="utf-8")
    target = tmp_path / "results" / "workflow-tests.xml"
    result = examples.run("test", "--junit", str(target))
    assert result.exit_code == EXIT_ERROR
    root = ET.parse(target).getroot()
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "29", "failures": "4", "errors": "1", "skipped": "1"
    }  # fmt: skip
    suites = {suite.get("name"): suite for suite in root}
    assert "stacks/tests/broken.yaml on local" in suites
    urgent = suites[f"stacks/tests/{URGENT}.yaml on local"]
    case = urgent.find("testcase")
    assert case is not None
    assert case.get("classname") == f"local.stacks.tests.{URGENT}"
    assert (case.get("file"), case.get("line")) == (f"stacks/tests/{URGENT}.yaml", "7")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert "ticket.priority.~eq: expected 'urgnet'" in failure.text
    error = suites["stacks/tests/broken.yaml on local"].find("testcase/error")
    assert error is not None and "not valid YAML" in (error.get("message") or "")


def test_all_stacks_runs_each_stack_in_turn(examples: ExampleProject, tmp_path: Path) -> None:
    target = tmp_path / "all.xml"
    result = examples.run("test", "--all-stacks", "--junit", str(target))
    assert result.exit_code == EXIT_OK, result.output
    headings = [line for line in result.stdout.splitlines() if line.startswith("Stack '")]
    assert headings == ["Stack 'dev'", "Stack 'local'", "Stack 'prod'", "Stack 'staging'"]
    names = [suite.get("name") for suite in ET.parse(target).getroot()]
    assert len(names) == 24 and "stacks/tests/sla-breach-approval.yaml on prod" in names
    report = json.loads(examples.run("test", "--all-stacks", "--json").stdout)
    assert report["passed"] is True
    assert [s["stack"] for s in report["stacks"]] == ["dev", "local", "prod", "staging"]


def test_paths_pick_test_files(examples: ExampleProject) -> None:
    result = examples.run("test", str(examples.tests / "sla-breach-approval.yaml"))
    assert result.exit_code == EXIT_OK, result.output
    assert "4 case(s) in 1 file(s)" in result.stdout.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--stack", "qa"], EXIT_ERROR, "error: unknown stack 'qa'"),
        (["--stack", "local", "--all-stacks"], EXIT_USAGE, "give --stack or --all-stacks"),
        (["--frobnicate"], EXIT_USAGE, "No such option"),
        (["stacks/tests/nope.yaml"], EXIT_USAGE, "does not exist"),
    ],
)
def test_usage_and_setup_errors(
    examples: ExampleProject, args: list[str], code: int, message: str
) -> None:
    result = examples.run("test", *args)
    assert result.exit_code == code
    assert message in result.output


def test_without_a_local_stack_it_asks_for_one(examples: ExampleProject) -> None:
    (examples.root / "stacks" / "Pulumi.local.yaml").unlink()
    result = examples.run("test")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.strip() == (
        "error: no --stack given and stacks/Pulumi.local.yaml does not exist; the tests need a "
        "stack's variables: pass --stack (known stacks: dev, prod, staging)"
    )
    assert examples.run("test", "--stack", "dev").exit_code == EXIT_OK


def test_without_a_test_folder_it_says_where_to_write_one(examples: ExampleProject) -> None:
    for path in examples.tests.iterdir():
        path.unlink()
    examples.tests.rmdir()
    result = examples.run("test")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("error: no test folder stacks/tests/ in ")
    assert "docs/workflow-tests.md" in result.stderr


def test_an_empty_test_folder_is_a_problem(examples: ExampleProject) -> None:
    for path in examples.tests.iterdir():
        path.unlink()
    result = examples.run("test")
    assert result.exit_code == EXIT_ERROR
    assert "✗ stacks/tests: (whole file): no test files (*.yaml) here" in result.stdout


def test_invalid_workflow_files_are_reported_like_validate(examples: ExampleProject) -> None:
    examples.replace(examples.workflow(URGENT), "triggerEvent: ticket:created", "triggerEvnt: x")
    result = examples.run("test")
    assert result.exit_code == EXIT_ERROR
    assert f"error: stacks/workflows/{URGENT}.yaml: triggerEvnt: unknown field" in result.stderr


def test_hostile_text_in_a_test_file_is_printed_escaped(
    examples: ExampleProject, tmp_path: Path
) -> None:
    from tests.hardening.test_terminal_escapes import HOSTILE, RAW, raw_characters

    expect = {"workflows": {URGENT: {"inputs": {3: {"ticketId": HOSTILE}}}}}
    case = {
        "name": f"case {HOSTILE}",
        "event": {"name": "ticket:created", "payload": {"ticketId": "T-1"}},
        "entities": {"Ticket": {"priority": "urgent", "status": "open"}},
        "expect": expect,
    }
    path = examples.write_test("hostile", [case])
    target = tmp_path / "hostile.xml"
    for args in ([], ["--json"]):
        result = examples.run(*args, "test", str(path), "--junit", str(target))
        assert result.exit_code == EXIT_ERROR
        assert raw_characters(result) == [], result.output
        assert "\\x1b[2J" in result.output or "\\u001b[2J" in result.output
    human = examples.run("test", str(path)).stdout
    assert "[bold red]red[/bold red]" in human  # rich markup in a name is printed as written
    xml = target.read_text(encoding="utf-8")
    assert not RAW.search(xml) and "\\x1b[2J" in xml
    ET.fromstring(xml)
