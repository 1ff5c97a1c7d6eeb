"""``thena-workflows:guardrails`` in a stack file, and a repository's own rule modules.

A wrong setting is a problem of the stack file naming the key and what to write (an unknown
rule id or option with the closest one); a module that cannot be used is a problem naming its
entry and the file, and the built-in rules still run.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK
from pulumi_thena.definitions import DefinitionLoadError
from tests.guardrails.cases import BY_RULE
from tests.guardrails.conftest import SECRETS, Workspace
from tests.stacks.harness import run_program

STACK = "stacks/Pulumi.test.yaml"
SETTING = "thena-workflows:guardrails"
CLEAN = BY_RULE["retry-on-external"].passing


def problems(workspace: Workspace, setting: Any) -> list[str]:
    workspace.guard(setting)
    workspace.write("wf", CLEAN)
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_ERROR, result.output
    return [
        f"{p['file']}: {p['path']}: {p['message']}" for p in json.loads(result.stdout)["problems"]
    ]


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (
            ["retry-on-external"],
            f"{SETTING}: must be an object {{modules: [<file.py>, ...], rules: {{<rule id>: "
            "disabled|advisory|mandatory, or {level: ..., <option>: <value>}}}",
        ),
        ({"rule": {}}, f"{SETTING}.rule: unknown key; did you mean 'rules'? Known: modules, rules"),
        (
            {"rules": {"retry-on-external": "mandatry"}},
            f"{SETTING}.rules.retry-on-external: must be one of disabled, advisory, mandatory "
            "(got 'mandatry'); did you mean 'mandatory'?",
        ),
        (
            {"rules": {"retry-on-extrnal": "mandatory"}},
            f"{SETTING}.rules.retry-on-extrnal: no rule is called 'retry-on-extrnal'; did you "
            "mean 'retry-on-external'? Rules: approval-before-destructive, retry-on-external,",
        ),
        (
            {"rules": {"max-steps": {"maximun": 5}}},
            f"{SETTING}.rules.max-steps.maximun: rule 'max-steps' has no option 'maximun'; did "
            "you mean 'maximum'? Options: maximum",
        ),
        (
            {"rules": {"max-steps": {"maximum": "five"}}},
            f"{SETTING}.rules.max-steps.maximum: must be a whole number, like its default 20 "
            "(got 'five')",
        ),
        (
            {"rules": {"retry-on-external": {"activities": "slack:*"}}},
            f"{SETTING}.rules.retry-on-external.activities: must be a list, like its default",
        ),
        (
            {"rules": {"no-clear-credentials": {"strict": True}}},
            f"{SETTING}.rules.no-clear-credentials.strict: rule 'no-clear-credentials' has no "
            "options; only 'level' can be set",
        ),
        ({"modules": "ours.py"}, f"{SETTING}.modules: must be a list of Python files"),
    ],
)
def test_a_wrong_setting_names_the_key_and_what_to_write(
    workspace: Workspace, setting: Any, expected: str
) -> None:
    [problem] = problems(workspace, setting)
    assert problem.startswith(f"{STACK}: {expected}"), problem


def test_the_program_reports_a_wrong_setting_before_declaring(workspace: Workspace) -> None:
    workspace.guard({"rules": {"retry-on-extrnal": "mandatory"}})
    workspace.write("wf", CLEAN)
    with pytest.raises(DefinitionLoadError) as caught:
        run_program("test", secrets=SECRETS, project=workspace.root)
    assert f"{STACK}: {SETTING}.rules.retry-on-extrnal: no rule is called" in str(caught.value)


def test_options_reach_the_rule(workspace: Workspace) -> None:
    workspace.guard({"rules": {"retry-on-external": {"level": "mandatory", "minimumAttempts": 4}}})
    workspace.write("wf", CLEAN)  # maximumAttempts: 3
    result = workspace.run("validate", "--stack", "test", "--json")
    [problem] = json.loads(result.stdout)["problems"]
    assert "with maximumAttempts 3; this stack asks for at least 4 attempts" in problem["message"]


def test_a_rule_left_out_keeps_its_own_level(workspace: Workspace) -> None:
    workspace.guard({"rules": {"max-steps": "mandatory"}})
    workspace.write("wf", BY_RULE["retry-on-external"].violating)
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["message"].startswith("[advisory] retry-on-external:")


# the repository's own rules ----------------------------------------------------------------

OURS = """\
from pulumi_thena.guardrails import rule


@rule(
    "owner-in-metadata",
    description="Every workflow names the team that owns it in metadata.owner.",
    fix="add metadata: {owner: <team>}",
    level="mandatory",
    options={"key": "owner"},
)
def owner_in_metadata(definition, context):
    if context.options["key"] not in definition.get("metadata", {}):
        yield "metadata", f"no metadata.{context.options['key']} (stack {context.stack})"


