"""A stack's definitions: its settings (variables, secrets, policy, guardrails) and its files.

The settings are the ``thena-workflows:*`` keys of the stack config. The Pulumi program gets them
from the engine (``program.stack_from_config``); other tools read ``stacks/Pulumi.<stack>.yaml``
directly (``load_stack``), where ``secure:`` values cannot be decrypted without the Pulumi CLI:
their names are known, their values stay placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pulumi_thena.client.urls import is_loopback
from pulumi_thena.definitions.errors import FileProblem, raise_if_any
from pulumi_thena.definitions.guarding import (
    SETTING,
    GuardrailReport,
    check_guardrails,
    stack_enforcement_of,
)
from pulumi_thena.definitions.loader import LoadedWorkflow, collect_definitions, definition_stems
from pulumi_thena.definitions.policy import NAMESPACE, StackPolicy, policy_problems
from pulumi_thena.definitions.snapshots import RegistrySnapshot, read_snapshot
from pulumi_thena.definitions.variables import UNRESOLVED, Substitutions
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.guardrails.settings import SHAPE as GUARDRAILS_SHAPE
from pulumi_thena.guardrails.settings import GuardrailSettings, parse_guardrail_settings
from pulumi_thena.models.problems import closest, problems_from_validation_error

STACKS_DIR = "stacks"
WORKFLOWS_DIR = "stacks/workflows"
SETTING_KEYS: tuple[str, ...] = (
    "vars",
    "secrets",
    "include",
    "activation",
    "protect",
    "retainOnDelete",
    "guardrails",
)
"""The keys of the ``thena-workflows`` config namespace."""
SETTING_SHAPES: dict[str, str] = {
    "vars": "an object of name: value",
    "secrets": "an object of name: encrypted value",
    "include": "a list of workflow file names (without .yaml)",
    "activation": "an object {default: true|false, overrides: {<file name>: true|false}}",
    "protect": "true or false",
    "retainOnDelete": "true or false",
    "guardrails": GUARDRAILS_SHAPE,
}
POLICY_KEYS = frozenset({"include", "activation", "protect", "retainOnDelete"})
API_KEY = "thena:apiKey"
API_URL = "thena:apiUrl"


@dataclass(frozen=True, repr=False)
class StackSettings:
    """The ``thena-workflows:*`` settings of one stack, parsed; secrets show by name only."""

    variables: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, Any] = field(default_factory=dict)
    policy: StackPolicy = field(default_factory=StackPolicy)
    guardrails: GuardrailSettings = field(default_factory=GuardrailSettings)

    def __repr__(self) -> str:
        return (
            f"StackSettings(variables={dict(self.variables)!r}, "
            f"secrets={sorted(self.secrets)}, policy={self.policy!r}, "
            f"guardrails={self.guardrails!r})"
        )


@dataclass(frozen=True, repr=False)
class StackDefinitions:
    """Everything one stack deploys: its settings and the valid definitions it selects."""

    stack: str
    config_file: str
    settings: StackSettings
    workflows: tuple[LoadedWorkflow, ...]
    """The selected files (``thena-workflows:include``), loaded, in file-name order."""
    guardrails: GuardrailReport = field(default_factory=GuardrailReport)
    """What the stack's guardrails found short of mandatory: advisories and exemptions."""

    @property
    def variables(self) -> Mapping[str, Any]:
        return self.settings.variables

    @property
    def secret_names(self) -> tuple[str, ...]:
        return tuple(sorted(self.settings.secrets))

    @property
    def policy(self) -> StackPolicy:
        return self.settings.policy

    def __repr__(self) -> str:
        stems = [workflow.stem for workflow in self.workflows]
        return f"StackDefinitions(stack={self.stack!r}, workflows={stems})"


def config_file_of(stack_name: str) -> str:
    """``stacks/Pulumi.<stack>.yaml``, relative to the project directory."""
    return f"{STACKS_DIR}/Pulumi.{stack_name}.yaml"


def load_stack(
    project_dir: Path | str,
    stack_name: str,
    decrypted: Mapping[str, str] | None = None,
) -> StackDefinitions:
    """Read ``stacks/Pulumi.<stack>.yaml`` and load what the stack deploys.

    Encrypted secrets stay unresolved unless ``decrypted`` (name -> value, as the Pulumi CLI
    decrypts them) has them.
    """
    root = Path(project_dir)
    display = config_file_of(stack_name)
    raw, problems = read_stack_config(root / display, display)
    secrets = raw.get("secrets")
    if decrypted and isinstance(secrets, dict):
        resolved = {
            name: decrypted.get(name, value) if value is UNRESOLVED else value
            for name, value in secrets.items()
        }
        raw = {**raw, "secrets": resolved}
    return build_stack(root, stack_name, raw, problems=problems)


