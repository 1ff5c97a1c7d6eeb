"""The Pulumi program's side: stack settings from the engine, then one Workflow per selected file.

``stacks/__main__.py`` calls ``stack_from_config``, then ``declare_workflows_async`` (or, in a
program made before 0.3.0, ``declare_workflows``) and ``workflow_exports``; everything that can be
wrong is reported at once, before any resource is declared, as a DefinitionLoadError (a
``pulumi.RunError``: printed without a traceback). That includes the mandatory findings of the
stack's guardrails; advisory ones are warnings (``pulumi.log.warn``), and what a file's
exemptions waived is logged as information.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.config import ConfigTypeError

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.loader import LoadedWorkflow
from pulumi_thena.definitions.policy import NAMESPACE, StackPolicy
from pulumi_thena.definitions.stack import (
    API_KEY,
    API_URL,
    SETTING_KEYS,
    SETTING_SHAPES,
    StackDefinitions,
    build_stack,
    clear_api_key_problems,
    clear_secret_problems,
    config_file_of,
)
from pulumi_thena.models import WorkflowDefinition
from pulumi_thena.resources import Workflow


def stack_from_config(
    project_dir: Path, stack_name: str | None = None, config: pulumi.Config | None = None
) -> StackDefinitions:
    """What the current stack deploys, from its config as the engine hands it to the program."""
    stack_name = stack_name or pulumi.get_stack()
    source = config_file_of(stack_name)
    raw, problems = runtime_settings(config or pulumi.Config(NAMESPACE), source)
    problems += _api_key_problems(source)
    problems += _clear_secret_problems(raw.get("secrets"), source)
    stack = build_stack(project_dir, stack_name, raw, problems=problems)
    log_guardrails(stack)
    return stack


def log_guardrails(stack: StackDefinitions) -> None:
    """Advisory findings as one warning, exemptions as information, in the engine's output.

    One warning for the stack, a line per finding, file by file: each warning is a call to the
    engine that waits for its answer, and a large stack can have thousands of findings (at 500
    files, one warning per file was 444 calls).
    """
    findings = sorted(stack.guardrails.advisory, key=lambda warning: warning.file)
    if findings:
        pulumi.log.warn("\n".join(str(warning) for warning in findings))
    for exempted in stack.guardrails.exempted:
        pulumi.log.info(str(exempted))


def runtime_settings(
    config: pulumi.Config, source: str
) -> tuple[dict[str, Any], list[FileProblem]]:
    """The ``thena-workflows:*`` values of the running stack (secrets decrypted by the engine)."""
    raw: dict[str, Any] = {}
    problems: list[FileProblem] = []
    for key in SETTING_KEYS:
        try:
            value = config.get_object(key)
        except ConfigTypeError:  # its message would show the value, which may be a secret
            expected = SETTING_SHAPES[key]
            problems.append(FileProblem(source, f"{NAMESPACE}:{key}", f"must be {expected}"))
            continue
        if value is not None:
            raw[key] = value
    for key in _namespace_keys():
        if key not in SETTING_KEYS:
            raw[key] = None  # so that parse_settings names the unknown key
    if pulumi.runtime.is_config_secret(f"{NAMESPACE}:vars"):
        problems.append(
            FileProblem(
                source,
                f"{NAMESPACE}:vars",
                "holds an encrypted value; variables are plain (they end up in state in "
                "clear). Move secret values to thena-workflows:secrets",
            )
        )
    return raw, problems


def _namespace_keys() -> list[str]:
    """Every key set under ``thena-workflows:`` in the running stack's config."""
    keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    prefix = f"{NAMESPACE}:"
    return sorted(key[len(prefix) :] for key in keys if key.startswith(prefix))


def _api_key_problems(source: str) -> list[FileProblem]:
    key_is_set = pulumi.runtime.get_config(API_KEY) is not None
    return clear_api_key_problems(
        pulumi.runtime.get_config(API_URL),
        key_is_set,
        pulumi.runtime.is_config_secret(API_KEY),
        source,
    )


