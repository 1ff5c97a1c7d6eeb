"""The examples ship with tests: they cover every example workflow and pass on every stack.

Read from the tests' own copy of the examples (``tests/examples``); the JSON Schema for test
files is the repository's (generated, like stacks/workflow.schema.json).
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

import jsonschema
import pytest

from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.schema import main, project_schemas
from pulumi_thena.definitions.workflow_test_file import (
    TEST_SCHEMA_FILE,
    Decision,
    ExecutionStatus,
    TaskStatus,
    WorkflowTestFile,
    render_test_schema,
    workflow_test_schema,
)
from pulumi_thena.definitions.workflow_tests import FAILED, PASSED, SKIPPED, run_all_stacks
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.spec.runs import APPROVE, REJECT, WAKE
from pulumi_thena.spec.statuses import EXECUTION_STATUSES, TASK_STATUSES
from tests.examples import EXAMPLE_PROJECT, EXAMPLE_STACKS, EXAMPLE_WORKFLOWS

REPO = Path(__file__).resolve().parents[2]  # the schema is the repository's
TEST_FILES = sorted((EXAMPLE_PROJECT / "stacks" / "tests").glob("*.yaml"))
STEMS = sorted(path.stem for path in EXAMPLE_WORKFLOWS.glob("*.yaml"))


def _model(path: Path) -> WorkflowTestFile:
    document = read_yaml(path, path.name)
    assert not isinstance(document, Exception) and hasattr(document, "data"), document
    # ${var.NAME} stays as text here: the format is checked, not a stack's values.
    return WorkflowTestFile.model_validate(document.data)


def test_every_example_workflow_has_cases_that_name_it() -> None:
    named = set()
    for path in TEST_FILES:
        for case in _model(path).cases:
            named |= {*(case.expect.triggers or ()), *case.expect.workflows}
    assert sorted(named) == STEMS


@pytest.fixture(scope="module")
def every_stack() -> dict[str, dict[str, int]]:
    report = run_all_stacks(Project.at(EXAMPLE_PROJECT), [])
    failures = [line for r in report.reports for case in r.cases for line in case.failure_lines()]
    assert report.passed, "\n".join(
        [*failures, *(str(p) for r in report.reports for p in r.problems)]
    )
    return {r.stack: {o: r.count(o) for o in (PASSED, FAILED, SKIPPED)} for r in report.reports}


def test_the_examples_tests_pass_on_every_stack(every_stack: dict[str, dict[str, int]]) -> None:
    assert sorted(every_stack) == sorted(EXAMPLE_STACKS)
    # Skipped: the comment mirror outside dev and local, the dev-only and not-dev sweep cases.
    assert every_stack == {
        "dev": {PASSED: 25, FAILED: 0, SKIPPED: 3},
        "local": {PASSED: 27, FAILED: 0, SKIPPED: 1},
        "prod": {PASSED: 24, FAILED: 0, SKIPPED: 4},
        "staging": {PASSED: 24, FAILED: 0, SKIPPED: 4},
    }


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_each_test_file_points_editors_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../workflow-test.schema.json"


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_each_test_file_validates_against_the_committed_schema(path: Path) -> None:
    schema = json.loads((REPO / TEST_SCHEMA_FILE).read_text(encoding="utf-8"))
    document = read_yaml(path, path.name)
    data = json.loads(json.dumps(document.data))  # keys as an editor sees them
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


def test_the_schema_catches_what_the_model_catches() -> None:
    validator = jsonschema.Draft202012Validator(workflow_test_schema())
    data = {"cases": [{"name": "x", "event": {"nmae": "ticket:created"}, "expect": {}}]}
    messages = " ".join(e.message for e in validator.iter_errors(data))
    assert "'name' is a required property" in messages and "'nmae' was unexpected" in messages


def test_the_committed_schema_is_up_to_date() -> None:
    committed = (REPO / TEST_SCHEMA_FILE).read_text(encoding="utf-8")
    assert committed == render_test_schema(), "stale schema: run scripts/generate-schema"
    jsonschema.Draft202012Validator.check_schema(workflow_test_schema())


def test_the_schema_command_checks_and_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{TEST_SCHEMA_FILE} is out of date" in err and "stacks/workflow.schema.json" in err
    assert main([str(tmp_path)]) == 0
    assert main(["--check", str(tmp_path)]) == 0
    for name, text in project_schemas().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    (tmp_path / TEST_SCHEMA_FILE).write_text("{}\n")
    assert main(["--check", str(tmp_path)]) == 1
    assert capsys.readouterr().err.count("out of date") == 1


def test_the_format_speaks_the_evaluators_vocabularies() -> None:
    assert set(typing.get_args(ExecutionStatus)) == set(EXECUTION_STATUSES)
    assert set(typing.get_args(TaskStatus)) == set(TASK_STATUSES)
    assert set(typing.get_args(Decision)) == {APPROVE, REJECT, WAKE}
