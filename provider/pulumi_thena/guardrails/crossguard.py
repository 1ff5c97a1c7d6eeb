"""The guardrails as a CrossGuard policy pack: ``pulumi preview --policy-pack <pack_path()>``.

One ``ResourceValidationPolicy`` per rule of the registry, named by the rule's id, over the
resources of type ``pulumi-python:dynamic/thena:Workflow`` (what ``Workflow`` registers; every
other resource is passed over). A workflow's inputs are its canonical wire fields (numbers
arrive as floats and are made whole again) and its ``guardrailExemptions``.

Where its levels and options come from, in order (the later wins):

1. each rule's own level and option defaults;
2. the stack's ``thena-workflows:guardrails``, which the engine hands the pack with the stack's
   config (``PULUMI_CONFIG``): its levels become the policies' enforcement levels, its options
   the defaults of their config schemas;
3. ``--policy-pack-config``: CrossGuard's own, per policy (``{"max-steps": {"enforcementLevel":
   "mandatory", "maximum": 12}}``).

Secrets arrive decrypted. Each value of ``thena-workflows:secrets`` (also in the stack's config)
is put back as ``[secret]`` before any rule runs, so that the pack reads a workflow as
``validate`` does: a secret can be told from a credential written in clear, and no message can
show one. The repository's own rules (``guardrails.modules``) are loaded from the project
directory: ``$THENA_WORKFLOWS_PROJECT_DIR``, else the directory holding the project's
``Pulumi.yaml`` at or above the directory ``pulumi`` was started in (``$PWD``). The rule
``event-schema-path`` reads a registry snapshot, which the pack does not have: it finds nothing
here (``validate`` and the program run it).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pulumi_thena.diff.canonical import canonical_inputs
from pulumi_thena.diff.encoding import decoded
from pulumi_thena.diff.keys import GUARDRAIL_EXEMPTIONS
from pulumi_thena.guardrails.credentials import REDACTED
from pulumi_thena.guardrails.enforce import Exemption, Subject, rule_findings, stack_enforcement
from pulumi_thena.guardrails.registry import Level, Rule, RuleContext, WorkflowRef
from pulumi_thena.guardrails.settings import Enforcement, parse_guardrail_settings

WORKFLOW_TYPE = "pulumi-python:dynamic/thena:Workflow"
PACK_NAME = "thena-workflows-guardrails"
PROJECT_DIR_VARIABLE = "THENA_WORKFLOWS_PROJECT_DIR"
NAMESPACE = "thena-workflows"
_LEVELS = {
    Level.DISABLED: EnforcementLevel.DISABLED,
    Level.ADVISORY: EnforcementLevel.ADVISORY,
    Level.MANDATORY: EnforcementLevel.MANDATORY,
}
_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def pack_path() -> Path:
    """The directory of the installed pack (``PulumiPolicy.yaml``, ``__main__.py``)."""
    return Path(__file__).resolve().parent / "pack"


@dataclass(frozen=True)
class StackConfig:
    """What the pack knows of the stack it runs for, from the engine's environment."""

    stack: str | None
    project: str | None
    config: Mapping[str, Any]
    project_dir: Path | None

    def setting(self, key: str) -> Any:
        """A ``thena-workflows:<key>`` value; objects arrive as JSON text."""
        value = self.config.get(f"{NAMESPACE}:{key}")
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