def build_stack(
    project_dir: Path,
    stack_name: str,
    raw: Mapping[str, Any],
    *,
    problems: Sequence[FileProblem] = (),
) -> StackDefinitions:
    """Parse the raw ``thena-workflows`` settings and load the definitions they select.

    Raises one DefinitionLoadError with every problem of the settings and of every file, and
    every mandatory finding of the stack's guardrails.
    """
    source = config_file_of(stack_name)
    settings, found = parse_settings(raw, source)
    enforcement, wrong = stack_enforcement_of(settings.guardrails, project_dir, source)
    found += wrong
    _, loaded, file_problems = load_selected(project_dir, settings, source, settings.secrets)
    snapshot = read_snapshot(project_dir, stack_name)
    report = check_guardrails(
        loaded,
        enforcement,
        stack=stack_name,
        variables=settings.variables,
        snapshot=snapshot if isinstance(snapshot, RegistrySnapshot) else None,
    )
    raise_if_any([*problems, *found, *file_problems, *report.mandatory])
    return StackDefinitions(stack_name, source, settings, loaded, report)


def load_selected(
    project_dir: Path, settings: StackSettings, source: str, secrets: Mapping[str, Any]
) -> tuple[list[str], tuple[LoadedWorkflow, ...], list[FileProblem]]:
    """Every definition file's stem, and the files the stack's policy selects, loaded.

    The one home of "which files a stack deploys, with which values": ``build_stack`` passes
    the stack's secrets, a workflow test a mapping where every secret reads ``[secret]``.
    Returns the stems, the loaded workflows and every problem (of the policy and the files).
    """
    directory = project_dir / WORKFLOWS_DIR
    stems, selected = _selection(project_dir, settings)
    problems = policy_problems(settings.policy, stems, source)
    substitutions = Substitutions(settings.variables, secrets)
    loaded, file_problems = collect_definitions(
        directory, substitutions, root=project_dir, only=selected
    )
    return stems, loaded, [*problems, *file_problems]


def _selection(project_dir: Path, settings: StackSettings) -> tuple[list[str], list[str]]:
    """Every definition file's stem, and the stems the stack's policy selects."""
    stems = definition_stems(project_dir / WORKFLOWS_DIR)
    return stems, [stem for stem in stems if settings.policy.selects(stem)]


def selected_stems(project_dir: Path | str, stack_name: str) -> list[str]:
    """The files ``stack_name`` deploys, from its stack file, without reading them.

    Raises a DefinitionLoadError with the problems of the stack file's settings.
    """
    root = Path(project_dir)
    source = config_file_of(stack_name)
    raw, problems = read_stack_config(root / source, source)
    settings, found = parse_settings(raw, source)
    stems, selected = _selection(root, settings)
    raise_if_any([*problems, *found, *policy_problems(settings.policy, stems, source)])
    return selected


def parse_settings(raw: Mapping[str, Any], source: str) -> tuple[StackSettings, list[FileProblem]]:
    """Validate the ``thena-workflows:*`` settings; unusable parts fall back to their defaults."""
    problems = _unknown_key_problems(raw, source)
    variables = _mapping_setting(raw, "vars", source, problems, show_values=True)
    secrets = _mapping_setting(raw, "secrets", source, problems, show_values=False)
    policy = _parse_policy(raw, source, problems)
    guardrails, wrong = parse_guardrail_settings(raw.get("guardrails"))
    problems += [
        FileProblem(source, f"{SETTING}.{p.path}" if p.path else SETTING, p.message) for p in wrong
    ]
    return StackSettings(variables, secrets, policy, guardrails), problems


def _parse_policy(raw: Mapping[str, Any], source: str, problems: list[FileProblem]) -> StackPolicy:
    """The policy settings; a wrong one is reported and left at its default, not the others."""
    given = {key: value for key, value in raw.items() if key in POLICY_KEYS and value is not None}
    try:
        return StackPolicy.model_validate(given, by_alias=True, by_name=False)
    except ValidationError as error:
        problems += [
            FileProblem(source, f"{NAMESPACE}:{p.path}", p.message)
            for p in problems_from_validation_error(error, StackPolicy)
        ]
        wrong = {item["loc"][0] for item in error.errors() if item["loc"]}
        usable = {key: value for key, value in given.items() if key not in wrong}
        if "include" in wrong:
            usable["include"] = []  # unknown selection: load no file rather than every file
        return StackPolicy.model_validate(usable, by_alias=True, by_name=False)


def _unknown_key_problems(raw: Mapping[str, Any], source: str) -> list[FileProblem]:
    problems = []
    for key in raw:
        if key not in SETTING_KEYS:
            match = closest(key.split(".", 1)[0], SETTING_KEYS)
            hint = f"; did you mean '{NAMESPACE}:{match}'?" if match else "."
            if "." in key:
                hint += " (nested values are set with `pulumi config set --path`)"
            problems.append(
                FileProblem(
                    source,
                    f"{NAMESPACE}:{key}",
                    f"unknown setting{hint} Known settings: "
                    + ", ".join(f"{NAMESPACE}:{k}" for k in SETTING_KEYS),
                )
            )
    return problems


