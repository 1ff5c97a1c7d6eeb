"""``thena-workflows init`` and ``schema`` in-process: what a new repository holds, that nothing
is ever overwritten, ``--from-org`` against the emulator, and the ``pulumi new`` template check.
The engine runs on a new repository in ``test_installed_package.py``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli
from pulumi_thena.definitions import project_schemas, render_schema
from pulumi_thena.diff import OWNER_METADATA_KEY
from pulumi_thena.scaffold import (
    LOCAL_ENCRYPTION_SALT,
    STARTER_FILE,
    STARTER_TEST_FILE,
    template_files,
)
from pulumi_thena.scaffold.template import TEMPLATE_DIR, differences
from tests.docs.markdown import REPO

VERSION_PIN = "pulumi-thena=="


def _run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    environment = {"THENA_RETRIES": "0", "THENA_RATE_LIMIT_RPS": "off", "COLUMNS": "200"}
    environment.update(env or {})
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args), env=environment)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        return runner.invoke(cli, list(args), env=environment)


def _tree(root: Path) -> dict[str, str]:
    """Every file and link under ``root``: text, or ``-> target`` for a link."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = f"-> {path.readlink()}"
        elif path.is_file():
            found[name] = path.read_text(encoding="utf-8")
    return found


def _config(root: Path, stack: str) -> dict[str, Any]:
    data = yaml.safe_load((root / "stacks" / f"Pulumi.{stack}.yaml").read_text())
    return data


def test_a_new_repository_holds_every_file_and_validates(tmp_path: Path) -> None:
    root = tmp_path / "support-workflows"
    result = _run("init", str(root), "--env", "dev, staging ,prod")
    assert result.exit_code == EXIT_OK, result.output
    tree = _tree(root)
    assert set(tree) == {
        ".github/workflows/thena-workflows.yml",
        ".gitignore",
        "Pulumi.yaml",
        "README.md",
        "requirements.txt",
        "stacks/.venv",
        "stacks/Pulumi.dev.yaml",
        "stacks/Pulumi.local.yaml",
        "stacks/Pulumi.prod.yaml",
        "stacks/Pulumi.staging.yaml",
        "stacks/__main__.py",
        "stacks/workflow.schema.json",
        "stacks/workflow-test.schema.json",
        STARTER_FILE,
        STARTER_TEST_FILE,
    }
    assert tree["stacks/.venv"] == "-> ../.venv"
    project = yaml.safe_load(tree["Pulumi.yaml"])
    assert project["name"] == "support-workflows"
    assert project["main"] == "stacks/" and project["stackConfigDir"] == "stacks/"
    assert project["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv"},
    }
    assert "template" not in project
    for name, schema in project_schemas().items():
        assert tree[name] == schema
    version = CliRunner().invoke(cli, ["--version"]).stdout.split()[-1]
    assert f"{VERSION_PIN}{version}\n" in tree["requirements.txt"]
    assert ".pulumi-local/" in tree[".gitignore"].splitlines()
    validated = _run("--project-dir", str(root), "validate", "--all-stacks", "--json")
    assert validated.exit_code == EXIT_OK, validated.output
    report = json.loads(validated.stdout)
    assert report["valid"] is True
    assert [r["stack"] for r in report["stacks"]] == ["dev", "local", "prod", "staging"]
    assert {f for r in report["stacks"] for f in r["files"]} == {STARTER_FILE}
    tested = _run("--project-dir", str(root), "test", "--all-stacks")
    assert tested.exit_code == EXIT_OK, tested.output
    assert tested.stdout.count("2 case(s) in 1 file(s)") == 4  # dev, local, prod, staging


def test_the_starter_test_fails_when_the_starter_stops_matching(tmp_path: Path) -> None:
    # The first scaffold filtered on `priority`, which a ticket event does not have: no real
    # event ever matched it. Its test says so.
    root = tmp_path / "repo"
    assert _run("init", str(root)).exit_code == EXIT_OK
    starter = root / STARTER_FILE
    starter.write_text(starter.read_text().replace("ticket.priority:", "priority:"))
    tested = _run("--project-dir", str(root), "test", "--stack", "dev")
    assert tested.exit_code == EXIT_ERROR
    assert "filters.priority.~eq: the field is missing" in tested.stdout


