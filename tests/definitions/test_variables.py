"""``${var.NAME}`` and ``${secret.NAME}`` placeholders: types, interpolation, errors, secrecy."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_thena.definitions import REDACTED, UNRESOLVED, DefinitionLoadError, Substitutions
from pulumi_thena.definitions.variables import resolve
from tests.definitions.conftest import SECRETS, VALID, Project

FILE = "stacks/workflows/x.yaml"
SECRET_VALUE = SECRETS["hookToken"]
WITH_RETRY = VALID.replace(
    "      content: Escalated",
    "      content: Escalated\n    retryPolicy:\n      maximumAttempts: ${var.attempts}",
)
WITH_SECRET = VALID.replace(
    "      content: Escalated",
    "      content: Escalated\n      headers:\n        Authorization: Bearer ${secret.hookToken}",
)


def test_a_whole_placeholder_keeps_the_variable_type(project: Project) -> None:
    project.write("x.yaml", WITH_RETRY)
    (loaded,) = project.load()
    attempts = loaded.definition.workflow_definition[0].retry_policy
    assert attempts is not None and attempts.maximum_attempts == 3


def test_placeholders_inside_a_string_are_interpolated() -> None:
    data = {"text": "team ${var.team}, ${var.attempts} tries, on: ${var.flag}"}
    subs = Substitutions({"team": "t1", "attempts": 3, "flag": True})
    assert resolve(data, subs, reveal_secrets=True).value == {"text": "team t1, 3 tries, on: true"}


def test_a_whole_placeholder_may_hold_a_list_or_object() -> None:
    subs = Substitutions({"channels": ["#a", "#b"]})
    result = resolve({"to": "${var.channels}"}, subs, reveal_secrets=True)
    assert result.value == {"to": ["#a", "#b"]} and not result.problems


def test_a_list_cannot_be_interpolated() -> None:
    subs = Substitutions({"channels": ["#a"]})
    result = resolve({"to": "x ${var.channels}"}, subs, reveal_secrets=True)
    (problem,) = result.problems
    assert problem.path == "to"
    assert "holds a list, which cannot be put inside a longer string" in problem.message


def test_double_dollar_is_a_literal() -> None:
    subs = Substitutions({"x": 1})
    result = resolve({"t": "cost: $${var.x} and ${var.x}"}, subs, reveal_secrets=True)
    assert result.value == {"t": "cost: ${var.x} and 1"}


def test_keys_are_not_resolved() -> None:
    result = resolve({"${var.x}": 1}, Substitutions({"x": "k"}), reveal_secrets=True)
    assert result.problems[0].message.startswith("placeholders are not resolved in keys")


def test_unknown_variable_names_file_path_and_known_ones(
    only_problem: Callable[[str], str],
) -> None:
    line = only_problem(VALID.replace("${var.team}", "${var.teamid}"))
    assert line == (
        f"{FILE}: teamId: unknown variable 'teamid'; did you mean 'team'? Known variables "
        "(thena-workflows:vars): agent, attempts, team. Fix the name, or add it to the stack: "
        "`pulumi config set --path 'thena-workflows:vars.teamid' <value>` (line 5)"
    )


def test_a_malformed_placeholder(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("${var.team}", "${vars.team}"))
    assert line.startswith(f"{FILE}: teamId: '${{vars.team}}' is not a placeholder;")
    assert "write ${var.NAME} or ${secret.NAME}" in line


def test_unknown_secret_names_the_secret_and_how_to_set_it(project: Project) -> None:
    project.write("x.yaml", WITH_SECRET.replace("hookToken", "hookTokn"))
    (line,) = project.problems()
    assert line.startswith(
        f"{FILE}: workflowDefinition[0].input.headers.Authorization: unknown secret 'hookTokn'; "
        "did you mean 'hookToken'?"
    )
    assert "`pulumi config set --secret --path 'thena-workflows:secrets.hookTokn' <value>`" in line
    assert SECRET_VALUE not in line


def test_a_secret_outside_step_inputs_is_refused(only_problem: Callable[[str], str]) -> None:
    line = only_problem(VALID.replace("name: Escalation note", "name: ${secret.hookToken}"))
    assert line.startswith(f"{FILE}: name: secret 'hookToken' is used outside a step input;")
    assert SECRET_VALUE not in line


def test_a_secret_is_resolved_and_its_place_recorded(project: Project) -> None:
    project.write("x.yaml", WITH_SECRET)
    (loaded,) = project.load()
    headers = loaded.definition.workflow_definition[0].input["headers"]
    assert headers == {"Authorization": f"Bearer {SECRET_VALUE}"}
    assert loaded.secret_paths == ("workflowDefinition[0].input.headers.Authorization",)
    assert loaded.uses_secrets
    assert SECRET_VALUE not in repr(loaded)


def test_secrets_in_compensation_inputs_are_allowed(project: Project) -> None:
    text = VALID.replace(
        "      content: Escalated",
        "      content: Escalated\n"
        "    compensationActivity:\n"
        "      activity: {uniqueIdentifier: http:webhook}\n"
        "      input: {token: '${secret.hookToken}'}",
    )
    project.write("x.yaml", text)
    (loaded,) = project.load()
    assert loaded.secret_paths == ("workflowDefinition[0].compensationActivity.input.token",)


def test_secret_values_never_appear_in_messages(project: Project) -> None:
    # A file with a secret and several other mistakes: no message may show the value.
    text = WITH_SECRET.replace("  - stepIdentifier: 2", "  - stepIdentifier: two")
    text = text.replace("Bearer ${secret.hookToken}", "${secret.hookToken}")
    text = text.replace(
        "      content: Escalated", "      content: Escalated\n      x: ${var.nope}"
    )
    project.write("x.yaml", text)
    with pytest.raises(DefinitionLoadError) as caught:
        project.load()
    assert len(caught.value.problems) == 2
    assert SECRET_VALUE not in str(caught.value)
    assert SECRET_VALUE not in repr(caught.value.problems)


def test_a_secret_whose_value_does_not_fit_is_reported_without_it() -> None:
    data = {"workflowDefinition": [{"input": {"t": "x ${secret.s}"}}]}
    subs = Substitutions(secrets={"s": {"nested": "hidden"}})
    (problem,) = resolve(data, subs, reveal_secrets=True).problems
    assert problem.path == "workflowDefinition[0].input.t"
    assert "holds a dict" in problem.message and "hidden" not in problem.message


def test_validation_never_sees_the_real_secret() -> None:
    data = {"workflowDefinition": [{"input": {"t": "${secret.s}"}}]}
    result = resolve(data, Substitutions(secrets={"s": "value"}), reveal_secrets=False)
    assert result.value["workflowDefinition"][0]["input"]["t"] == REDACTED


def test_an_unreadable_secret_stays_a_placeholder() -> None:
    data = {"workflowDefinition": [{"input": {"t": "Bearer ${secret.s}"}}]}
    result = resolve(data, Substitutions(secrets={"s": UNRESOLVED}), reveal_secrets=True)
    assert result.value["workflowDefinition"][0]["input"]["t"] == "Bearer ${secret.s}"
    assert not result.problems


def test_substitutions_repr_hides_values() -> None:
    subs = Substitutions({"team": "t"}, {"token": SECRET_VALUE})
    assert SECRET_VALUE not in repr(subs) and "token" in repr(subs)