def _clear_secret_problems(secrets: Any, source: str) -> list[FileProblem]:
    # The engine marks the whole key secret when any entry is: only all-clear is seen here
    # (`thena-workflows validate --stack` reads the file and names each clear entry).
    if not isinstance(secrets, dict) or pulumi.runtime.is_config_secret(f"{NAMESPACE}:secrets"):
        return []
    return clear_secret_problems(pulumi.runtime.get_config(API_URL), list(secrets), source)


class DeclaredWorkflows(dict[str, Workflow]):
    """The declared ``Workflow`` of each file by stem, and which former names each replaces."""

    renamed: dict[str, str]
    """Former file stem (``previousNames``) -> the stem it is now."""


DECLARED_PER_TURN = 5
"""Workflows ``declare_workflows_async`` declares between two turns of the event loop."""


def declare_workflows(loaded: Iterable[LoadedWorkflow], policy: StackPolicy) -> DeclaredWorkflows:
    """One ``Workflow`` per loaded file the policy selects, by file stem (the resource name)."""
    declared = DeclaredWorkflows()
    for _ in _declaring(loaded, policy, declared):
        pass
    return declared


async def declare_workflows_async(
    loaded: Iterable[LoadedWorkflow], policy: StackPolicy
) -> DeclaredWorkflows:
    """``declare_workflows`` for a program's ``pulumi.run``, giving the event loop a turn every
    ``DECLARED_PER_TURN`` workflows.

    The SDK registers a resource with the engine from the event loop, which a program's
    top-level code holds until it ends: declared there, no workflow reaches the engine before
    the last one is declared. Declared here, in turns, the first ones are registered, checked and
    diffed while the others are declared (benchmarks/RESULTS.md measures the whole program).
    Every file is loaded and checked before, so a mistake still stops the program before
    anything is declared.
    """
    declared = DeclaredWorkflows()
    for count in _declaring(loaded, policy, declared):
        if count % DECLARED_PER_TURN == 0:
            await asyncio.sleep(0)  # the SDK sends what is declared so far
    return declared


def _declaring(
    loaded: Iterable[LoadedWorkflow], policy: StackPolicy, declared: DeclaredWorkflows
) -> Iterator[int]:
    """Declare each selected file's workflow into ``declared``, yielding how many are so far."""
    selected = [wf for wf in loaded if policy.selects(wf.stem)]
    declared.renamed = {old: wf.stem for wf in selected for old in wf.previous_names}
    for count, workflow in enumerate(selected, 1):
        declared[workflow.stem] = declare_workflow(workflow, policy)
        yield count


def declare_workflow(workflow: LoadedWorkflow, policy: StackPolicy) -> Workflow:
    """The ``Workflow`` of one file: activation, deletion guards and former names applied."""
    definition: WorkflowDefinition | dict[str, Any] = workflow.definition
    if workflow.uses_secrets:
        # Step inputs hold a secret: keep the whole steps list encrypted in state.
        props = workflow.definition.canonical().to_wire()
        props["workflowDefinition"] = pulumi.Output.secret(props["workflowDefinition"])
        definition = props
    options = pulumi.ResourceOptions(
        protect=policy.protect,
        retain_on_delete=policy.retain_on_delete,
        aliases=[pulumi.Alias(name=old) for old in workflow.previous_names],
    )
    return Workflow(
        workflow.stem,
        definition,
        is_active=policy.is_active(workflow.stem, workflow.is_active),
        adopt_existing=workflow.adopt_existing,
        guardrail_exemptions=[exemption.to_json() for exemption in workflow.exemptions],
        opts=options,
    )


def workflow_exports(workflows: Mapping[str, Workflow]) -> dict[str, dict[str, Any]]:
    """The ``workflows`` stack output: file stem -> uniqueIdentifier, version and isActive.

    A file renamed through ``previousNames`` keeps an entry under its former name,
    ``{renamedTo: <stem>}``, so that a preview shows a rename, not a workflow gone and another
    one new.
    """
    exports: dict[str, dict[str, Any]] = {
        stem: {
            "uniqueIdentifier": wf.unique_identifier,
            "version": wf.version,
            "isActive": wf.is_active,
        }
        for stem, wf in workflows.items()
    }
    renamed: dict[str, str] = getattr(workflows, "renamed", {})
    for old, stem in renamed.items():
        exports.setdefault(old, {"renamedTo": stem})
    return exports
