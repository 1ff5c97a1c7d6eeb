"""Reading one YAML file safely: a size limit, no duplicate keys, JSON-like scalars, line numbers.

PyYAML's safe loader is used with two changes that keep a file meaning what an editor using the
JSON Schema (YAML 1.2) thinks it means: dates stay strings, and only ``true``/``false`` are
booleans (``yes``, ``no``, ``on`` and ``off`` stay strings).

Parsing runs in libyaml (PyYAML's C extension) where it is installed, as it is in PyYAML's
wheels: a stack of 500 realistic files parses about eight times faster than with the pure-Python
parser, which is the fallback. Both read a file the same way.

Two limits keep a small hostile file (any pull request can add one) from taking a CI runner
down, both checked before a value is constructed: on the parser's event stream, before a node
is composed, when the text holds a ``&`` or libyaml is missing; otherwise on the composed
nodes (without an anchor nothing can expand, and libyaml composes without recursing):

- Anchors and aliases (``&name``, ``*name``) are refused. Nine levels of nested aliases in
  572 bytes expand to billions of nodes for every walk that follows them (line numbers,
  placeholders, validation). No definition in ``stacks/workflows/`` uses them, a file stays
  readable without them, and refusing them outright needs no expansion bound to explain.
- Nesting is at most ``MAX_DEPTH`` (64) levels of mappings and lists. PyYAML composes nodes
  recursively, so ~500 nested ``[`` ended in a RecursionError; a real workflow nests about 8
  deep (steps, input, filters), so 64 leaves room for any free-form step input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pulumi_thena.definitions.errors import FileProblem

MAX_FILE_BYTES = 1024 * 1024
"""Definition files above this size (1 MiB) are rejected before they are parsed."""

MAX_DEPTH = 64
"""Mappings and lists nest at most this deep in a YAML file (the top level is 1)."""

_BOOL_TAG = "tag:yaml.org,2002:bool"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")


class DuplicateKeyError(ConstructorError):
    """A mapping has the same key twice (PyYAML would silently keep the last one)."""


class RefusedYamlError(ComposerError):
    """Valid YAML this loader refuses to compose: an anchor, an alias, or too deep a nesting."""


class _Strict:
    """Duplicate keys refused, and scalars resolved as YAML 1.2 does (mixed into a loader)."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        _reject_duplicate_keys(node)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return result


class StrictLoader(_Strict, yaml.SafeLoader):
    """The pure-Python strict loader (the fallback without libyaml)."""


_CLoader: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)
if _CLoader is not None:

    class CStrictLoader(_Strict, _CLoader):  # type: ignore[valid-type,misc]
        """The strict loader on libyaml's parser and composer."""

    LOADER: type[Any] = CStrictLoader
else:  # pragma: no cover - PyYAML built without libyaml
    LOADER = StrictLoader

_LOADERS: tuple[Any, ...] = (StrictLoader, LOADER)
for _loader in _LOADERS:
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _TIMESTAMP_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
    )


def _refuse_anchor(event: Any) -> None:
    if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
        sign = "*" if isinstance(event, AliasEvent) else "&"
        raise _anchor_refused(f"{sign}{event.anchor}", event.start_mark)


def _anchor_refused(shown: str, mark: Any) -> RefusedYamlError:
    return RefusedYamlError(
        None,
        None,
        f"YAML anchors and aliases ({shown}) are not allowed in definition files (a few "
        "aliases can expand a small file into gigabytes); write the value out in full",
        mark,
    )


def _check_events(text: str) -> None:
    """Anchors, aliases and nesting deeper than ``MAX_DEPTH``, refused from the event stream."""
    depth = 0
    event: Any
    try:
        for event in yaml.parse(text, Loader=LOADER):
            _refuse_anchor(event)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        raise _in_our_words(error) from None


def _in_our_words(error: yaml.MarkedYAMLError, text: str = "") -> yaml.MarkedYAMLError:
    """libyaml's errors about what this loader refuses anyway, said as the refusal."""
    problem, mark = str(error.problem), error.problem_mark
    if mark is None:
        return error
    if "maximum nesting depth" in problem:  # libyaml stops far deeper nesting itself
        return _too_deep(mark)
    if "found undefined alias" in problem:  # an alias with no anchor (composed without events)
        alias = _ALIAS.match(text, mark.index)
        return _anchor_refused(alias.group(0) if alias else "*", mark)
    return error


