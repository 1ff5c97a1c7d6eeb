"""Export: live workflows as definition files in the repository's format, ready to adopt.

Each workflow goes through the provider's canonical form (``live_to_inputs``), loses what only
the server knows (ids, version, timestamps, creator, the owner marker) and every field equal to
its default, names its trigger event by name, and says ``adoptExisting: true``. Strings equal
to a value of the variable mapping become ``${var.NAME}``; any other ``${`` is escaped as
``$${`` so that the loader reads it back as written. A step input whose key names a secret
(a token, a password, an Authorization header, a cookie, a signing key...) or whose value looks
like a credential (``Bearer ...``, a token in a URL, a private key, a well-known token format)
is never written: it becomes ``${secret.NAME}``, to be set per stack with
``pulumi config set --secret``. The YAML follows
stacks/workflows: the schema comment, block style, short lists and filter conditions in flow
style.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pulumi_thena.definitions.errors import FileProblem, MappingError
from pulumi_thena.definitions.workflow_file import is_resource_name
from pulumi_thena.definitions.yamlfile import read_yaml
from pulumi_thena.diff import live_to_inputs
from pulumi_thena.diff.errors import UnreadableWorkflowError
from pulumi_thena.guardrails.credentials import is_secret
from pulumi_thena.models import (
    DEFINITION_FIELDS,
    Workflow,
    WorkflowDefinition,
    problems_from_validation_error,
)

VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TOP_LEVEL_ORDER = (
    "name",
    "type",
    "subType",
    "triggerEvent",
    "executingAgent",
    "teamId",
    "isActive",
    "adoptExisting",
    "metadata",
    "annotations",
    "filters",
    "workflowDefinition",
)
STEP_ORDER = ("stepIdentifier", "dependencies", "isSleepActivity", "activity", "input")
SPACED_KEYS = ("annotations:", "filters:", "workflowDefinition:")


@dataclass(frozen=True)
class SecretPlaceholder:
    """A step input left out of a file: its ``${secret.NAME}`` and where it was."""

    name: str
    path: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path}


@dataclass(frozen=True)
class ExportedFile:
    """One workflow as a definition file."""

    stem: str
    name: str
    unique_identifier: str
    text: str
    variables: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    secrets: tuple[SecretPlaceholder, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.stem}.yaml"

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.filename,
            "name": self.name,
            "uniqueIdentifier": self.unique_identifier,
            "variables": list(self.variables),
            "secrets": [secret.to_json() for secret in self.secrets],
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class ExportReport:
    """Where the files went and what each holds."""

    out_dir: str
    files: tuple[ExportedFile, ...]

    @property
    def valid(self) -> bool:
        """Whether every exported definition validates as it is."""
        return not any(file.problems for file in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": self.out_dir,
            "valid": self.valid,
            "files": [file.to_json() for file in self.files],
        }


def variable_mapping(data: Any, source: str) -> tuple[dict[str, str], list[str]]:
    """The ``NAME: value`` mapping of a vars file, and warnings for entries that are skipped.

    Only string values are replaced (numbers would match step ids and counts); two names with
    the same value are an error, since the export could not tell which one was meant.
    """
    if not isinstance(data, dict):
        raise MappingError([f"{source}: must be a mapping of NAME: value"])
    mapping: dict[str, str] = {}
    warnings: list[str] = []
    problems: list[str] = []
    for name, value in data.items():
        if not isinstance(name, str) or not VARIABLE_NAME.fullmatch(name):
            problems.append(f"{source}: '{name}' is not a variable name (letters, digits, _)")
        elif not isinstance(value, str) or not value:
            warnings.append(f"{source}: {name} is not a non-empty string; only strings are used")
        elif value in mapping.values():
            other = next(key for key, known in mapping.items() if known == value)
            problems.append(f"{source}: {name} and {other} have the same value; keep one")
        else:
            mapping[name] = value
    if problems:
        raise MappingError(problems)
    return mapping, warnings


def read_variable_mapping(path: Path) -> tuple[dict[str, str], list[str]]:
    """``variable_mapping`` of a YAML file; MappingError if it cannot be read or used."""
    document = read_yaml(path, str(path))
    if isinstance(document, FileProblem):
        raise MappingError([str(document)])
    return variable_mapping(document.data, str(path))


def export_workflows(
    workflows: Sequence[Workflow],
    *,
    mapping: Mapping[str, str] | None = None,
    event_names: Mapping[str, str] | None = None,
    taken: Collection[str] = (),
    schema_ref: str = "../workflow.schema.json",
) -> list[ExportedFile]:
    """One file per workflow, with unique file names that avoid ``taken`` stems."""
    used = set(taken)
    files = []
    secret_names: set[str] = set()
    for live in sorted(workflows, key=lambda wf: (wf.name or "", wf.unique_identifier)):
        stem = unique_stem(slug(live.name or live.unique_identifier), used)
        used.add(stem)
        exported = export_workflow(
            live, stem, mapping or {}, event_names or {}, schema_ref, taken_secrets=secret_names
        )
        secret_names.update(secret.name for secret in exported.secrets)
        files.append(exported)
    return files


def export_workflow(
    live: Workflow,
    stem: str,
    mapping: Mapping[str, str],
    event_names: Mapping[str, str],
    schema_ref: str,
    *,
    taken_secrets: Collection[str] = (),
) -> ExportedFile:
    """One live workflow as a definition file named ``stem``."""
    data, problems = file_data(live, event_names)
    replaced, variables = with_placeholders(data, {value: name for name, value in mapping.items()})
    replaced, secrets = with_secret_placeholders(replaced, stem, taken_secrets)
    text = _header(live, schema_ref) + render_yaml(ordered(replaced))
    return ExportedFile(
        stem=stem,
        name=live.name or live.unique_identifier,
        unique_identifier=live.unique_identifier,
        text=text,
        variables=tuple(sorted(variables)),
        problems=tuple(problems),
        secrets=tuple(secrets),
    )


def file_data(live: Workflow, event_names: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The definition as a file holds it: defaults dropped, trigger by name, adoptExisting."""
    try:
        inputs = live_to_inputs(live)
    except UnreadableWorkflowError as error:  # written as it came, with what is wrong in it
        raw = live.model_dump(mode="json", by_alias=True, exclude_none=True)
        kept = {key: raw[key] for key in DEFINITION_FIELDS if key in raw}
        return {**kept, "adoptExisting": True}, [str(p) for p in error.problems]
    trigger = inputs.get("triggerEvent")
    if isinstance(trigger, str) and trigger in event_names:
        inputs["triggerEvent"] = event_names[trigger]
    try:
        definition = WorkflowDefinition.model_validate(inputs)
    except ValidationError as error:
        problems = [str(p) for p in problems_from_validation_error(error, WorkflowDefinition)]
        return {**inputs, "adoptExisting": True}, problems
    short = definition.model_dump(
        mode="json", by_alias=True, exclude_defaults=True, exclude_none=True
    )
    return {**short, "adoptExisting": True}, []


