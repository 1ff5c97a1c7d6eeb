"""Definition files parsed once per content: a cache of ``yamlfile``'s result, keyed by the text.

Parsing YAML is the largest part of loading a stack: 500 files of 25 steps take about 1.5 s of
CPU in PyYAML (with libyaml), and the pipeline reads the same files in ``validate``, ``test``,
``plan`` and the program of ``pulumi preview`` and ``pulumi up``. The first of them parses each
file and stores what came out (the data and the line of each field path) as JSON; the others
read that back in a few milliseconds per hundred files.

The key is the SHA-256 of the file's text, of ``yamlfile``'s own source and of PyYAML's version,
so an edit of a file or of the loader is a miss, never a stale answer. Only what parsed without a
problem, and survives JSON unchanged, is stored: a file with a problem is parsed every time, so
its message and line come from the parser itself. Entries are plain JSON (never code), written
atomically, and any that cannot be read is a miss.

The cache is ``$THENA_WORKFLOWS_CACHE_DIR``, else ``$XDG_CACHE_HOME/pulumi-thena/yaml`` (by default
``~/.cache/pulumi-thena/yaml``). ``THENA_WORKFLOWS_CACHE_DIR=off`` turns it off. Deleting it is
always safe. It is meant for one machine or one CI job: do not restore it from a cache that
another branch's jobs can write.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path

import yaml

from pulumi_thena.definitions import yamlfile
from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.definitions.yamlfile import YamlDocument, parse_yaml, read_text

ENV = "THENA_WORKFLOWS_CACHE_DIR"
OFF = "off"
MAX_AGE_DAYS = 30
"""Entries older than this are removed (at most once a day), used or not; a miss re-creates one."""


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    chosen = os.environ.get(ENV)
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pulumi-thena" / "yaml"


def read_definition_yaml(path: Path, display: str) -> YamlDocument | FileProblem:
    """``yamlfile.read_yaml`` of a definition file, answered from the cache when its text was
    parsed before."""
    text = read_text(path, display)
    if isinstance(text, FileProblem):
        return text
    directory = cache_dir()
    if directory is None:
        return parse_yaml(text, display)
    entry = directory / f"{_key(text)}.json"
    cached = _load(entry)
    if cached is not None:
        return cached
    document = parse_yaml(text, display)
    if isinstance(document, YamlDocument):
        _store(directory, entry, document)
    return document


@functools.cache
def _loader_digest() -> bytes:
    loader = Path(yamlfile.__file__).read_bytes() + yamlfile.LOADER.__name__.encode()
    return hashlib.sha256(loader + yaml.__version__.encode()).digest()


def _key(text: str) -> str:
    return hashlib.sha256(_loader_digest() + text.encode("utf-8")).hexdigest()


def _load(entry: Path) -> YamlDocument | None:
    try:
        stored = json.loads(entry.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or not isinstance(stored.get("lines"), dict):
        return None
    lines = stored["lines"]
    if not all(isinstance(line, int) for line in lines.values()) or "data" not in stored:
        return None
    return YamlDocument(stored["data"], lines)


def _store(directory: Path, entry: Path, document: YamlDocument) -> None:
    """Write ``document`` when JSON holds it exactly (no dates, sets, bytes or non-text keys)."""
    try:
        text = json.dumps({"data": document.data, "lines": document.lines}, allow_nan=False)
        if json.loads(text)["data"] != document.data:
            return
        directory.mkdir(parents=True, exist_ok=True)
        _prune(directory)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=directory, suffix=".tmp", delete=False
        ) as handle:
            handle.write(text)
        os.replace(handle.name, entry)
    except (OSError, TypeError, ValueError):
        return  # a read-only or full disk, or data JSON cannot hold: parse next time


def _prune(directory: Path) -> None:
    """Remove entries older than ``MAX_AGE_DAYS``, at most once a day."""
    marker = directory / ".pruned"
    now = time.time()
    try:
        if now - marker.stat().st_mtime < 86_400:
            return
    except FileNotFoundError:
        pass
    marker.touch()
    for old in [*directory.glob("*.json"), *directory.glob("*.tmp")]:
        try:
            if now - old.stat().st_mtime > MAX_AGE_DAYS * 86_400:
                old.unlink()
        except OSError:
            continue
