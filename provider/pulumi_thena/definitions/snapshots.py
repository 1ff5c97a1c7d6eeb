"""Registry snapshots: what each stack's org offers, committed so that validation works offline.

Each stack is its own org (and team), with its own event and activity registries. A snapshot,
``stacks/registry/<stack>.json``, records them as one read of the org saw them
(``thena-workflows registry snapshot --stack S``, against the live org or the emulator), so that
``thena-workflows validate`` catches a misspelled event or activity before a pull request,
without credentials. It keeps the events' JSON Schemas too, for the checks of templates.

    {"stack": "local", "apiUrl": "...", "takenAt": "2026-12-01T21:40:00Z",
     "teams": {"": {...org-wide...}, "team-1": {"events": [{"eventName", "uid", "schema"}],
                                                 "activities": [{"uniqueIdentifier", "name",
                                                                 "versions": [1, 2]}],
                                                 "operators": ["~eq", ...]}}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_thena.definitions.errors import FileProblem
from pulumi_thena.models import Registry

if TYPE_CHECKING:  # the client (httpx, tenacity) loads only to take a snapshot: the program
    from pulumi_thena.client import ThenaClient  # and most commands just read one

SNAPSHOT_DIR = "stacks/registry"
ORG_WIDE = ""
"""The key of the registries read without a team."""


def snapshot_file(stack: str) -> str:
    """``stacks/registry/<stack>.json``, relative to the project directory."""
    return f"{SNAPSHOT_DIR}/{stack}.json"


@dataclass(frozen=True)
class RegistrySnapshot:
    """One stack's registries as a read of its org saw them."""

    stack: str
    file: str
    api_url: str
    taken_at: datetime
    teams: Mapping[str, Mapping[str, Any]]

    def registry(self, team_id: str | None) -> Registry | None:
        """The registry of ``team_id`` (or the org-wide one); None when the snapshot lacks it."""
        entry = self.teams.get(team_id or ORG_WIDE)
        if entry is None:
            return None
        names = {e["eventName"]: e.get("uid") or e["eventName"] for e in entry.get("events", [])}
        versions = {
            a["uniqueIdentifier"]: frozenset(a.get("versions", []))
            for a in entry.get("activities", [])
        }
        operators = entry.get("operators")
        if operators:
            return Registry(names, versions, frozenset(operators))
        return Registry(names, versions)

    def event_schema(self, event: str, team_id: str | None) -> dict[str, Any] | None:
        """The JSON Schema of an event's message, by name or uid, if the snapshot has it."""
        entry = self.teams.get(team_id or ORG_WIDE) or self.teams.get(ORG_WIDE) or {}
        for item in entry.get("events", []):
            if event in (item.get("eventName"), item.get("uid")):
                schema = item.get("schema")
                return schema if isinstance(schema, dict) else None
        return None

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or datetime.now(UTC)) - self.taken_at

    def describe(self, now: datetime | None = None) -> str:
        """``stacks/registry/dev.json, taken 2026-12-01 21:40 UTC (3 days ago)``."""
        taken = self.taken_at.strftime("%Y-%m-%d %H:%M UTC")
        return f"{self.file}, taken {taken} ({_ago(self.age(now))})"


def _ago(age: timedelta) -> str:
    days = age.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    hours = int(age.total_seconds() // 3600)
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return "less than an hour ago"


def read_snapshot(project_dir: Path, stack: str) -> RegistrySnapshot | FileProblem | None:
    """The stack's snapshot; None when there is none; a problem when it cannot be read."""
    display = snapshot_file(stack)
    path = project_dir / display
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        taken = datetime.fromisoformat(str(data["takenAt"]).replace("Z", "+00:00"))
        teams = data["teams"]
        if not isinstance(teams, dict) or not all(isinstance(v, dict) for v in teams.values()):
            raise ValueError("teams must be an object of objects")
    except (OSError, ValueError, KeyError, TypeError) as error:
        return FileProblem(
            display,
            "",
            f"the registry snapshot cannot be read ({error}); write it again with "
            f"`thena-workflows registry snapshot --stack {stack}`",
        )
    return RegistrySnapshot(stack, display, str(data.get("apiUrl", "")), taken, teams)


def take_snapshot(
    client: ThenaClient, stack: str, teams: Iterable[str | None], now: datetime | None = None
) -> dict[str, Any]:
    """Read the registries of each team (and the org-wide ones) into a snapshot document."""
    entries = {}
    for team in sorted({None, *teams}, key=lambda t: t or ""):
        entries[team or ORG_WIDE] = _team_entry(client, team)
    taken = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "stack": stack,
        "apiUrl": client.base_url,
        "takenAt": taken.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "teams": entries,
    }


def _team_entry(client: ThenaClient, team: str | None) -> dict[str, Any]:
    from pulumi_thena.client import fetch_lists

    lists = fetch_lists(client, team)
    events = [
        {"eventName": e.event_name, "uid": e.uid, "schema": e.event_schema}
        for e in lists.events
        if e.event_name
    ]
    versions: dict[str, set[int]] = {}
    names: dict[str, str | None] = {}
    for activity in lists.activities:
        versions.setdefault(activity.unique_identifier, set())
        if activity.version is not None:
            versions[activity.unique_identifier].add(activity.version)
        names.setdefault(activity.unique_identifier, activity.name)
    activities = [
        {"uniqueIdentifier": uid, "name": names[uid], "versions": sorted(found)}
        for uid, found in sorted(versions.items())
    ]
    operators = sorted(lists.catalog.names()) if lists.catalog is not None else []
    return {
        "events": sorted(events, key=lambda e: str(e["eventName"])),
        "activities": activities,
        "operators": operators,
    }


def write_snapshot(project_dir: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as the snapshot of its stack; returns the file."""
    path = project_dir / snapshot_file(str(document["stack"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path
