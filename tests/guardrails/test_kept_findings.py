"""What the content-only built-in rules found is kept by content: read back when nothing they
depend on changed, found again when anything did, and never the answer of a rule that reads
more than the workflow (the stack's other workflows, a repository's code)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pulumi_thena.definitions.content_cache import ContentStore
from pulumi_thena.guardrails import Rule, RuleContext, enforce, rule
from pulumi_thena.guardrails.enforce import Outcome, Subject, builtin_registry, evaluate
from pulumi_thena.guardrails.registry import RuleRegistry
from pulumi_thena.guardrails.settings import GuardrailSettings, RuleSetting, resolve_enforcement
from tests.guardrails.test_rules import step, wf

CALLS: list[str] = []


@rule("counted", description="Counts its calls.", fix="nothing", options={"limit": 1})
def _counted(definition: Mapping[str, Any], context: RuleContext) -> Iterator[tuple[str, str]]:
    CALLS.append(context.workflow)
    steps = definition["workflowDefinition"]
    if len(steps) > context.options["limit"]:
        yield "workflowDefinition", f"{len(steps)} steps"


COUNTED = replace(_counted, content_only=True)
"""As the package's content-only rules are: built in, reading the definition alone."""


@pytest.fixture(autouse=True)
def _no_calls() -> None:
    CALLS.clear()


@pytest.fixture
def store(tmp_path: Path) -> ContentStore:
    return ContentStore(tmp_path / "findings")


def run(
    subjects: list[Subject],
    store: ContentStore | None,
    *rules: Rule,
    **options: Any,
) -> Outcome:
    known_rules = RuleRegistry(rules or (COUNTED,))
    settings = GuardrailSettings(
        rules={rule_id: RuleSetting(options=value) for rule_id, value in options.items()}
    )
    enforcement, problems = resolve_enforcement(settings, known_rules)
    assert not problems
    return evaluate(subjects, enforcement, stack="test", variables={}, kept=store)


TWO_STEPS = wf(step(1, "a:b"), step(2, "a:c"))


def test_a_second_run_reads_what_the_first_found(store: ContentStore) -> None:
    subjects = [Subject("one.yaml", TWO_STEPS), Subject("two.yaml", wf(step(1, "a:b")))]
    first = run(subjects, store)
    assert CALLS == ["one.yaml", "two.yaml"]
    assert [(v.workflow, v.path, v.why) for v in first.violations] == [
        ("one.yaml", "workflowDefinition", "2 steps")
    ]
    CALLS.clear()
    again = run(subjects, store)
    assert CALLS == []
    assert again == first
    assert run(subjects, None) == first  # and no store: the same answer, found again


def test_a_changed_definition_option_or_schema_is_found_again(store: ContentStore) -> None:
    run([Subject("one.yaml", TWO_STEPS)], store)
    CALLS.clear()
    edited = wf(step(1, "a:b"), step(2, "a:c"), step(3, "a:d"))
    assert run([Subject("one.yaml", edited)], store).violations[0].why == "3 steps"
    assert run([Subject("one.yaml", TWO_STEPS)], store, counted={"limit": 5}).violations == ()
    run([Subject("one.yaml", TWO_STEPS, event_schema={"type": "object"})], store)
    assert CALLS == ["one.yaml"] * 3


def test_the_same_definition_in_another_file_is_named_by_that_file(store: ContentStore) -> None:
    run([Subject("one.yaml", TWO_STEPS)], store)
    CALLS.clear()
    [violation] = run([Subject("copy.yaml", TWO_STEPS)], store).violations
    assert CALLS == []
    assert violation.workflow == "copy.yaml"