def test_the_stacks_settings(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert _run("init", str(root), "--env", "dev,staging,prod").exit_code == EXIT_OK
    local = _config(root, "local")
    assert local["encryptionsalt"] == LOCAL_ENCRYPTION_SALT
    assert local["config"]["thena:apiUrl"] == "http://127.0.0.1:8787"
    assert local["config"]["thena:apiKey"] == "thena-local-emulator-key"
    # This repository's local stack has the same salt, and its passphrase `local` opens it in
    # the end-to-end tests; the new repository's own `up` (test_installed_package) too.
    ours = yaml.safe_load((REPO / "stacks" / "Pulumi.local.yaml").read_text())
    assert ours["encryptionsalt"] == LOCAL_ENCRYPTION_SALT
    for env in ("dev", "staging", "prod"):
        config = _config(root, env)["config"]
        assert "thena:apiKey" not in config  # set encrypted, as the comments say
        assert config["thena-workflows:vars"]["supportTeamId"] == f"REPLACE-{env}-support-team-id"
        text = (root / "stacks" / f"Pulumi.{env}.yaml").read_text()
        assert f"pulumi config set --secret thena:apiKey <key> --stack {env}" in text
        guarded = env == "prod"
        assert config.get("thena-workflows:protect", False) is guarded
        assert config.get("thena-workflows:retainOnDelete", False) is guarded
        rules = config.get("thena-workflows:guardrails", {}).get("rules", {})
        assert set(rules.values()) == ({"mandatory"} if guarded else set())
        assert ("retry-on-external" in rules) is guarded
    listed = _run("--project-dir", str(root), "guardrails", "list", "--stack", "prod", "--json")
    assert listed.exit_code == EXIT_OK, listed.output
    levels = {rule["id"]: rule["level"] for rule in json.loads(listed.stdout)["rules"]}
    assert levels["approval-before-destructive"] == "mandatory"


def test_the_pipeline_promotes_in_the_order_given(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert _run("init", str(root), "--env", "qa,prod").exit_code == EXIT_OK
    pipeline = yaml.safe_load((root / ".github/workflows/thena-workflows.yml").read_text())
    jobs = pipeline["jobs"]
    assert list(jobs) == ["validate", "preview-qa", "deploy-qa", "deploy-prod", "drift"]
    assert jobs["deploy-prod"]["needs"] == "deploy-qa"
    assert jobs["deploy-prod"]["environment"] == "prod"
    assert jobs["drift"]["strategy"]["matrix"]["stack"] == ["qa", "prod"]
    steps = [step.get("run", "") for job in jobs.values() for step in job["steps"]]
    installs = [run for run in steps if "pip install" in run]
    assert len(installs) == len(jobs)
    assert all(run.endswith("pip install -r requirements.txt") for run in installs)
    assert ".venv/bin/thena-workflows validate --all-stacks" in steps
    assert ".venv/bin/thena-workflows test --all-stacks" in steps
    assert ".venv/bin/thena-workflows schema --check" in steps
    assert "pulumi up --yes --stack prod --diff" in steps


def test_init_overwrites_nothing_and_names_the_first_existing_path(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "stacks" / "workflows").mkdir(parents=True)
    (root / "stacks" / "Pulumi.prod.yaml").write_text("config: {}\n")
    (root / "README.md").write_text("ours\n")
    (root / ".venv").mkdir()  # a virtual environment made first is fine
    result = _run("init", str(root))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.splitlines() == [
        f"error: {root}/README.md exists; init overwrites nothing, and wrote nothing: choose a "
        "new directory or move that path away"
    ]
    assert _tree(root) == {"README.md": "ours\n", "stacks/Pulumi.prod.yaml": "config: {}\n"}


@pytest.mark.parametrize(
    ("existing", "named"),
    [
        ("stacks/.venv", "stacks/.venv"),  # a link, even a dangling one
        ("stacks", "stacks"),  # a file where a folder goes
    ],
)
def test_a_link_or_a_file_in_the_way_counts(tmp_path: Path, existing: str, named: str) -> None:
    root = tmp_path / "repo"
    path = root / existing
    path.parent.mkdir(parents=True)
    if existing.endswith(".venv"):
        path.symlink_to("nowhere")
    else:
        path.write_text("")
    result = _run("init", str(root))
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith(f"error: {root}/{named} exists;")
    assert len(list(root.rglob("*"))) == (1 if existing == "stacks" else 2)


def test_init_into_the_current_directory_names_it_after_it(tmp_path: Path) -> None:
    root = tmp_path / "Team_Flows.v2"
    root.mkdir()
    result = _run("init", ".", "--env", "prod", cwd=root)
    assert result.exit_code == EXIT_OK, result.output
    assert yaml.safe_load((root / "Pulumi.yaml").read_text())["name"] == "Team_Flows.v2"
    assert "cd " not in result.stdout  # already there
    config = _config(root, "prod")["config"]
    assert config["thena-workflows:protect"] is True  # the only environment is the last one


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--env", "dev,local"], "'local' is the emulator's stack"),
        (["--env", "dev,Prod"], "'Prod' cannot name a stack"),
        (["--env", "dev,dev"], "--env names dev more than once"),
        (["--env", " , "], "--env names no environment"),
        (["--project", "my flows"], "'my flows' is not a Pulumi project name"),
        (["--stack", "dev"], "--stack and --team go with --from-org"),
    ],
)
def test_bad_names_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = _run("init", str(tmp_path / "repo"), *args)
    assert result.exit_code == EXIT_USAGE
    assert message in result.output
    assert not (tmp_path / "repo").exists()


