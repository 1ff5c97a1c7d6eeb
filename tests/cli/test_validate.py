"""``validate``: every problem with file, path and line; stack variables; registries online."""

from __future__ import annotations

import json

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from tests.cli.conftest import ALERT, ESCALATION, Project

BROKEN = """\
name: Broken
triggerEvent: ticket:created
executingAgent: bot
workflowDefinition:
  - stepIdentifier: 1
    dependencies: ["2"]
    activty:
      uniqueIdentifier: slack:send-message
  - stepIdentifier: 2
    dependencies: ["1"]
    activity:
      uniqueIdentifier: slack:send-message
    onFailure: EXPLODE
"""


def test_valid_files_without_a_stack(project: Project) -> None:
    result = project.run("validate")
    assert result.exit_code == EXIT_OK, result.output
    assert "2 file(s) checked (variables of any stack): no problems" in result.stdout


def test_typed_placeholders_stand_for_valid_values_without_a_stack(project: Project) -> None:
    project.write("typed", ESCALATION.replace("name: Escalation note", "name: Typed"))
    project.write(
        "cycle",
        ESCALATION.replace('dependencies: ["1"]', 'dependencies: ["1", "2"]').replace(
            "name: Escalation note", "name: Cycle"
        ),
    )
    result = project.run("validate", "--json")
    report = json.loads(result.stdout)
    # maximumAttempts: ${var.attempts} passes, so the graph rules still run on the file.
    assert [(p["file"], p["path"]) for p in report["problems"]] == [
        ("stacks/workflows/cycle.yaml", "workflowDefinition[1].dependencies[1]")
    ]
    assert report["variablesChecked"] is False


def test_every_problem_is_printed_with_file_path_and_line(project: Project) -> None:
    project.write("broken", BROKEN)
    result = project.run("validate")
    assert result.exit_code == EXIT_ERROR
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("stacks/workflows/broken.yaml: workflowDefinition[0].activty:")
        and "Did you mean 'activity'?" in line
        and line.endswith("(line 7)")
        for line in lines
    ), result.stdout
    assert any("workflowDefinition[1].onFailure" in line for line in lines)
    assert any("workflowDefinition[0].activity: this field is required" in line for line in lines)
    assert "✗ 3 file(s) checked" in result.stdout


def test_json_lists_problems(project: Project) -> None:
    project.write("broken", BROKEN)
    result = project.run("validate", "--json")
    assert result.exit_code == EXIT_ERROR
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert set(report) >= {"files", "problems", "stack", "online", "skipped"}
    problem = report["problems"][0]
    assert set(problem) == {"file", "path", "line", "message", "rule"}
    assert problem["rule"] is None  # a guardrail's finding names its rule
    assert all(p["file"] == "stacks/workflows/broken.yaml" for p in report["problems"])


def test_stack_variables_are_checked(project: Project) -> None:
    project.write_stack("thin", **{"thena-workflows:vars": {"agent": "a", "team": "t"}})
    result = project.run("validate", "--stack", "thin")
    assert result.exit_code == EXIT_ERROR
    assert "unknown variable 'channel'" in result.stdout
    assert project.run("validate", "--stack", "test").exit_code == EXIT_OK


def test_files_outside_the_stack_include_are_skipped(project: Project) -> None:
    project.write_stack("some", **{"thena-workflows:include": ["slack-alert"]})
    result = project.run("validate", "--stack", "some", "--json")
    report = json.loads(result.stdout)
    assert result.exit_code == EXIT_OK
    assert report["files"] == ["stacks/workflows/slack-alert.yaml"]
    assert report["skipped"] == ["stacks/workflows/escalation-note.yaml"]


def test_paths_limit_the_check_to_those_files(project: Project) -> None:
    project.write("broken", BROKEN)
    result = project.run("validate", str(project.workflows / "slack-alert.yaml"), "--json")
    assert result.exit_code == EXIT_OK
    assert json.loads(result.stdout)["files"] == ["stacks/workflows/slack-alert.yaml"]


def test_unknown_stack_is_an_error(project: Project) -> None:
    result = project.run("validate", "--stack", "nope")
    assert result.exit_code == EXIT_ERROR
    assert "error: unknown stack 'nope'" in result.stderr
    assert "known stacks: test" in result.stderr


def test_online_checks_names_against_the_registries(project: Project) -> None:
    project.write("typo", ESCALATION.replace("slack:send-message", "slack:send-mesage"))
    result = project.run("validate", "--stack", "test", "--online")
    assert result.exit_code == EXIT_ERROR
    assert (
        "stacks/workflows/typo.yaml: workflowDefinition[1].activity.uniqueIdentifier: "
        "unknown activity 'slack:send-mesage'; did you mean 'slack:send-message'?"
    ) in result.stdout


def test_online_without_a_stack_uses_the_environment(project: Project) -> None:
    env = {"THENA_API_URL": project.emulator.base_url, "THENA_API_KEY": project.emulator.api_key}
    result = project.run("validate", "--online", "--json", env=env)
    assert result.exit_code == EXIT_OK, result.output
    assert json.loads(result.stdout)["online"] is True


