"""Paths corrected without code: ``thena:apiPaths`` (provider and CLI) and ``THENA_API_PATHS``.

Validated as ``ApiPaths`` is: an unknown name, a missing or extra placeholder, or a value that is
not an object is a one-line error naming the setting and what to do, and never the key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.cli import credentials
from pulumi_thena.cli.errors import SetupError
from pulumi_thena.client import ApiPaths
from pulumi_thena.client.assumptions import api_paths_from
from pulumi_thena.definitions.project import Project
from pulumi_thena.emulator import EmulatorServer
from pulumi_thena.resources import Session, Settings
from pulumi_thena.resources.errors import ConfigurationError
from tests.client.fakes import Script, make_client, ok, workflow_json
from tests.e2e.engine import require_pulumi
from tests.reliability.harness import new_api_key, open_deployment, workflow_yaml

ACTIVATE = "/api/v1/workflows/{unique_identifier}/activate"
KEY = "tk_paths_SECRET-0123456789"


def test_an_object_overrides_the_named_paths_only() -> None:
    paths = api_paths_from({"toggle": ACTIVATE, "filterOperators": "/api/v1/operators"}, "here")
    assert paths.toggle == ACTIVATE
    assert paths.filter_operators == "/api/v1/operators"
    assert paths.workflow == ApiPaths().workflow
    assert paths.overrides() == {"filter_operators": "/api/v1/operators", "toggle": ACTIVATE}


def test_json_text_is_read_and_nothing_means_the_assumed_paths() -> None:
    assert api_paths_from(json.dumps({"toggle": ACTIVATE}), "here").toggle == ACTIVATE
    assert api_paths_from(None, "here") == ApiPaths() == api_paths_from("  ", "here")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"togle": ACTIVATE}, "SRC: no path is named 'togle'; use one of filter_operators,"),
        ({"toggle": "/api/v1/workflows/toggle"}, "SRC.toggle = '/api/v1/workflows/toggle' must"),
        (
            {"toggle": "/x/{unique_identifier}/{id}"},
            "must contain {unique_identifier}; it has {id}",
        ),
        ({"events": "/x/{team}"}, "must contain no placeholder; it has {team}"),
        ({"workflow": "/x/{unique_identifier"}, "is not a path template"),
        ({"toggle": 7}, "SRC.toggle must be a path starting with '/', got 7"),
        ({"tasks": "x/{execution_id}"}, "must be a path starting with '/'"),
        ('{"toggle": ', "SRC is not JSON; write an object of path names to paths"),
        ('["/a"]', "SRC must be an object of path names to paths"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(value: Any, expected: str) -> None:
    with pytest.raises(ValueError) as caught:
        api_paths_from(value, "SRC")
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_the_key_never_shows_in_a_paths_error() -> None:
    make_client(Script(ok([])))  # the client registers its key as a secret
    from tests.client.fakes import API_KEY

    with pytest.raises(ValueError) as caught:
        api_paths_from({"toggle": f"/{API_KEY}"}, "SRC")
    assert API_KEY not in str(caught.value)


def test_the_client_calls_the_overridden_path() -> None:
    script = Script(ok(workflow_json()))
    client = make_client(script, paths=api_paths_from({"toggle": ACTIVATE}, "here"))
    client.toggle_workflow("wf-1")
    assert script.requests[0].url.path == "/api/v1/workflows/wf-1/activate"


# --- the provider ---------------------------------------------------------------------------


@pytest.fixture
def no_paths_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("THENA_API_PATHS", raising=False)
    return monkeypatch


@pytest.mark.parametrize("value", [{"toggle": ACTIVATE}, json.dumps({"toggle": ACTIVATE})])
def test_the_provider_reads_thena_api_paths(no_paths_env: pytest.MonkeyPatch, value: Any) -> None:
    config = {"thena:apiKey": KEY, "thena:apiPaths": value}
    settings = Settings.from_config(config.get)
    assert settings.api_paths.toggle == ACTIVATE
    assert Session(settings).client().paths.toggle == ACTIVATE
    assert KEY not in repr(settings) and ACTIVATE in repr(settings)


def test_the_provider_falls_back_to_thena_api_paths_env(no_paths_env: pytest.MonkeyPatch) -> None:
    no_paths_env.setenv("THENA_API_PATHS", json.dumps({"toggle": ACTIVATE}))
    assert Settings.from_config({"thena:apiKey": KEY}.get).api_paths.toggle == ACTIVATE
    stack_wins = {"thena:apiKey": KEY, "thena:apiPaths": {"events": "/api/v1/events"}}
    settings = Settings.from_config(stack_wins.get)
    assert settings.api_paths.toggle == ApiPaths().toggle
    assert settings.api_paths.events == "/api/v1/events"


@pytest.mark.parametrize(
    ("config", "env", "expected"),
    [
        ({"thena:apiPaths": {"togle": ACTIVATE}}, None, "the stack config thena:apiPaths: no path"),
        ({}, '{"toggle": "/nope"}', "THENA_API_PATHS.toggle = '/nope' must contain"),
    ],
)
def test_a_bad_provider_setting_is_a_configuration_error(
    no_paths_env: pytest.MonkeyPatch, config: dict[str, Any], env: str | None, expected: str
) -> None:
    if env is not None:
        no_paths_env.setenv("THENA_API_PATHS", env)
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_config({"thena:apiKey": KEY, **config}.get)
    assert expected in str(caught.value) and KEY not in str(caught.value)


# --- the CLI --------------------------------------------------------------------------------


def stack_project(tmp_path: Path, config: dict[str, Any]) -> Project:
    (tmp_path / "Pulumi.yaml").write_text("name: paths-test\nruntime: python\nmain: stacks/\n")
    (tmp_path / "stacks").mkdir()
    stack_file = tmp_path / "stacks" / "Pulumi.dev.yaml"
    stack_file.write_text(yaml.safe_dump({"config": {"thena:apiKey": KEY, **config}}))
    return Project.at(tmp_path)


def test_the_cli_reads_the_stacks_api_paths(tmp_path: Path, no_paths_env: Any) -> None:
    project = stack_project(tmp_path, {"thena:apiPaths": {"toggle": ACTIVATE}})
    creds = credentials.for_stack(project, "dev")
    assert creds.api_paths.toggle == ACTIVATE
    assert KEY not in repr(creds)


def test_the_cli_takes_thena_api_paths_without_a_stack_setting(
    tmp_path: Path, no_paths_env: pytest.MonkeyPatch
) -> None:
    no_paths_env.setenv("THENA_API_PATHS", json.dumps({"toggle": ACTIVATE}))
    no_paths_env.setenv("THENA_API_KEY", KEY)
    assert credentials.from_environment().api_paths.toggle == ACTIVATE
    assert credentials.for_stack(stack_project(tmp_path, {}), "dev").api_paths.toggle == ACTIVATE


def test_a_bad_stack_setting_names_the_stack_file(tmp_path: Path, no_paths_env: Any) -> None:
    project = stack_project(tmp_path, {"thena:apiPaths": {"toggle": "/api/v1/{id}/toggle"}})
    with pytest.raises(SetupError) as caught:
        credentials.for_stack(project, "dev")
    message = str(caught.value)
    assert message.startswith("stacks/Pulumi.dev.yaml: thena:apiPaths.toggle = ")
    assert "must contain {unique_identifier}; it has {id}" in message
    assert KEY not in message and "\n" not in message


@pytest.mark.e2e
def test_the_engine_hands_thena_api_paths_to_the_provider(tmp_path: Path) -> None:
    """Set with `pulumi config set --path`, the object reaches the provider's configure."""
    binary = require_pulumi()
    files = {"wf-1.yaml": workflow_yaml(1)}
    with EmulatorServer(port=0, api_key=new_api_key()) as server:
        deployment = open_deployment(tmp_path, binary, files, server)
        try:
            deployment.pulumi("config", "set", "--path", "thena:apiPaths.toggle", ACTIVATE)
            deployment.set_activation("wf-1", False)  # the create is followed by a toggle
            outcome = deployment.up()
        finally:
            deployment.close()
    # The emulator has no such route: the toggle went to the path the stack config names.
    assert re.search(r"POST /api/v1/workflows/[^/ ]+/activate -> 404", outcome.describe())
