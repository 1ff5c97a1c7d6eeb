"""Stack settings: variables, secrets and policy from stack config, read with or without Pulumi."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_thena.definitions import DefinitionLoadError, StackPolicy, load_stack
from pulumi_thena.definitions.stack import build_stack
from tests.definitions.conftest import VALID, Project

STACK_FILE = "stacks/Pulumi.dev.yaml"


def stack_problems(project: Project, raw: dict[str, object]) -> list[str]:
    with pytest.raises(DefinitionLoadError) as caught:
        build_stack(project.root, "dev", raw)
    return str(caught.value).splitlines()


@pytest.fixture
def two_files(project: Project) -> Project:
    project.write("alpha.yaml", VALID.replace("Escalation note", "Alpha"))
    project.write("beta.yaml", VALID.replace("Escalation note", "Beta"))
    return project


BASE = {"vars": {"agent": "bot", "team": "t"}}


def test_policy_defaults_select_everything_active_and_unprotected(two_files: Project) -> None:
    stack = build_stack(two_files.root, "dev", BASE)
    assert [w.stem for w in stack.workflows] == ["alpha", "beta"]
    assert stack.policy == StackPolicy()
    assert stack.policy.is_active("alpha") and not stack.policy.protect


def test_include_selects_files_and_skips_loading_the_others(two_files: Project) -> None:
    two_files.write("gamma.yaml", VALID.replace("${var.team}", "${var.onlyInDev}"))
    stack = build_stack(two_files.root, "dev", {**BASE, "include": ["beta"]})
    assert [w.stem for w in stack.workflows] == ["beta"]


def test_unknown_include_name(two_files: Project) -> None:
    (line,) = stack_problems(two_files, {**BASE, "include": ["beta", "alpah"]})
    assert line == (
        f"{STACK_FILE}: thena-workflows:include[1]: no workflow file is named 'alpah'; did you "
        "mean 'alpha'? Workflow files (stacks/workflows/*.yaml, without .yaml): alpha, beta. "
        "Fix the name or remove it"
    )


def test_unknown_override_name(two_files: Project) -> None:
    raw = {**BASE, "activation": {"default": True, "overrides": {"gamma": False}}}
    (line,) = stack_problems(two_files, raw)
    assert line.startswith(
        f"{STACK_FILE}: thena-workflows:activation.overrides.gamma: no workflow file is named "
        "'gamma'."
    )


def test_activation_precedence() -> None:
    policy = StackPolicy.model_validate(
        {"activation": {"default": False, "overrides": {"on": True, "off": False}}}
    )
    assert policy.is_active("on", written=False) is True
    assert policy.is_active("off", written=True) is False
    assert policy.is_active("other", written=True) is True
    assert policy.is_active("other") is False


def test_bad_policy_types(two_files: Project) -> None:
    two_files.write("gamma.yaml", VALID.replace("${var.team}", "${var.onlyInDev}"))
    lines = stack_problems(two_files, {**BASE, "protect": "maybe", "include": "alpha"})
    assert len(lines) == 2  # a wrong include loads no file, rather than every file
    assert lines[0].startswith(
        f"{STACK_FILE}: thena-workflows:include: Input should be a valid list"
    )
    assert lines[1].startswith(
        f"{STACK_FILE}: thena-workflows:protect: Input should be a valid boolean"
    )


def test_unknown_setting_suggests_the_closest(two_files: Project) -> None:
    (line,) = stack_problems(two_files, {**BASE, "protected": True})
    assert line.startswith(
        f"{STACK_FILE}: thena-workflows:protected: unknown setting; did you mean "
        "'thena-workflows:protect'?"
    )


def test_a_nested_key_set_without_path(two_files: Project) -> None:
    (line,) = stack_problems(two_files, {**BASE, "vars.agent": "bot"})
    assert line.startswith(
        f"{STACK_FILE}: thena-workflows:vars.agent: unknown setting; did you mean "
        "'thena-workflows:vars'? (nested values are set with `pulumi config set --path`)"
    )


def test_load_errors_are_printed_by_pulumi_without_a_traceback() -> None:
    assert issubclass(DefinitionLoadError, pulumi.RunError)


def test_vars_must_be_an_object(two_files: Project) -> None:
    lines = stack_problems(two_files, {"vars": ["agent"]})
    assert lines[0] == (
        f"{STACK_FILE}: thena-workflows:vars: must be an object of name: value (got list); set "
        "each entry with `pulumi config set --path 'thena-workflows:vars.NAME' <value>`"
    )


def test_secrets_must_be_an_object_and_the_message_hides_them(two_files: Project) -> None:
    lines = stack_problems(two_files, {**BASE, "secrets": "plain-secret-value"})
    assert lines == [
        f"{STACK_FILE}: thena-workflows:secrets: must be an object of name: value; set each entry "
        "with `pulumi config set --secret --path 'thena-workflows:secrets.NAME' <value>`"
    ]


def test_settings_and_file_problems_are_reported_together(two_files: Project) -> None:
    two_files.write("gamma.yaml", "name: [\n")
    lines = stack_problems(two_files, {**BASE, "include": ["alpha", "gamma", "delta"]})
    assert [line.split(":", 1)[0] for line in lines] == [STACK_FILE, "stacks/workflows/gamma.yaml"]


# -- load_stack: reading stacks/Pulumi.<stack>.yaml without the Pulumi CLI ---------------------

SECRET_FILE = VALID.replace(
    "      content: Escalated",
    "      content: Escalated\n      token: Bearer ${secret.hookToken}",
)


def test_load_stack_reads_plain_values_and_leaves_encrypted_secrets_unresolved(
    project: Project,
) -> None:
    project.write("x.yaml", SECRET_FILE)
    project.stack_file(
        "dev",
        """
        config:
          thena:apiUrl: https://workflow-app.thena.ai
          thena:apiKey:
            secure: v1:abc
          thena-workflows:vars: {agent: bot, team: t}
          thena-workflows:secrets:
            hookToken:
              secure: v1:def
          thena-workflows:protect: true
        """,
    )
    stack = load_stack(project.root, "dev")
    (loaded,) = stack.workflows
    assert loaded.definition.workflow_definition[0].input["token"] == "Bearer ${secret.hookToken}"
    assert stack.secret_names == ("hookToken",)
    assert stack.variables == {"agent": "bot", "team": "t"}
    assert stack.policy.protect


def test_load_stack_rejects_an_api_key_in_clear(project: Project) -> None:
    project.write("x.yaml", VALID)
    project.stack_file(
        "dev",
        """
        config:
          thena:apiUrl: https://workflow-app.thena.ai
          thena:apiKey: tk_live_should_not_be_here
          thena-workflows:vars: {agent: bot, team: t}
        """,
    )
    with pytest.raises(DefinitionLoadError) as caught:
        load_stack(project.root, "dev")
    (line,) = str(caught.value).splitlines()
    assert line.startswith(f"{STACK_FILE}: thena:apiKey: the Thena API key is stored in clear text")
    assert "`pulumi config set --secret thena:apiKey <key>`" in line
    assert "tk_live_should_not_be_here" not in line


def test_load_stack_allows_the_emulator_key_in_clear(project: Project) -> None:
    project.write("x.yaml", VALID)
    project.stack_file(
        "local",
        """
        config:
          thena:apiUrl: http://127.0.0.1:8787
          thena:apiKey: thena-local-emulator-key
          thena-workflows:vars: {agent: bot, team: t}
        """,
    )
    assert [w.stem for w in load_stack(project.root, "local").workflows] == ["x"]


def test_load_stack_rejects_encrypted_variables_and_whole_secret_objects(project: Project) -> None:
    project.write("x.yaml", VALID)
    project.stack_file(
        "dev",
        """
        config:
          thena-workflows:vars:
            agent: bot
            team:
              secure: v1:abc
          thena-workflows:secrets:
            secure: v1:def
        """,
    )
    with pytest.raises(DefinitionLoadError) as caught:
        load_stack(project.root, "dev")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"{STACK_FILE}: thena-workflows:vars: holds an encrypted value;")
    assert lines[1].startswith(f"{STACK_FILE}: thena-workflows:secrets: is encrypted as a whole")


def test_load_stack_without_a_stack_file(project: Project) -> None:
    project.write("x.yaml", VALID)
    with pytest.raises(DefinitionLoadError) as caught:
        load_stack(project.root, "qa")
    assert str(caught.value).splitlines()[0] == (
        "stacks/Pulumi.qa.yaml: (whole file): the stack config file does not exist; create it"
    )