def stack_config(env: Mapping[str, str] = os.environ) -> StackConfig:
    """The stack, its config and the project directory, as the engine starts the pack."""
    try:
        config = json.loads(env.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        config = {}
    project = env.get("PULUMI_PROJECT")
    return StackConfig(
        env.get("PULUMI_STACK"),
        project,
        config if isinstance(config, dict) else {},
        find_project_dir(env, project),
    )


def find_project_dir(env: Mapping[str, str], project: str | None) -> Path | None:
    """``$THENA_WORKFLOWS_PROJECT_DIR``, or the nearest ``Pulumi.yaml`` of ``project``
    at or above ``$PWD``."""
    given = env.get(PROJECT_DIR_VARIABLE)
    if given:
        return Path(given)
    start = env.get("PWD")
    if not start:
        return None
    for directory in [Path(start), *Path(start).parents]:
        manifest = directory / "Pulumi.yaml"
        if manifest.is_file() and _project_name(manifest) in (project, None):
            return directory
    return None


def _project_name(manifest: Path) -> str | None:
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return str(data.get("name")) if isinstance(data, dict) and data.get("name") else None


@dataclass
class WorkflowsSeen:
    """The workflows the pack was shown so far in this run, by URN, in the order they came.

    A resource policy sees one resource; the rules that compare workflows (names unique in a
    team) compare it with those registered before it.
    """

    refs: dict[str, WorkflowRef] = field(default_factory=dict)
    subjects: dict[str, Subject | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    """The SDK serves the engine's calls from four threads."""


@dataclass(frozen=True)
class GuardrailsPack:
    """The stack's rules with their levels, and what a policy needs to run one on a resource."""

    stack: StackConfig
    enforcement: Enforcement
    problems: tuple[str, ...]
    seen: WorkflowsSeen = field(default_factory=WorkflowsSeen)

    def subject(self, args: ResourceValidationArgs) -> Subject | None:
        """The workflow of a resource, canonical and redacted; None when it is not known yet
        or not valid (the provider's check reports that)."""
        with self.seen.lock:
            if args.urn not in self.seen.subjects:
                props = _plain(args.props)
                subject = (
                    None if props is None else _subject_of(args.name, props, self._secret_values())
                )
                self.seen.subjects[args.urn] = subject
                if subject is not None:
                    self.seen.refs[args.urn] = WorkflowRef(subject.name, subject.definition)
            return self.seen.subjects[args.urn]

    def workflows(self) -> tuple[WorkflowRef, ...]:
        with self.seen.lock:
            return tuple(self.seen.refs.values())

    def _secret_values(self) -> list[str]:
        secrets = self.stack.setting("secrets")
        if not isinstance(secrets, Mapping):
            return []
        return [str(v) for v in secrets.values() if isinstance(v, str | int | float) and str(v)]

    def policy(self, known: Rule) -> ResourceValidationPolicy:
        options = self.enforcement.options[known.id]
        return ResourceValidationPolicy(
            name=known.id,
            description=f"{known.description} ({known.source})",
            enforcement_level=_LEVELS[self.enforcement.level(known.id)],
            config_schema=_schema(options),
            validate=self._validator(known),
        )

    def _validator(self, known: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if args.resource_type != WORKFLOW_TYPE:
                return
            subject = self.subject(args)
            if subject is None or any(e.rule == known.id for e in subject.exemptions):
                return
            context = RuleContext(
                workflow=subject.name,
                stack=self.stack.stack,
                options=dict(args.get_config()),
                variables=_mapping(self.stack.setting("vars")),
                workflows=self.workflows(),
            )
            for path, why in rule_findings(known, subject.definition, context):
                where = f"{path}: " if path else ""
                report_violation(f"workflow {args.name}: {where}{why}. Fix: {known.fix}", None)

        return validate


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _schema(options: Mapping[str, Any]) -> PolicyConfigSchema | None:
    if not options:
        return None
    return PolicyConfigSchema({name: _property(value) for name, value in options.items()})


def _property(default: Any) -> dict[str, Any]:
    if isinstance(default, list):
        items = {"type": _JSON_TYPES[type(default[0])]} if default else {}
        return {"type": "array", "items": items, "default": list(default)}
    return {"type": _JSON_TYPES[type(default)], "default": default}


def _plain(props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The SDK's proxy of the inputs as plain dicts and lists; None when a value is unknown."""

    def walk(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(key): walk(item) for key, item in value.items()}
        if isinstance(value, Sequence) and not isinstance(value, str):
            return [walk(item) for item in value]
        return value

    try:
        plain: dict[str, Any] = walk(props)
    except UnknownValueError:  # not known during preview: the provider's check decides later
        return None
    return plain


def _subject_of(name: str, props: dict[str, Any], secrets: list[str]) -> Subject | None:
    result = canonical_inputs(decoded(props))  # steps and filters come as JSON text
    if result.problems or result.has_unknowns or result.definition is None:
        return None
    definition = result.definition.to_wire()
    exemptions = tuple(
        Exemption(str(item.get("rule")), str(item.get("reason")))
        for item in props.get(GUARDRAIL_EXEMPTIONS) or []
        if isinstance(item, Mapping)
    )
    return Subject(name, _redacted(definition, secrets), exemptions)


def _redacted(value: Any, secrets: list[str]) -> Any:
    """``value`` with every occurrence of a secret's value as ``[secret]``, longest first."""
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, Mapping):
        return {key: _redacted(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, secrets) for item in value]
    return value


def guardrails_pack(env: Mapping[str, str] = os.environ) -> GuardrailsPack:
    """The stack's rules, read from the engine's environment; problems of the setting listed."""
    stack = stack_config(env)
    settings, wrong = parse_guardrail_settings(stack.setting("guardrails"))
    enforcement, problems = stack_enforcement(settings, stack.project_dir)
    messages = [f"{NAMESPACE}:guardrails.{p.path}: {p.message}" for p in [*wrong, *problems]]
    if settings.modules and stack.project_dir is None:
        messages.append(
            f"{NAMESPACE}:guardrails.modules: the project directory was not found, so the "
            f"repository's rules are not loaded; run pulumi from the project directory or set "
            f"{PROJECT_DIR_VARIABLE}"
        )
    return GuardrailsPack(stack, enforcement, tuple(messages))


def serve(env: Mapping[str, str] = os.environ) -> PolicyPack:
    """Make the pack, which serves the engine until it is stopped (``PolicyPack`` does not
    return)."""
    pack = guardrails_pack(env)
    for message in pack.problems:
        print(f"{PACK_NAME}: {message}", file=sys.stderr)
    return PolicyPack(
        name=PACK_NAME,
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[pack.policy(known) for known in pack.enforcement.registry],
    )