def test_from_org_adopts_unmanaged_workflows_and_leaves_managed_ones(
    tmp_path: Path, thena_emulator: Any
) -> None:
    steps = [
        {
            "stepIdentifier": 1,
            "activity": {"uniqueIdentifier": "slack:send-message"},
            "input": {"channel": "#support", "text": "hello", "apiToken": "tok-123-secret"},
        }
    ]
    common = {"executingAgent": "bot-1", "teamId": "team-1", "workflowDefinition": steps}
    thena_emulator.control.seed(
        workflows=[
            {"name": "Welcome note", "triggerEvent": "ticket:created", **common},
            {"name": "Escalate", "triggerEvent": "ticket:escalated", **common},
            {
                "name": "Owned elsewhere",
                "triggerEvent": "ticket:created",
                "metadata": {OWNER_METADATA_KEY: "other-repo/dev/owned-elsewhere"},
                **common,
            },
        ]
    )
    root = tmp_path / "repo"
    env = {"THENA_API_URL": thena_emulator.base_url, "THENA_API_KEY": thena_emulator.api_key}
    result = _run("init", str(root), "--from-org", "--json", env=env)
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert sorted(f["file"] for f in report["adopted"]) == ["escalate.yaml", "welcome-note.yaml"]
    assert [s["owner"] for s in report["skipped"]] == ["other-repo/dev/owned-elsewhere"]
    workflows = root / "stacks" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == ["escalate.yaml", "welcome-note.yaml"]
    welcome = yaml.safe_load((workflows / "welcome-note.yaml").read_text())
    assert welcome["adoptExisting"] is True
    assert welcome["triggerEvent"] == "ticket:created"
    token = welcome["workflowDefinition"][0]["input"]["apiToken"]
    assert token == "${secret.welcomeNoteApiToken}"
    assert "tok-123-secret" not in result.output + "".join(_tree(root).values())
    assert "thena-workflows:vars" not in _config(root, "local")["config"]  # no starter, no vars
    assert thena_emulator.api_key not in result.output
    # Adopted workflows may break the guardrails: prod lists them, commented out, to enforce
    # once validate shows the files follow them; no test file is written for them.
    assert "thena-workflows:guardrails" not in _config(root, "prod")["config"]
    assert "#     retry-on-external: mandatory" in (root / "stacks/Pulumi.prod.yaml").read_text()
    assert not (root / "stacks" / "tests").exists()


def test_from_org_without_a_key_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    result = _run("init", str(root), "--from-org", env={"THENA_API_KEY": ""})
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.startswith("error: no Thena API key: set THENA_API_KEY")
    assert not root.exists()


def test_from_org_with_an_empty_org_keeps_the_folder(tmp_path: Path, thena_emulator: Any) -> None:
    root = tmp_path / "repo"
    env = {"THENA_API_URL": thena_emulator.base_url, "THENA_API_KEY": thena_emulator.api_key}
    assert _run("init", str(root), "--from-org", env=env).exit_code == EXIT_OK
    assert [p.name for p in (root / "stacks" / "workflows").iterdir()] == [".gitkeep"]


def test_schema_writes_and_checks_the_installed_versions_schema(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    assert _run("init", str(root)).exit_code == EXIT_OK
    schema = root / "stacks" / "workflow.schema.json"
    assert _run("--project-dir", str(root), "schema", "--check").exit_code == EXIT_OK
    schema.write_text("{}\n")
    checked = _run("--project-dir", str(root), "schema", "--check")
    assert checked.exit_code == EXIT_ERROR
    assert "run `thena-workflows schema`" in checked.stderr
    assert schema.read_text() == "{}\n"
    assert _run("--project-dir", str(root), "schema").exit_code == EXIT_OK
    assert schema.read_text() == render_schema()
    (root / "stacks" / "workflow-test.schema.json").unlink()
    checked = _run("--project-dir", str(root), "schema", "--check")
    assert checked.exit_code == EXIT_ERROR
    assert "stacks/workflow-test.schema.json: not the schema" in checked.stderr
    assert _run("--project-dir", str(root), "schema").exit_code == EXIT_OK
    assert _run("--project-dir", str(root), "schema", "--check").exit_code == EXIT_OK


def test_the_pulumi_new_template_is_the_scaffold() -> None:
    done = subprocess.run(
        [str(REPO / "scripts" / "generate-template"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    wanted = template_files()
    assert yaml.safe_load(wanted["Pulumi.yaml"])["name"] == "${PROJECT}"
    assert "stacks/.venv" not in wanted  # pulumi new copies files only; its README says so
    assert "ln -s ../.venv stacks/.venv" in wanted["README.md"]


def test_the_template_check_sees_drift(tmp_path: Path) -> None:
    copy = tmp_path / "template"
    shutil.copytree(REPO / TEMPLATE_DIR, copy)
    wanted = template_files()
    assert differences(copy, wanted) == []
    (copy / "requirements.txt").write_text("pulumi-thena==0.0.1\n")
    (copy / "stacks" / "extra.yaml").write_text("")
    (copy / "stacks" / "workflow.schema.json").unlink()
    assert differences(copy, wanted) == [
        "stacks/workflow.schema.json: missing",
        "stacks/extra.yaml: not part of the scaffold",
        "requirements.txt: differs from the scaffold",
    ]
