"""The folder where commands keep what they worked out from a file's content, by that content.

Two things are kept: a definition file as PyYAML parsed it (``parse_cache``, in the folder
itself) and what the built-in guardrails found in a workflow (``findings/``, see
``guardrails.enforce``). Each entry is plain JSON (never code) named by a SHA-256 key that its
user makes of everything the answer depends on, so a change is a miss, never a stale answer.
Entries are written atomically, only when JSON holds the value exactly; one that cannot be read
is a miss; any that is older than ``MAX_AGE_DAYS`` is removed (at most once a day).

The folder is ``$THENA_WORKFLOWS_CACHE_DIR``, else ``$XDG_CACHE_HOME/pulumi-thena/yaml`` (by
default ``~/.cache/pulumi-thena/yaml``). ``THENA_WORKFLOWS_CACHE_DIR=off`` turns it off.
Deleting it is always safe. It is meant for one machine or one CI job: do not restore it from a
cache that another branch's jobs can write.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ENV = "THENA_WORKFLOWS_CACHE_DIR"
OFF = "off"
MAX_AGE_DAYS = 30
"""Entries older than this are removed (at most once a day), used or not; a miss re-creates one."""
FINDINGS = "findings"
"""The part of the folder where the built-in guardrails' findings are kept."""


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is off."""
    chosen = os.environ.get(ENV)
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pulumi-thena" / "yaml"


class ContentStore:
    """JSON entries in one folder, by key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, key: str) -> Any | None:
        """The value kept under ``key``, or None (never kept, or unreadable)."""
        try:
            return json.loads((self.folder / f"{key}.json").read_bytes())
        except (OSError, ValueError):
            return None

    def write(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key`` when JSON holds it exactly (no tuples, dates, sets,
        bytes or non-text keys); a read-only or full disk keeps nothing."""
        try:
            text = json.dumps(value, allow_nan=False)
            if json.loads(text) != value:
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            self._prune()
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False
            ) as handle:
                handle.write(text)
            os.replace(handle.name, self.folder / f"{key}.json")
        except (OSError, TypeError, ValueError):
            return

    def _prune(self) -> None:
        """Remove entries older than ``MAX_AGE_DAYS``, at most once a day."""
        marker = self.folder / ".pruned"
        now = time.time()
        try:
            if now - marker.stat().st_mtime < 86_400:
                return
        except FileNotFoundError:
            pass
        marker.touch()
        for old in [*self.folder.glob("*.json"), *self.folder.glob("*.tmp")]:
            try:
                if now - old.stat().st_mtime > MAX_AGE_DAYS * 86_400:
                    old.unlink()
            except OSError:
                continue


def content_store(part: str = "") -> ContentStore | None:
    """The store of one kind of entry (``""``: the folder itself), or None when the cache is off."""
    folder = cache_dir()
    if folder is None:
        return None
    return ContentStore(folder / part if part else folder)
