"""docs/workflow-tests.md tells the truth: its example file passes, its pipeline step is the one."""

from __future__ import annotations

import yaml

from pulumi_thena.definitions.workflow_tests import PASSED, run_workflow_tests
from tests.docs.markdown import REPO, blocks
from tests.workflow_tests.conftest import ExampleProject

PAGE = "docs/workflow-tests.md"


def test_the_example_test_file_passes_on_every_stack(examples: ExampleProject) -> None:
    [example] = blocks(PAGE, "yaml", under="## A test file")
    path = examples.tests / "from-the-docs.yaml"
    path.write_text(example, encoding="utf-8")
    for stack in ("local", "dev", "staging", "prod"):
        report = run_workflow_tests(examples.project, [path], stack)
        assert report.problems == ()
        assert [case.outcome for case in report.cases] == [PASSED, PASSED], stack


def test_the_pipeline_runs_the_documented_step() -> None:
    [documented] = blocks(PAGE, "yaml", under="## In the pipeline: JUnit")
    [step] = yaml.safe_load(documented)
    pipeline = yaml.safe_load((REPO / ".github/workflows/thena-workflows.yml").read_text())
    assert step in pipeline["jobs"]["test"]["steps"]
    assert step["run"].startswith(".venv/bin/thena-workflows test --all-stacks --junit ")