# -- names ---------------------------------------------------------------------------------


def slug(name: str) -> str:
    """A file stem for a workflow name: lower case, words joined by ``-``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return words or "workflow"


def unique_stem(stem: str, used: Collection[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3``... whichever is not used yet."""
    candidate, number = stem, 2
    while candidate in used or not is_resource_name(candidate):
        candidate, number = f"{stem}-{number}", number + 1
    return candidate


# -- placeholders --------------------------------------------------------------------------


def with_placeholders(data: Any, names_by_value: Mapping[str, str]) -> tuple[Any, set[str]]:
    """``data`` with mapped strings as ``${var.NAME}`` and other ``${`` escaped as ``$${``."""
    used: set[str] = set()

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            if value in names_by_value:
                used.add(names_by_value[value])
                return f"${{var.{names_by_value[value]}}}"
            return value.replace("${", "$${")
        return value

    return walk(data), used


def with_secret_placeholders(
    data: dict[str, Any], stem: str, taken: Collection[str] = ()
) -> tuple[dict[str, Any], list[SecretPlaceholder]]:
    """``data`` with each secret-named step input (at any depth) as ``${secret.NAME}``.

    Only step inputs and compensation inputs are looked at: the loader allows secrets there
    and nowhere else. NAME is the file stem and the key in camelCase (``slackAlertApiToken``),
    numbered when taken.
    """
    used = set(taken)
    found: list[SecretPlaceholder] = []

    def walk(value: Any, path: str, key: str) -> Any:
        if isinstance(value, dict):
            return {name: visit(name, item, f"{path}.{name}") for name, item in value.items()}
        if isinstance(value, list):
            return [visit(key, item, f"{path}[{index}]") for index, item in enumerate(value)]
        return value

    def visit(key: str, value: Any, path: str) -> Any:
        if not isinstance(value, str) or value.startswith("${") or not is_secret(key, value):
            return walk(value, path, key)
        name = _unique_name(_camel(f"{stem} {key}"), used)
        used.add(name)
        found.append(SecretPlaceholder(name, path))
        return f"${{secret.{name}}}"

    steps = []
    for index, step in enumerate(data.get("workflowDefinition") or []):
        if not isinstance(step, dict):
            steps.append(step)
            continue
        where = f"workflowDefinition[{index}]"
        step = {**step, "input": walk(step.get("input", {}), f"{where}.input", "input")}
        compensation = step.get("compensationActivity")
        if isinstance(compensation, dict) and "input" in compensation:
            inner = walk(compensation["input"], f"{where}.compensationActivity.input", "input")
            step["compensationActivity"] = {**compensation, "input": inner}
        if not step["input"]:
            step.pop("input")
        steps.append(step)
    if "workflowDefinition" in data:
        data = {**data, "workflowDefinition": steps}
    return data, found


