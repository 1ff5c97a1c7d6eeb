"""The emulator's stored state and its optional, atomically written JSON file.

Only Thena's data is persisted (workflows with all versions, registry, executions, tasks), and
what the emulator needs to resume an execution waiting for a decision (``runs``, see
``executions``); faults, counters, the request log and runtime config live in memory.
Workflows are kept as their requests sent them, so that either answer shape can be served from
them.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pulumi_thena.emulator.registry import default_activities, default_events

_COLLECTION_TYPES: dict[str, type] = {
    "workflows": dict,
    "events": list,
    "activities": list,
    "executions": dict,
    "tasks": dict,
    "runs": dict,
}


class StateFileError(Exception):
    """A ``--state`` file that cannot be used; the message is one line that says what to do."""


@dataclass
class State:
    """Everything the API serves. Workflows map uniqueIdentifier -> versions, oldest first."""

    workflows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=default_events)
    activities: list[dict[str, Any]] = field(default_factory=default_activities)
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Execution id -> what was fired, the workflow then, decisions and task ids (executions)."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        fresh = cls()
        return cls(**{name: data.get(name, getattr(fresh, name)) for name in fresh.to_json()})


def load_state(path: Path) -> State:
    """The state saved at ``path``, or a fresh state when the file does not exist yet.

    Raises StateFileError when the path is a directory, cannot be read, or holds anything but
    a state this module wrote.
    """
    if path.is_dir():
        raise StateFileError(f"state file {path} is a directory; give the path of a JSON file")
    if not path.exists():
        return State()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise StateFileError(f"cannot read state file {path}: {error.strerror}") from error
    except ValueError as error:
        raise StateFileError(
            f"state file {path} is not JSON ({_first_line(error)}); "
            "give another path, or move this file away to start empty"
        ) from error
    problem = _shape_problem(data)
    if problem:
        raise StateFileError(
            f"state file {path} is not an emulator state: {problem}; "
            "give another path, or move this file away to start empty"
        )
    return State.from_json(data)


def _shape_problem(data: object) -> str | None:
    if not isinstance(data, dict):
        return "it must hold a JSON object"
    for name, kind in _COLLECTION_TYPES.items():
        if name in data and not isinstance(data[name], kind):
            return f"'{name}' must be a JSON {'object' if kind is dict else 'array'}"
    return None


def _first_line(error: ValueError) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def save_state(path: Path, state: State) -> None:
    """Write the whole state so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as temp:
            json.dump(state.to_json(), temp, indent=1, sort_keys=False)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