def _too_deep(mark: Any) -> RefusedYamlError:
    return RefusedYamlError(
        None,
        None,
        f"mappings and lists nest more than {MAX_DEPTH} levels deep here (the limit of a "
        f"definition file); flatten the data to keep within {MAX_DEPTH} levels",
        mark,
    )


def _reject_duplicate_keys(node: MappingNode) -> None:
    seen: dict[str, Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.value == "<<":
            continue
        first = seen.setdefault(key_node.value, key_node)
        if first is not key_node:
            raise DuplicateKeyError(
                None,
                None,
                f"key '{key_node.value}' appears twice in this mapping (first on line "
                f"{first.start_mark.line + 1}); keep one of them",
                key_node.start_mark,
            )


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its data and the line where each field path starts."""

    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest parent that exists in the file."""
        while path:
            if path in self.lines:
                return self.lines[path]
            trimmed = _PARENT.sub("", path)
            if trimmed == path:
                break
            path = trimmed
        return self.lines.get("")


def read_yaml(path: Path, display: str, *, allow_empty: bool = False) -> YamlDocument | FileProblem:
    """Parse ``path``; a problem (with its line where known) if it is too big or not valid YAML.

    An empty file is a problem unless ``allow_empty`` (then its data is None).
    """
    text = read_text(path, display)
    if isinstance(text, FileProblem):
        return text
    return parse_yaml(text, display, allow_empty=allow_empty)


def read_text(path: Path, display: str) -> str | FileProblem:
    """The text of ``path``; a problem if it is over ``MAX_FILE_BYTES`` or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return FileProblem(
            display,
            "",
            f"the file is {size} bytes, over the {MAX_FILE_BYTES}-byte (1 MiB) limit for a "
            "definition file; split it or shorten large inputs",
        )
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return FileProblem(display, "", f"not UTF-8 text ({error.reason}); save the file as UTF-8")


def parse_yaml(text: str, display: str, *, allow_empty: bool = False) -> YamlDocument | FileProblem:
    """Parse one YAML document held in ``text`` (see ``read_yaml``)."""
    lines: dict[str, int] = {}
    loader = LOADER(text)
    try:
        if _may_refuse(text):
            _check_events(text)
        node = loader.get_single_node()
        if node is not None:
            _record_lines(node, lines)  # refuses too deep a nesting, before construction
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        return _syntax_problem(_in_our_words(error, text), display)
    except yaml.YAMLError as error:
        return FileProblem(display, "", f"not valid YAML: {error}; fix the syntax")
    finally:
        loader.dispose()
    if node is None:
        if allow_empty:
            return YamlDocument(None)
        return FileProblem(display, "", "the file is empty; write one workflow definition in it")
    return YamlDocument(data, lines)


def _may_refuse(text: str) -> bool:
    """Whether the event stream must be read before composing ``text``.

    libyaml composes without Python recursion and stops absurd nesting itself, and without a
    ``&`` a text holds no anchor, so no alias can expand: composing it is safe, and its depth is
    checked on the nodes. The pure-Python composer recurses, so it always needs the check.
    """
    return LOADER is StrictLoader or "&" in text


def _syntax_problem(error: yaml.MarkedYAMLError, display: str) -> FileProblem:
    mark = error.problem_mark or error.context_mark
    what = error.problem or error.context or "not valid YAML"
    context = f" ({error.context})" if error.context and error.problem else ""
    if mark is None:
        return FileProblem(display, "", f"not valid YAML: {what}{context}; fix the syntax")
    if isinstance(error, DuplicateKeyError | RefusedYamlError):
        return FileProblem(display, "", f"column {mark.column + 1}: {what}", line=mark.line + 1)
    return FileProblem(
        display,
        "",
        f"column {mark.column + 1}: not valid YAML: {what}{context}; fix the syntax there",
        line=mark.line + 1,
    )


def _record_lines(root: Node, lines: dict[str, int]) -> None:
    """The line of each field path under ``root``; RefusedYamlError past ``MAX_DEPTH``."""
    stack: list[tuple[Node, str, int]] = [(root, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode | SequenceNode) and depth > MAX_DEPTH:
            raise _too_deep(node.start_mark)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                lines[child] = key_node.start_mark.line + 1
                stack.append((value_node, child, depth + 1))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, f"{path}[{index}]", depth + 1))
