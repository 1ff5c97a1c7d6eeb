"""The JSON Schema of a definition file, generated from the models; editors validate with it.

Generated from ``WorkflowFile`` (``model_json_schema(by_alias=True)``), then adjusted so that
editors agree with the loader: wherever a number, boolean or enum value is expected, one
``${var.NAME}`` placeholder (resolved per stack) is accepted too; pydantic's constraint names
become JSON Schema keywords; step dependencies may be numbers as well as strings. A variable
that stands for a whole list or object is valid for the loader but flagged by editors.

``scripts/generate-schema [--check] [PROJECT_DIR]`` (``main`` here) writes, or checks,
``stacks/workflow.schema.json`` and the schema of a workflow test file,
``stacks/workflow-test.schema.json`` (``project_schemas``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi_thena.definitions.workflow_file import WorkflowFile
from pulumi_thena.definitions.workflow_test_file import TEST_SCHEMA_FILE, render_test_schema

SCHEMA_FILE = "stacks/workflow.schema.json"
PLACEHOLDER_PATTERN = r"^\$\{var\.[A-Za-z_][A-Za-z0-9_]*\}$"
_PLACEHOLDER_REF = {"$ref": "#/$defs/Placeholder"}
_SCALAR_TYPES = frozenset({"integer", "number", "boolean"})
_KEYWORDS = {"ge": "minimum", "gt": "exclusiveMinimum", "le": "maximum", "lt": "exclusiveMaximum"}
_PLACEHOLDER_DEF = {
    "type": "string",
    "pattern": PLACEHOLDER_PATTERN,
    "description": "A stack variable, ${var.NAME}, resolved from thena-workflows:vars of the "
    "stack; it takes the variable's value and type.",
}
_IS_ACTIVE = (
    "Whether the workflow runs when its trigger fires. The stack's "
    "thena-workflows:activation.overrides win over this; without either, the stack's "
    "activation.default applies."
)


def workflow_file_schema() -> dict[str, Any]:
    """The JSON Schema of ``stacks/workflows/*.yaml``."""
    schema = WorkflowFile.model_json_schema(by_alias=True)
    schema = _allow_placeholders(_cleaned(schema))
    schema["$defs"]["Placeholder"] = _PLACEHOLDER_DEF
    step = schema["$defs"]["WorkflowStep"]["properties"]
    step["dependencies"]["items"] = {"type": ["string", "integer"]}
    is_active = schema["properties"]["isActive"]
    is_active.pop("default", None)  # left out, the stack's activation decides
    is_active["description"] = _IS_ACTIVE
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Thena workflow definition file",
        "description": "One workflow per file in stacks/workflows/; the file name (without "
        ".yaml) is the Pulumi resource name. Strings may hold ${var.NAME} placeholders.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def render_schema() -> str:
    """The schema as the committed file holds it: two-space JSON with a final newline."""
    return json.dumps(workflow_file_schema(), indent=2, ensure_ascii=False) + "\n"


def _cleaned(node: Any) -> Any:
    """Drop generated per-field titles; rename pydantic constraint names to JSON Schema's."""
    if isinstance(node, list):
        return [_cleaned(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _untitled(_cleaned(item)) for name, item in value.items()}
        else:
            out[_KEYWORDS.get(key, key)] = _cleaned(value)
    return out


def _untitled(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: value for key, value in node.items() if key != "title"}
    return node


def _allow_placeholders(node: Any) -> Any:
    """Wherever a number, boolean or enum value is expected, also accept one placeholder."""
    if isinstance(node, list):
        return [_allow_placeholders(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _allow_placeholders(value) for key, value in node.items()}
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _or_placeholder(v) for k, v in out["properties"].items()}
    if isinstance(out.get("items"), dict):
        out["items"] = _or_placeholder(out["items"])
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = _or_placeholder(out["additionalProperties"])
    return out


def _or_placeholder(node: Any) -> Any:
    if not isinstance(node, dict) or not _scalar(node) or _accepts_strings(node):
        return node
    outer = {key: node[key] for key in ("default", "description") if key in node}
    inner = {key: value for key, value in node.items() if key not in outer}
    members = inner["anyOf"] if set(inner) == {"anyOf"} else [inner]
    return {"anyOf": [*members, _PLACEHOLDER_REF], **outer}


def _scalar(node: dict[str, Any]) -> bool:
    """A number, boolean or enum (optionally nullable): where a placeholder string is needed."""
    if "enum" in node or "const" in node or node.get("type") in _SCALAR_TYPES:
        return True
    members = node.get("anyOf", [])
    real = [m for m in members if m.get("type") != "null"]
    return bool(real) and all(_scalar(member) for member in real)


def _accepts_strings(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    if (kind == "string" and "enum" not in node) or (isinstance(kind, list) and "string" in kind):
        return True
    return any(_accepts_strings(member) for member in node.get("anyOf", []))


def project_schemas() -> dict[str, str]:
    """Every JSON Schema a project keeps in ``stacks/``, by its path, as committed.

    The one list ``scripts/generate-schema``, ``thena-workflows schema`` and ``init`` write:
    that of a workflow file and that of a workflow test file.
    """
    return {SCHEMA_FILE: render_schema(), TEST_SCHEMA_FILE: render_test_schema()}


def stale_schemas(project_dir: Path) -> list[str]:
    """The schema files of ``project_dir`` that are missing or differ from this version's."""
    stale = []
    for name, wanted in project_schemas().items():
        path = project_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != wanted:
            stale.append(name)
    return stale


def write_schemas(project_dir: Path) -> list[str]:
    """Write each schema file that is missing or stale; returns those written."""
    written = stale_schemas(project_dir)
    wanted = project_schemas()
    for name in written:
        path = project_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(wanted[name], encoding="utf-8", newline="\n")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Write the committed schemas, or with --check report whether they are current (exit 1)."""
    parser = argparse.ArgumentParser(prog="scripts/generate-schema", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    parser.add_argument("project_dir", nargs="?", default=".", type=Path)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas(args.project_dir)
        for name in stale:
            print(f"{name} is out of date; run scripts/generate-schema", file=sys.stderr)
        if not stale:
            print("the schemas are up to date")
        return 1 if stale else 0
    written = write_schemas(args.project_dir)
    for name in project_schemas():
        print(f"{name} {'written' if name in written else 'unchanged'}")
    return 0