def test_online_with_a_bad_key_says_so_without_showing_it(project: Project) -> None:
    project.write_stack("badkey", **{"thena:apiKey": "wrong-key-4711"})
    result = project.run("validate", "--stack", "badkey", "--online")
    assert result.exit_code == EXIT_ERROR
    assert "rejected the API key (401)" in result.stderr
    assert "stacks/Pulumi.badkey.yaml" in result.stderr
    assert "wrong-key-4711" not in result.output


# -- the first hour: typos caught offline, what to set up, notes -------------------------


def test_a_variable_no_stack_defines_is_a_problem_without_a_stack(project: Project) -> None:
    project.write(
        "typo",
        ALERT.replace("${var.channel}", "${var.chanel}").replace("name: Slack alert", "name: Typo"),
    )
    result = project.run("validate")
    assert result.exit_code == EXIT_ERROR
    [line] = [line for line in result.stdout.splitlines() if "typo.yaml" in line]
    assert "unknown variable 'chanel'; did you mean 'channel'?" in line
    assert line.endswith("(line 10)")


def test_names_are_checked_against_the_committed_registry_snapshot(project: Project) -> None:
    snapshot = project.run("registry", "snapshot", "--stack", "test")
    assert snapshot.exit_code == EXIT_OK, snapshot.output
    assert "Wrote stacks/registry/test.json (teams: (org-wide), team-test)" in snapshot.stdout
    project.write(
        "typo",
        ALERT.replace("ticket:created", "ticket:craeted").replace(
            "name: Slack alert", "name: Typo"
        ),
    )
    for args in (("validate",), ("validate", "--stack", "test")):
        result = project.run(*args)
        assert result.exit_code == EXIT_ERROR, result.output
        assert (
            "stacks/workflows/typo.yaml: triggerEvent: unknown trigger event 'ticket:craeted'; "
            "did you mean 'ticket:created'?"
        ) in result.stdout
        assert "(registry snapshot of stack 'test') (line 2)" in result.stdout
        assert "note: registry snapshot of stack 'test': stacks/registry/test.json, taken " in (
            result.stdout
        )


def test_a_fresh_clone_lists_what_to_set_up_apart_from_problems(project: Project) -> None:
    project.write_stack("test", **{"thena-workflows:secrets": {"hookToken": "local-value"}})
    project.write_stack("prod", **{"thena-workflows:include": ["escalation-note", "hooked"]})
    project.write(
        "hooked",
        ALERT.replace("name: Slack alert", "name: Hooked").replace(
            "text: new ticket", "text: new ticket\n      token: ${secret.hookToken}"
        ),
    )
    result = project.run("validate", "--stack", "prod")
    assert result.exit_code == EXIT_OK, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "To set up (not a problem in the files):"
    assert lines[1] == (
        "  stacks/Pulumi.prod.yaml: thena-workflows:secrets.hookToken: not set in stack 'prod' "
        "yet (used by stacks/workflows/hooked.yaml); set it with `pulumi config set --secret "
        "--path 'thena-workflows:secrets.hookToken' <value> --stack prod`"
    )
    assert "no registry snapshot for stack 'prod'" in lines[2]
    assert lines[3] == (
        "note: stacks/workflows/slack-alert.yaml: not deployed by stack 'prod' "
        "(thena-workflows:include)"
    )
    assert lines[-1] == (
        "✓ 2 file(s) checked (variables of stack 'prod'): no problems; 2 to set up; 1 warning"
    )
    assert lines[-2].startswith(  # the guardrails' advisory finding, after the notes
        "  stacks/workflows/escalation-note.yaml: workflowDefinition[1].retryPolicy: [advisory] "
        "retry-on-external: step 2 calls 'slack:send-message' and has no retry policy."
    )
    report = json.loads(project.run("validate", "--stack", "prod", "--json").stdout)
    assert report["valid"] is True and report["problems"] == []
    assert [item["path"] for item in report["setup"]] == ["thena-workflows:secrets.hookToken", ""]


def test_a_secret_no_stack_sets_is_a_problem(project: Project) -> None:
    project.write(
        "hooked",
        ALERT.replace("name: Slack alert", "name: Hooked").replace(
            "text: new ticket", "text: new ticket\n      token: ${secret.hookTokn}"
        ),
    )
    result = project.run("validate", "--stack", "test")
    assert result.exit_code == EXIT_ERROR
    assert "unknown secret 'hookTokn'" in result.stdout


def test_all_stacks_checks_each_stack_in_turn(project: Project) -> None:
    project.write_stack("prod", **{"thena-workflows:vars": {"agent": "bot-prod"}})
    result = project.run("validate", "--all-stacks")
    assert result.exit_code == EXIT_ERROR
    assert "Stack 'prod'" in result.stdout and "Stack 'test'" in result.stdout
    assert "unknown variable 'team'" in result.stdout
    report = json.loads(project.run("validate", "--all-stacks", "--json").stdout)
    assert [(s["stack"], s["valid"]) for s in report["stacks"]] == [("prod", False), ("test", True)]
