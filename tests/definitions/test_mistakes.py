"""Each kind of mistake in a definition file gives one message naming file, field path and fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_thena.definitions import MAX_FILE_BYTES, DefinitionLoadError
from pulumi_thena.definitions.stack import build_stack
from tests.definitions.conftest import SECRETS, VALID, VARIABLES, Project

FILE = "stacks/workflows/x.yaml"


def test_a_valid_file_loads(project: Project) -> None:
    project.write("x.yaml", VALID)
    (loaded,) = project.load()
    assert loaded.stem == "x"
    assert loaded.file == FILE
    assert loaded.definition.executing_agent == "bot-1"
    assert loaded.definition.team_id == "team-1"


def test_unknown_field_suggests_the_closest_name(project: Project) -> None:
    project.write("x.yaml", VALID.replace("triggerEvent:", "triggerEvnt:"))
    missing, unknown = project.problems()
    assert unknown.startswith(f"{FILE}: triggerEvnt: unknown field 'triggerEvnt'.")
    assert "Did you mean 'triggerEvent'?" in unknown
    assert unknown.endswith("(line 3)")
    assert missing == f"{FILE}: triggerEvent: this field is required; add it (line 2)"


def test_unknown_field_in_a_step_names_the_step(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("    dependencies:", "    dependsOn:"))
    assert line.startswith(f"{FILE}: workflowDefinition[1].dependsOn: unknown field 'dependsOn'.")
    assert "Known fields here:" in line and "dependencies" in line


def test_missing_required_field(project: Project) -> None:
    project.write("x.yaml", VALID.replace("triggerEvent: ticket:escalated\n", ""))
    assert project.problems() == [f"{FILE}: triggerEvent: this field is required; add it (line 2)"]


def test_bad_type_names_the_field_and_the_value(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("  - stepIdentifier: 2", "  - stepIdentifier: two"))
    assert line.startswith(f"{FILE}: workflowDefinition[1].stepIdentifier: ")
    assert "valid integer" in line and "'two'" in line


def test_a_boolean_is_not_a_number(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("  - stepIdentifier: 2", "  - stepIdentifier: true"))
    assert line.startswith(f"{FILE}: workflowDefinition[1].stepIdentifier: ")
    assert "expected a number, got a boolean" in line


def test_dependency_on_a_missing_step(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace('dependencies: ["1"]', 'dependencies: ["7"]'))
    assert line == (
        f"{FILE}: workflowDefinition[1].dependencies[0]: depends on step 7, which does not exist; "
        "existing steps: 1, 2 (line 14)"
    )


def test_a_cycle_is_reported_with_its_steps(only_problem: Callable[[str], str]) -> None:
    text = VALID.replace(
        "  - stepIdentifier: 1\n", '  - stepIdentifier: 1\n    dependencies: ["2"]\n'
    )
    line = only_problem(text)
    assert line.startswith(
        f"{FILE}: workflowDefinition: the dependencies form a cycle (1 -> 2 -> 1)"
    )
    assert "remove one of these dependencies" in line


def test_invalid_yaml_gives_the_line(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("      content: Escalated", "      content: [Escalated"))
    assert line.startswith(f"{FILE}: line ")
    assert "not valid YAML" in line and "fix the syntax" in line


def test_duplicate_key_gives_both_lines(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID + "name: Another name\n")
    assert line == (
        f"{FILE}: line 20: column 1: key 'name' appears twice in this mapping "
        "(first on line 2); keep one of them"
    )


def test_duplicate_key_inside_a_step(only_problem: Callable[[str], str]) -> None:
    text = VALID.replace(
        "      content: Escalated", "      content: Escalated\n      content: Again"
    )
    assert "key 'content' appears twice" in only_problem(text)


def test_empty_file(only_problem: Callable[[str], str]) -> None:
    assert only_problem("# just a comment\n") == (
        f"{FILE}: (whole file): the file is empty; write one workflow definition in it"
    )


def test_top_level_must_be_a_mapping(only_problem: Callable[[str], str]) -> None:
    line = only_problem("- name: a\n- name: b\n")
    assert line.startswith(f"{FILE}: line 1: the top level is a list; it must be a mapping")


def test_huge_file_is_rejected_before_parsing(only_problem: Callable[[str], str]) -> None:
    padding = "# " + "x" * 100 + "\n"
    line = only_problem(VALID + padding * (MAX_FILE_BYTES // len(padding) + 1))
    assert line.startswith(f"{FILE}: (whole file): the file is ")
    assert "over the 1048576-byte (1 MiB) limit" in line


def test_not_utf8(project: Project) -> None:
    (project.workflows / "x.yaml").write_bytes(b"name: caf\xe9\n")
    (line,) = project.problems()
    assert line.startswith(f"{FILE}: (whole file): not UTF-8 text")


def test_yes_no_and_dates_stay_strings(project: Project) -> None:
    text = VALID.replace("      content: Escalated", "      content: no\n      due: 2024-01-31")
    project.write("x.yaml", text)
    (loaded,) = project.load()
    assert loaded.definition.workflow_definition[0].input["content"] == "no"
    assert loaded.definition.workflow_definition[0].input["due"] == "2024-01-31"


def test_snake_case_names_are_not_accepted_in_files(project: Project) -> None:
    project.write("x.yaml", VALID.replace("triggerEvent:", "trigger_event:"))
    _, unknown = project.problems()
    assert "unknown field 'trigger_event'" in unknown and "Did you mean 'triggerEvent'?" in unknown


def test_offline_rules_run_too(only_problem: Callable[[str], str]) -> None:
    text = VALID.replace(
        "      uniqueIdentifier: slack:send-message",
        "      uniqueIdentifier: slack:send-message\n      autoUpgradeToLatestVersion: false",
    )
    line = only_problem(text)
    assert line.startswith(f"{FILE}: workflowDefinition[1].activity.version: ")
    assert "a pinned version is required" in line


def test_unknown_filter_operator(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID + "filters:\n  priority: { ~equals: high }\n")
    assert line.startswith(f"{FILE}: filters.priority.~equals: unknown filter operator '~equals'")
    assert "did you mean" in line


def test_every_problem_of_every_file_is_reported(project: Project) -> None:
    project.write("a.yaml", VALID.replace("triggerEvent:", "trigger:"))
    project.write("b.yaml", VALID.replace('dependencies: ["1"]', 'dependencies: ["9"]'))
    project.write("c.yaml", "name: [\n")
    project.write("d.yaml", VALID.replace("${var.team}", "${var.teem}"))
    lines = project.problems()
    files = [line.split(":", 1)[0] for line in lines]
    assert files == [
        "stacks/workflows/a.yaml",
        "stacks/workflows/a.yaml",  # trigger is unknown and triggerEvent is missing
        "stacks/workflows/b.yaml",
        "stacks/workflows/c.yaml",
        "stacks/workflows/d.yaml",
    ]


def test_nothing_is_returned_when_one_file_is_wrong(project: Project) -> None:
    project.write("good.yaml", VALID)
    project.write("bad.yaml", VALID.replace("name: Escalation note", "name: ''"))
    lines = project.problems()
    assert lines == [
        "stacks/workflows/bad.yaml: name: String should have at least 1 character (got '') (line 2)"
    ]


def test_an_empty_folder_is_an_error(project: Project) -> None:
    (line,) = project.problems()
    assert line.startswith("stacks/workflows: (whole file): no definition files (*.yaml) found")
    assert "`pulumi destroy`" in line


def test_files_in_subfolders_are_reported(project: Project) -> None:
    project.write("x.yaml", VALID)
    (project.workflows / "team").mkdir()
    (project.workflows / "team" / "y.yaml").write_text(VALID)
    (line,) = project.problems()
    assert line.startswith(
        "stacks/workflows/team/y.yaml: (whole file): definition files in subfolders"
    )


def test_yaml_and_yml_with_the_same_name(project: Project) -> None:
    project.write("x.yaml", VALID)
    project.write("x.yml", VALID.replace("Escalation note", "Other"))
    lines = project.problems()
    assert lines[0].startswith(
        "stacks/workflows/x.yml: (whole file): another file is also named 'x'"
    )


def test_a_file_name_that_cannot_be_a_resource_name(project: Project) -> None:
    project.write("my workflow.yaml", VALID)
    (line,) = project.problems()
    assert line.startswith("stacks/workflows/my workflow.yaml: (whole file): the file name")
    assert "rename the file" in line


def test_two_files_with_the_same_workflow_name_and_team(project: Project) -> None:
    # A guardrail (unique-workflow-names, mandatory unless a stack says otherwise): the loader alone
    # takes both files; a stack refuses the second.
    project.write("a.yaml", VALID)
    project.write("b.yaml", VALID)
    assert len(project.load()) == 2
    with pytest.raises(DefinitionLoadError) as caught:
        build_stack(project.root, "dev", {"vars": VARIABLES, "secrets": SECRETS})
    assert str(caught.value) == (
        "stacks/workflows/b.yaml: name: [mandatory] unique-workflow-names: workflow name "
        "'Escalation note' is already used by stacks/workflows/a.yaml for the same team. Fix: "
        "give each workflow its own name (line 2)"
    )


def test_previous_names_become_file_settings(project: Project) -> None:
    project.write("x.yaml", VALID + "previousNames: [old-x, older-x]\nadoptExisting: true\n")
    (loaded,) = project.load()
    assert loaded.previous_names == ("old-x", "older-x")
    assert loaded.adopt_existing is True
    assert "previousNames" not in loaded.definition.to_wire()


def test_a_previous_name_that_is_still_a_file(project: Project) -> None:
    project.write("a.yaml", VALID.replace("Escalation note", "A") + "previousNames: [b]\n")
    project.write("b.yaml", VALID.replace("Escalation note", "B"))
    (line,) = project.problems()
    assert line == (
        "stacks/workflows/a.yaml: previousNames[0]: 'b' is the name of an existing file, so it "
        "cannot be a previous name; remove it here or rename that file"
    )


def test_a_previous_name_claimed_by_two_files(project: Project) -> None:
    project.write("a.yaml", VALID.replace("Escalation note", "A") + "previousNames: [old]\n")
    project.write("b.yaml", VALID.replace("Escalation note", "B") + "previousNames: [old]\n")
    (line,) = project.problems()
    assert line.startswith(
        "stacks/workflows/b.yaml: previousNames[0]: 'old' is also a previous name in "
        "stacks/workflows/a.yaml"
    )


def test_a_previous_name_must_be_a_resource_name(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID + "previousNames: ['old name']\n")
    assert line.startswith(f"{FILE}: previousNames[0]: String should match pattern")


def test_schema_errors_do_not_hide_the_other_problems_of_a_file(project: Project) -> None:
    """Four schema errors and a dependency on a missing step: all five at once (first hour 3)."""
    text = (
        VALID.replace("name: Escalation note", "name: ''")
        .replace("triggerEvent:", "trigger:")
        .replace('dependencies: ["1"]', 'dependencies: ["7"]')
        .replace("      text: done", "      text: done\n    onFailure: EXPLODE")
    )
    project.write("a.yaml", text + "filters:\n  priority: { ~equals: high }\n")
    paths = [line.split(": ")[1] for line in project.problems()]
    assert sorted(paths) == sorted(
        [
            "name",
            "trigger",
            "triggerEvent",
            "workflowDefinition[1].onFailure",
            "workflowDefinition[1].dependencies[0]",
            "filters.priority.~equals",
        ]
    )
