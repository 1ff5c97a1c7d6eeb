"""The smaller holes: names ending in a newline, links out of the project, secrets in clear,
credentials in exported files, and an API key sent over plain HTTP to another machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.cli.credentials import for_stack, from_environment
from pulumi_thena.cli.errors import SetupError
from pulumi_thena.client.urls import cleartext_url_problem, is_loopback
from pulumi_thena.definitions.export import with_secret_placeholders
from pulumi_thena.definitions.loader import collect_definitions
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.stack import read_stack_config
from pulumi_thena.definitions.variables import Substitutions
from pulumi_thena.definitions.workflow_file import is_resource_name
from pulumi_thena.resources.errors import ConfigurationError
from pulumi_thena.resources.session import Session, Settings

VALID = (
    "name: Fine\n"
    "triggerEvent: ticket:created\n"
    "executingAgent: bot\n"
    "workflowDefinition:\n"
    "  - stepIdentifier: 1\n"
    "    activity:\n"
    "      uniqueIdentifier: slack:send-message\n"
    "    input:\n"
    "      text: hi\n"
)


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["trail\n", "a\nb", "ok\r", "-x", ".x", "a b"])
def test_a_name_with_a_newline_or_other_mark_is_not_a_resource_name(name: str) -> None:
    assert not is_resource_name(name)


def test_a_file_named_with_a_trailing_newline_is_a_problem(tmp_path: Path) -> None:
    workflows = tmp_path / "stacks" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "trail\n.yaml").write_text(VALID)
    (workflows / "fine.yaml").write_text(VALID.replace("Fine", "Fine 2"))
    loaded, problems = collect_definitions(workflows, Substitutions({}, {}), root=tmp_path)
    assert [workflow.stem for workflow in loaded] == ["fine"]
    [problem] = problems
    assert "the file name 'trail\\n' is used as the resource name; rename the file" in str(problem)
    assert "\n" not in str(problem)


# -- links -------------------------------------------------------------------------------------


def test_a_link_out_of_the_project_is_refused_and_one_inside_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    workflows = root / "stacks" / "workflows"
    workflows.mkdir(parents=True)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(VALID.replace("Fine", "Outside"))
    inside = root / "shared" / "kept.yaml"
    inside.parent.mkdir()
    inside.write_text(VALID.replace("Fine", "Inside"))
    (workflows / "leak.yaml").symlink_to(outside)
    (workflows / "kept.yaml").symlink_to(inside)
    loaded, problems = collect_definitions(workflows, Substitutions({}, {}), root=root)
    assert [workflow.definition.name for workflow in loaded] == ["Inside"]
    [problem] = problems
    assert str(problem).startswith("stacks/workflows/leak.yaml: (whole file): is a symbolic link")
    assert "outside the project" in str(problem) and "copy the definition" in str(problem)
    assert Project.at(root).definition_data("leak") is None


# -- secrets in clear ----------------------------------------------------------------------------


def _stack_file(tmp_path: Path, url: str | None, secrets: dict[str, Any]) -> Path:
    config: dict[str, Any] = {"thena-workflows:secrets": secrets}
    if url:
        config["thena:apiUrl"] = url
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


@pytest.mark.parametrize("url", ["https://workflow-app.thena.ai", None])
def test_a_secret_in_clear_is_a_problem_for_a_real_api(tmp_path: Path, url: str | None) -> None:
    secrets = {"token": "in-clear", "other": {"secure": "v1:abc"}}
    _, problems = read_stack_config(_stack_file(tmp_path, url, secrets), "stacks/Pulumi.s.yaml")
    [problem] = problems
    assert problem.path == "thena-workflows:secrets.token"
    assert "pulumi config set --secret --path 'thena-workflows:secrets.token'" in problem.message
    assert "in-clear" not in str(problem)


def test_a_secret_in_clear_is_fine_for_the_local_emulator(tmp_path: Path) -> None:
    path = _stack_file(tmp_path, "http://127.0.0.1:8787", {"token": "local"})
    assert read_stack_config(path, "stacks/Pulumi.s.yaml")[1] == []


# -- credentials in exported files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("body", '{"headers": {"x": "Authorization: Bearer abcdef123456"}}'),
        ("url", "https://api.example.com/hook?token=abc123def456"),
        ("url", "https://user:pa55word@api.example.com/hook"),
        ("endpoint", "https://hooks.slack.com/services/T000/B000/XXXXXXXX"),
        ("auth", "user:password"),
        ("Cookie", "session=abc"),
        ("signingKey", "whsec_abc"),
        ("basicAuth", "dXNlcjpwYXNz"),
        ("note", "-----BEGIN RSA PRIVATE KEY-----\nMIIE..."),
        ("note", "ghp_" + "a" * 36),
    ],
)
def test_export_leaves_out_values_that_hold_a_credential(key: str, value: str) -> None:
    data = {"workflowDefinition": [{"stepIdentifier": 1, "input": {"nested": [{key: value}]}}]}
    replaced, found = with_secret_placeholders(data, "hook")
    assert value not in str(replaced)
    [placeholder] = found
    assert placeholder.path == f"workflowDefinition[0].input.nested[0].{key}"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("author", "Jane"),
        ("content", "Basic plan upgrade for the account"),
        ("url", "https://api.example.com/hook?token={{context.event.token}}"),
        ("text", "Bearer {{context.token}}"),
        ("ticketId", "{{context.event.message.payload.ticketId}}"),
    ],
)
def test_export_keeps_what_only_looks_close(key: str, value: str) -> None:
    data = {"workflowDefinition": [{"stepIdentifier": 1, "input": {key: value}}]}
    replaced, found = with_secret_placeholders(data, "hook")
    assert found == []
    assert replaced == data


# -- plain HTTP --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8787", True),
        ("http://127.9.9.9", True),
        ("http://localhost:1", True),
        ("http://[::1]:2", True),
        ("http://10.0.0.5:8787", False),
        ("http://workflow-app.thena.ai", False),
        ("http://127.0.0.1.evil.example", False),
    ],
)
def test_plain_http_only_to_this_machine(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
    assert (cleartext_url_problem(url, "thena:apiUrl") is None) is loopback
    assert cleartext_url_problem(url.replace("http", "https", 1), "thena:apiUrl") is None


def test_the_provider_refuses_to_send_the_key_over_plain_http() -> None:
    session = Session(Settings(api_url="http://thena.example.com", api_key="hardening-test-key-3"))
    with pytest.raises(ConfigurationError) as raised:
        session.client()
    assert "thena:apiUrl is http://thena.example.com: plain http://" in str(raised.value)
    assert "use the https:// URL" in str(raised.value)


def test_the_cli_refuses_to_send_the_key_over_plain_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THENA_API_URL", "http://thena.example.com")
    monkeypatch.setenv("THENA_API_KEY", "hardening-test-key-1")
    with pytest.raises(SetupError, match=r"THENA_API_URL is http://thena\.example\.com"):
        from_environment()
    (tmp_path / "stacks").mkdir()
    config = {"thena:apiUrl": "http://10.1.2.3", "thena:apiKey": {"secure": "v1:x"}}
    (tmp_path / "stacks" / "Pulumi.s.yaml").write_text(yaml.safe_dump({"config": config}))
    monkeypatch.setenv("THENA_API_KEY_S", "hardening-test-key-2")
    monkeypatch.setenv("PATH", str(tmp_path))  # no Pulumi CLI to decrypt with
    with pytest.raises(SetupError, match=r"thena:apiUrl of stacks/Pulumi.s.yaml is http://10"):
        for_stack(Project.at(tmp_path), "s")