RULES = [owner_in_metadata]
"""


def with_module(workspace: Workspace, source: str, setting: dict[str, Any] | None = None) -> Any:
    """``validate --stack test`` with ``guardrails/ours.py`` holding ``source``."""
    (workspace.root / "guardrails").mkdir(exist_ok=True)
    (workspace.root / "guardrails" / "ours.py").write_text(textwrap.dedent(source))
    workspace.guard({"modules": ["guardrails/ours.py"], **(setting or {})})
    workspace.write("wf", CLEAN)
    return workspace.run("validate", "--stack", "test", "--json")


def test_a_repository_rule_runs_like_a_built_in_one(workspace: Workspace) -> None:
    result = with_module(workspace, OURS)
    assert result.exit_code == EXIT_ERROR
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["path"] == "metadata" and problem["rule"] == "owner-in-metadata"
    assert problem["message"] == (
        "[mandatory] owner-in-metadata: no metadata.owner (stack test). Fix: add metadata: "
        "{owner: <team>}"
    )
    listed = workspace.run("guardrails", "list", "--stack", "test", "--json")
    rules = {r["id"]: r for r in json.loads(listed.stdout)["rules"]}
    assert rules["owner-in-metadata"]["source"] == "guardrails/ours.py"
    assert rules["owner-in-metadata"]["level"] == "mandatory"


def test_a_stack_sets_a_repository_rule_like_any_other(workspace: Workspace) -> None:
    setting = {"rules": {"owner-in-metadata": {"level": "advisory", "key": "team"}}}
    result = with_module(workspace, OURS, setting)
    assert result.exit_code == EXIT_OK
    [warning] = json.loads(result.stdout)["warnings"]
    assert warning["message"].startswith("[advisory] owner-in-metadata: no metadata.team")


def test_a_file_exempts_itself_from_a_repository_rule(workspace: Workspace) -> None:
    (workspace.root / "guardrails").mkdir()
    (workspace.root / "guardrails" / "ours.py").write_text(OURS)
    workspace.guard({"modules": ["guardrails/ours.py"]})
    exempt = "guardrailExemptions: [{rule: owner-in-metadata, reason: shared by every team}]\n"
    workspace.write("wf", CLEAN.replace("workflowDefinition:", exempt + "workflowDefinition:"))
    result = workspace.run("validate", "--stack", "test", "--json")
    assert result.exit_code == EXIT_OK, result.output
    [exempted] = json.loads(result.stdout)["exempted"]
    assert exempted["rule"] == "owner-in-metadata"


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("RULES = [\n", "'guardrails/ours.py' does not import: SyntaxError"),
        (
            "x = 1 / 0\nRULES = []\n",
            "does not import: ZeroDivisionError: division by zero (line 1)",
        ),
        ("import no_such_module\n", "does not import: ModuleNotFoundError: No module named"),
        ("OTHER = []\n", "'guardrails/ours.py' defines no RULES; end it with `RULES = [<rule>"),
        ("RULES = 'all'\n", "'guardrails/ours.py': RULES is a str; make it a list of rules"),
        ("RULES = [len]\n", "RULES[0] is a builtin_function_or_method, not a Rule; make it with"),
        (
            "from pulumi_thena.guardrails import rule\n"
            "@rule('Bad Id', description='d', fix='f')\ndef bad(d, c):\n    return []\n",
            "does not import: RuleDefinitionError: rule 'Bad Id': the id must be lowercase words",
        ),
        (
            "from pulumi_thena.guardrails import rule\n"
            "@rule('max-steps', description='d', fix='f')\ndef mine(d, c):\n    return []\n"
            "RULES = [mine]\n",
            "rule 'max-steps' (guardrails/ours.py) has the id of a rule that exists already",
        ),
    ],
)
def test_a_module_that_cannot_be_used_says_why_and_the_rest_still_runs(
    workspace: Workspace, source: str, says: str
) -> None:
    workspace.write("other", BY_RULE["max-steps"].violating)  # a built-in finding
    result = with_module(
        workspace, source, {"rules": {"max-steps": {"level": "mandatory", "maximum": 2}}}
    )
    assert result.exit_code == EXIT_ERROR
    lines = [f"{p['path']}: {p['message']}" for p in json.loads(result.stdout)["problems"]]
    assert any(line.startswith(f"{SETTING}.modules[0]: ") and says in line for line in lines), lines
    assert any("max-steps" in line for line in lines), lines


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("guardrails/missing.py", "'guardrails/missing.py' does not exist"),
        ("../outside.py", "'../outside.py' is outside the project; rules are read from the"),
        ("/etc/hostname.py", "is an absolute path; give the file's path from the project"),
        ("stacks/Pulumi.test.yaml", "is not a Python file (.py)"),
    ],
)
def test_a_module_is_read_from_inside_the_project_only(
    workspace: Workspace, entry: str, says: str
) -> None:
    (workspace.root.parent / "outside.py").write_text("RULES = []\n")
    [problem] = problems(workspace, {"modules": [entry]})
    assert problem.startswith(f"{STACK}: {SETTING}.modules[0]: ") and says in problem


def test_a_link_out_of_the_project_is_refused(workspace: Workspace) -> None:
    (workspace.root.parent / "outside.py").write_text("RULES = []\n")
    (workspace.root / "linked.py").symlink_to(workspace.root.parent / "outside.py")
    [problem] = problems(workspace, {"modules": ["linked.py"]})
    assert "'linked.py' is outside the project" in problem


def test_a_rule_that_fails_names_its_module(workspace: Workspace) -> None:
    source = """\
        from pulumi_thena.guardrails import rule

        @rule("reads-a-missing-key", description="d", fix="f", level="mandatory")
        def reads(definition, context):
            return [("", definition["nothing"])]

        RULES = [reads]
        """
    result = with_module(workspace, source)
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["message"] == (
        "[mandatory] reads-a-missing-key: the rule failed on this workflow (KeyError: "
        "'nothing'); fix the rule in guardrails/ours.py. Fix: f"
    )