def _unique_name(name: str, used: Collection[str]) -> str:
    candidate, number = name, 2
    while candidate in used:
        candidate, number = f"{name}{number}", number + 1
    return candidate


def _camel(words: str) -> str:
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", words) if part]
    name = parts[0].lower() + "".join(part[:1].upper() + part[1:] for part in parts[1:])
    return name if VARIABLE_NAME.fullmatch(name) else f"s{name}"


# -- YAML ----------------------------------------------------------------------------------


def ordered(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields and step fields in the order the repository's files use."""
    out = _by_order(data, TOP_LEVEL_ORDER)
    steps = out.get("workflowDefinition")
    if isinstance(steps, list):
        out["workflowDefinition"] = [
            _by_order(step, STEP_ORDER) if isinstance(step, dict) else step for step in steps
        ]
    return out


def _by_order(data: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    first = {key: data[key] for key in order if key in data}
    return {**first, **{key: value for key, value in data.items() if key not in first}}


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists; short scalar lists and filter conditions inline."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style: str = super().choose_scalar_style()
        return '"' if style == "'" else style  # the repository's files use double quotes


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    inline = bool(data) and all(_is_scalar(item) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=inline)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    condition = bool(data) and all(
        isinstance(key, str)
        and key.startswith("~")
        and (_is_scalar(value) or (isinstance(value, list) and all(map(_is_scalar, value))))
        for key, value in data.items()
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=condition or None)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(str, _represent_str)


def render_yaml(data: dict[str, Any]) -> str:
    """The YAML body: one blank line before the big sections and between steps."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2)
    return "\n".join(_spaced(text.splitlines())) + "\n"


def _spaced(lines: Sequence[str]) -> Iterator[str]:
    in_steps = False
    for index, line in enumerate(lines):
        section = line.startswith(SPACED_KEYS) and index > 0
        next_step = in_steps and line.startswith("  - ") and not lines[index - 1].endswith(":")
        if section or next_step:
            yield ""
        if not line.startswith(" "):
            in_steps = line.startswith("workflowDefinition:")
        yield line


def _header(live: Workflow, schema_ref: str) -> str:
    version = f", version {live.version}" if live.version is not None else ""
    return (
        f"# yaml-language-server: $schema={schema_ref}\n"
        "#\n"
        f"# Exported from Thena by `thena-workflows export` (workflow {live.unique_identifier}"
        f"{version}).\n"
        "# adoptExisting: the first `pulumi up` of a stack takes over the workflow of this name\n"
        "# and team instead of creating a second one.\n"
    )
