"""Definition files parsed once per content: a cache of ``yamlfile``'s result, keyed by the text.

Parsing YAML is the largest part of loading a stack: 500 files of 25 steps take about 1.5 s of
CPU in PyYAML (with libyaml), and the pipeline reads the same files in ``validate``, ``test``,
``plan`` and the program of ``pulumi preview`` and ``pulumi up``. The first of them parses each
file and stores what came out (the data and the line of each field path) as JSON; the others
read that back in a few milliseconds per hundred files.

The key is the SHA-256 of the file's text, of ``yamlfile``'s own source and of PyYAML's version,
so an edit of a file or of the loader is a miss, never a stale answer. Only what parsed without a
problem, and survives JSON unchanged, is stored: a file with a problem is parsed every time, so
its message and line come from the parser itself. Where entries are kept, and how (atomically,
pruned, ``THENA_WORKFLOWS_CACHE_DIR=off``), is ``content_cache``'s.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import yaml

from pulumi_thena.definitions import yamlfile
from pulumi_thena.definitions.content_cache import ENV, MAX_AGE_DAYS, OFF, cache_dir, content_store
from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.yamlfile import YamlDocument, parse_yaml, read_text

__all__ = ["ENV", "MAX_AGE_DAYS", "OFF", "cache_dir", "read_definition_yaml"]


def read_definition_yaml(path: Path, display: str) -> YamlDocument | FileProblem:
    """``yamlfile.read_yaml`` of a definition file, answered from the cache when its text was
    parsed before."""
    text = read_text(path, display)
    if isinstance(text, FileProblem):
        return text
    store = content_store()
    if store is None:
        return parse_yaml(text, display)
    key = _key(text)
    cached = _document(store.read(key))
    if cached is not None:
        return cached
    document = parse_yaml(text, display)
    if isinstance(document, YamlDocument):
        store.write(key, {"data": document.data, "lines": document.lines})
    return document


@functools.cache
def _loader_digest() -> bytes:
    loader = Path(yamlfile.__file__).read_bytes() + yamlfile.LOADER.__name__.encode()
    return hashlib.sha256(loader + yaml.__version__.encode()).digest()


def _key(text: str) -> str:
    return hashlib.sha256(_loader_digest() + text.encode("utf-8")).hexdigest()


def _document(stored: Any) -> YamlDocument | None:
    if not isinstance(stored, dict) or not isinstance(stored.get("lines"), dict):
        return None
    lines = stored["lines"]
    if not all(isinstance(line, int) for line in lines.values()) or "data" not in stored:
        return None
    return YamlDocument(stored["data"], lines)
