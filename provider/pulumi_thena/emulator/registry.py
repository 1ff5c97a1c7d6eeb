"""The registries: the default events and activities, and a read-only view for the rules.

Event uids are 29-character upper-case alphanumerics like the one in Thena's docs; activity
uids are 26-character Crockford ids. Every call returns fresh copies, so callers may mutate them.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

REGISTRY_CREATED_AT = "2024-01-01T00:00:00.000Z"

_TICKET = {
    "type": "object",
    "properties": {
        "message": {
            "type": "object",
            "properties": {
                "actor": {"type": "object"},
                "payload": {
                    "type": "object",
                    "properties": {"ticketId": {"type": "string"}, "ticket": {"type": "object"}},
                },
            },
        },
        "messageAttributes": {"type": "object"},
    },
}

_EVENTS: list[tuple[str, str, str, str]] = [
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S1", "ticket:created", "A ticket was created", "platform_app"),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S8", "ticket:updated", "A ticket was updated", "platform_app"),
    (
        "D0DN56NJ10C3RJJG1TGR3D86HM0S2",
        "ticket:comment:added",
        "A comment was added",
        "platform_app",
    ),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S3", "ticket:escalated", "A ticket was escalated", "platform_app"),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S4", "ticket:archived", "A ticket was archived", "platform_app"),
    (
        "D0DN56NJ10C3RJJG1TGR3D86HM0S5",
        "ticket:status:changed",
        "A ticket's status changed",
        "platform_app",
    ),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S6", "account:created", "An account was created", "platform_app"),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S7", "slack:message", "A Slack message was posted", "slack"),
    ("D0DN56NJ10C3RJJG1TGR3D86HM0S9", "schedule:daily", "Fires once a day", "scheduler"),
]

# (uniqueIdentifier, name, category, source, versions, input properties)
_ACTIVITIES: list[tuple[str, str, str, str, list[int], list[str]]] = [
    ("workflows:sleep-platform", "Sleep", "workflows", "platform_app", [1], ["duration"]),
    (
        "tickets:create-ticket-platform",
        "Create ticket",
        "tickets",
        "platform_app",
        [1, 2, 3],
        ["title", "description", "teamId", "priority"],
    ),
    (
        "tickets:update-ticket-platform",
        "Update ticket",
        "tickets",
        "platform_app",
        [1, 2],
        ["ticketId", "priority", "statusId"],
    ),
    (
        "tickets:add-comment-platform",
        "Add comment",
        "tickets",
        "platform_app",
        [1, 2],
        ["ticketId", "content", "commentVisibility"],
    ),
    (
        "tickets:assign-ticket-platform",
        "Assign ticket",
        "tickets",
        "platform_app",
        [1],
        ["ticketId", "assignedAgentId"],
    ),
    ("slack:send-message", "Send Slack message", "slack", "slack", [1, 2], ["channel", "text"]),
    ("http:webhook", "Call a webhook", "http", "http", [1, 2, 3], ["url", "method", "body"]),
    ("email:send-email", "Send email", "email", "email", [1], ["to", "subject", "body"]),
    (
        "accounts:update-account-platform",
        "Update account",
        "accounts",
        "platform_app",
        [1],
        ["accountId", "fields"],
    ),
]


def default_events() -> list[dict[str, Any]]:
    """The default event registry in RegistryEvent wire form."""
    return [
        {
            "uid": uid,
            "eventName": name,
            "description": description,
            "source": source,
            "schema": copy.deepcopy(_TICKET) if name.startswith("ticket:") else _message_schema(),
            "metadata": {"category": name.split(":", 1)[0]},
            "isActive": True,
        }
        for uid, name, description, source in _EVENTS
    ]


def _message_schema() -> dict[str, Any]:
    return {"type": "object", "properties": {"message": {"type": "object"}}}


def default_activities() -> list[dict[str, Any]]:
    """The default activity registry: one RegistryActivity per (activity, version)."""
    items = []
    for index, (identifier, name, category, source, versions, inputs) in enumerate(_ACTIVITIES):
        for version in versions:
            uid = f"01HQ0ACT{index:02d}V{version:02d}" + "0" * 13
            items.append(
                {
                    "uniqueIdentifier": identifier,
                    "version": version,
                    "uid": uid,
                    "id": uid,
                    "name": name,
                    "description": f"{name} (version {version})",
                    "source": source,
                    "category": category,
                    "inputSchema": _object_schema(inputs),
                    "outputSchema": {
                        "type": "object",
                        "properties": {"success": {"type": "boolean"}},
                    },
                    "isActive": True,
                    "createdAt": REGISTRY_CREATED_AT,
                    "updatedAt": REGISTRY_CREATED_AT,
                }
            )
    return items


def _object_schema(properties: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": {name: {} for name in properties}}


class RegistryView:
    """What the rules and the answers need of a registry: events by uid or name, activities."""

    def __init__(
        self, events: Sequence[dict[str, Any]], activities: Sequence[dict[str, Any]]
    ) -> None:
        self._events = events
        self._activities = activities
        self.activity_ids = frozenset(str(a.get("uniqueIdentifier")) for a in activities)

    def resolve_event(self, uid_or_name: str) -> dict[str, Any] | None:
        """The registry event whose uid (preferred) or eventName is given; SPEC U-7."""
        for key in ("uid", "eventName"):
            for event in self._events:
                if event.get(key) == uid_or_name:
                    return event
        return None

    def latest_version(self, unique_identifier: str) -> int | None:
        """The highest version of an activity, or None when the registry lacks it."""
        versions = [
            a["version"]
            for a in self._activities
            if a.get("uniqueIdentifier") == unique_identifier and isinstance(a.get("version"), int)
        ]
        return max(versions) if versions else None

    def activity_name(self, unique_identifier: str, version: int | None) -> str | None:
        """The name of that version of an activity, else of any version; None when unknown."""
        entries = [a for a in self._activities if a.get("uniqueIdentifier") == unique_identifier]
        exact = [a for a in entries if a.get("version") == version]
        for entry in (*exact, *entries):
            if isinstance(entry.get("name"), str):
                return str(entry["name"])
        return None