def test_a_new_version_of_the_package_finds_again(
    store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    run([Subject("one.yaml", TWO_STEPS)], store)
    monkeypatch.setattr(enforce, "_source_digest", lambda: b"another version")
    run([Subject("one.yaml", TWO_STEPS)], store)
    assert CALLS == ["one.yaml", "one.yaml"]


def test_a_repository_rule_and_a_rule_reading_other_workflows_always_run(
    store: ContentStore,
) -> None:
    theirs = replace(COUNTED, source="guardrails/ours.py")
    stack_wide = replace(COUNTED, content_only=False)
    for known in (theirs, stack_wide):
        run([Subject("one.yaml", TWO_STEPS)], store, known)
        run([Subject("one.yaml", TWO_STEPS)], store, known)
    assert CALLS == ["one.yaml"] * 4
    assert not store.folder.exists()


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        "[]",
        '{"counted": "x"}',
        '{"counted": [["only a path"]]}',
        '{"counted": [[1, 2]]}',
        '{"other": []}',
    ],
)
def test_an_entry_that_is_not_findings_of_these_rules_is_found_again(
    store: ContentStore, stored: str
) -> None:
    first = run([Subject("one.yaml", TWO_STEPS)], store)
    [entry] = store.folder.glob("*.json")
    entry.write_text(stored)
    assert run([Subject("one.yaml", TWO_STEPS)], store) == first
    assert CALLS == ["one.yaml", "one.yaml"]
    assert entry.read_text() != stored  # and kept right


def test_a_store_that_cannot_keep_anything_changes_no_answer(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    blocked = ContentStore(tmp_path / "file" / "findings")
    first = run([Subject("one.yaml", TWO_STEPS)], blocked)
    assert run([Subject("one.yaml", TWO_STEPS)], blocked) == first
    assert CALLS == ["one.yaml", "one.yaml"]


def test_a_definition_json_cannot_hold_is_checked_every_time(store: ContentStore) -> None:
    odd = {**TWO_STEPS, "metadata": {"when": object()}}
    run([Subject("one.yaml", odd)], store)
    run([Subject("one.yaml", odd)], store)
    assert CALLS == ["one.yaml", "one.yaml"]
    assert not store.folder.exists()


def test_every_builtin_rule_but_the_stack_wide_one_is_kept() -> None:
    kept = {known.id for known in builtin_registry() if known.content_only}
    assert {known.id for known in builtin_registry()} - kept == {"unique-workflow-names"}


def test_unique_names_are_found_across_kept_workflows(store: ContentStore) -> None:
    builtins = builtin_registry()
    unique = builtins.get("unique-workflow-names")
    max_steps = builtins.get("max-steps")
    assert unique is not None and max_steps is not None
    subjects = [Subject("a.yaml", TWO_STEPS), Subject("b.yaml", TWO_STEPS)]
    first = run(subjects, store, unique, max_steps)
    again = run(subjects, store, unique, max_steps)
    assert again == first
    assert [(v.rule.id, v.workflow) for v in again.violations] == [
        ("unique-workflow-names", "b.yaml")
    ]


def test_the_stacks_checks_keep_findings_in_the_cache_and_never_a_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``check_guardrails`` (validate, plan, the program) keeps them in the content cache, where
    a secret stands as ``[secret]``, as every rule sees it."""
    from pulumi_thena.definitions import content_cache
    from pulumi_thena.definitions.content_cache import FINDINGS
    from pulumi_thena.definitions.guarding import check_guardrails
    from pulumi_thena.definitions.loader import LoadedWorkflow
    from pulumi_thena.models import WorkflowDefinition

    monkeypatch.setenv(content_cache.ENV, str(tmp_path / "cache"))
    secret = "real-secret-value-1234"
    hook = step(1, "http:webhook", input={"token": secret})
    definition = WorkflowDefinition.model_validate(wf(hook))
    loaded = LoadedWorkflow(
        "x", "x.yaml", definition, secret_paths=("workflowDefinition[0].input.token",)
    )
    enforcement, _ = resolve_enforcement(GuardrailSettings(), builtin_registry())
    first = check_guardrails([loaded], enforcement, stack="test", variables={})
    entries = list((tmp_path / "cache" / FINDINGS).glob("*.json"))
    assert len(entries) == 1
    assert secret not in entries[0].read_text()
    assert check_guardrails([loaded], enforcement, stack="test", variables={}) == first
    monkeypatch.setenv(content_cache.ENV, content_cache.OFF)
    assert check_guardrails([loaded], enforcement, stack="test", variables={}) == first