def _mapping_setting(
    raw: Mapping[str, Any],
    key: str,
    source: str,
    problems: list[FileProblem],
    *,
    show_values: bool,
) -> dict[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if isinstance(value, dict) and all(isinstance(name, str) for name in value):
        return dict(value)
    shown = f" (got {type(value).__name__})" if show_values else ""
    problems.append(
        FileProblem(
            source,
            f"{NAMESPACE}:{key}",
            f"must be an object of name: value{shown}; set each entry with "
            f"`pulumi config set {'--secret ' if key == 'secrets' else ''}"
            f"--path '{NAMESPACE}:{key}.NAME' <value>`",
        )
    )
    return {}


def read_stack_config(path: Path, display: str) -> tuple[dict[str, Any], list[FileProblem]]:
    """The raw ``thena-workflows`` settings of a stack file, read without the Pulumi CLI."""
    if not path.is_file():
        return {}, [FileProblem(display, "", "the stack config file does not exist; create it")]
    document = read_yaml(path, display)
    if isinstance(document, FileProblem):
        return {}, [document]
    data = document.data if isinstance(document.data, dict) else {}
    config = data.get("config") or {}
    if not isinstance(config, dict):
        return {}, [FileProblem(display, "config", "must be a mapping of key: value", 1)]
    raw = {
        key.split(":", 1)[1]: value
        for key, value in config.items()
        if isinstance(key, str) and key.startswith(f"{NAMESPACE}:")
    }
    problems = _secure_value_problems(raw, display)
    problems += clear_api_key_problems(
        config.get(API_URL), API_KEY in config, is_secure(config.get(API_KEY)), display
    )
    secrets = raw.get("secrets")
    if isinstance(secrets, dict) and not is_secure(secrets):
        clear = [name for name, value in secrets.items() if not is_secure(value)]
        problems += clear_secret_problems(config.get(API_URL), clear, display)
    raw["secrets"] = _secret_names_only(secrets, display, problems)
    return raw, problems


def is_secure(value: Any) -> bool:
    """Whether a stack-file value is encrypted (``{secure: ...}``)."""
    return isinstance(value, dict) and set(value) == {"secure"}


def _contains_secure(value: Any) -> bool:
    if is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_secure(item) for item in value)
    return False


def _secure_value_problems(raw: Mapping[str, Any], display: str) -> list[FileProblem]:
    return [
        FileProblem(
            display,
            f"{NAMESPACE}:{key}",
            "holds an encrypted value; only thena-workflows:secrets may be secret (variables "
            "end up in state in clear). Move the value to thena-workflows:secrets",
        )
        for key, value in raw.items()
        if key != "secrets" and _contains_secure(value)
    ]


def _secret_names_only(value: Any, display: str, problems: list[FileProblem]) -> Any:
    """Secrets as name -> UNRESOLVED (encrypted) or the clear value; whole-object secrets fail."""
    if is_secure(value):
        problems.append(
            FileProblem(
                display,
                f"{NAMESPACE}:secrets",
                "is encrypted as a whole, so its names cannot be read without the Pulumi CLI; "
                "set each secret on its own: "
                f"`pulumi config set --secret --path '{NAMESPACE}:secrets.NAME' <value>`",
            )
        )
        return None
    if not isinstance(value, dict):
        return value
    return {name: UNRESOLVED if is_secure(item) else item for name, item in value.items()}


def clear_api_key_problems(
    api_url: Any, key_is_set: bool, key_is_secret: bool, source: str
) -> list[FileProblem]:
    """A Thena API key in clear is a problem unless the stack talks to a local emulator."""
    if not key_is_set or key_is_secret or (api_url and is_loopback(str(api_url))):
        return []
    return [
        FileProblem(
            source,
            API_KEY,
            "the Thena API key is stored in clear text; stack config ends up in Pulumi state. "
            "Revoke this key in Thena, then set a new one with "
            "`pulumi config set --secret thena:apiKey <key>`",
        )
    ]


def clear_secret_problems(
    api_url: Any, clear_names: Sequence[str], source: str
) -> list[FileProblem]:
    """Workflow secrets in clear are a problem unless the stack talks to a local emulator."""
    if api_url and is_loopback(str(api_url)):
        return []
    return [
        FileProblem(
            source,
            f"{NAMESPACE}:secrets.{name}",
            "is stored in clear text, in a committed file and in Pulumi state. Rotate the value, "
            "then set it encrypted with "
            f"`pulumi config set --secret --path '{NAMESPACE}:secrets.{name}' <value>`",
        )
        for name in sorted(clear_names)
    ]
