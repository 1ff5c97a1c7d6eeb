"""Realistic workflow definition files for the benchmark, valid against the emulator's registry.

Each workflow has 5 to 30 steps over the default registry's events and activities, with retry
policies, a dependency DAG, workflow and step filters, annotations, pinned versions, sleeps and
compensations. Everything is derived from the workflow's index, so a run is reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

TEAM_ID = "team-bench-support"
AGENT_ID = "bot-bench"
MIN_STEPS, MAX_STEPS = 5, 30
EVENTS = (
    "ticket:created",
    "ticket:updated",
    "ticket:comment:added",
    "ticket:escalated",
    "ticket:status:changed",
    "account:created",
    "slack:message",
    "schedule:daily",
)
TICKET_ID = "{{context.event.message.payload.ticketId}}"
# activity -> versions in the emulator's default registry
VERSIONS = {
    "tickets:add-comment-platform": (1, 2),
    "tickets:update-ticket-platform": (1, 2),
    "tickets:assign-ticket-platform": (1,),
    "tickets:create-ticket-platform": (1, 2, 3),
    "slack:send-message": (1, 2),
    "http:webhook": (1, 2, 3),
    "email:send-email": (1,),
}


def stem(index: int) -> str:
    """The file stem (and Pulumi resource name) of workflow ``index``."""
    return f"wf-{index:04d}"


def sample(count: int, fraction: float = 0.1, offset: int = 0) -> list[int]:
    """``ceil(count * fraction)`` indexes spread evenly over ``range(count)``, from ``offset``."""
    wanted = math.ceil(count * fraction)
    step = max(1, count // wanted)
    return sorted({(offset + i * step) % count for i in range(wanted)})


def team_of(index: int, teams: int = 1) -> str:
    """The team of workflow ``index`` when the workflows are spread over ``teams`` teams."""
    return TEAM_ID if teams == 1 else f"{TEAM_ID}-{index % teams}"


def workflow(index: int, steps: int | None = None, teams: int = 1) -> dict[str, Any]:
    """The definition of workflow ``index`` as its file holds it."""
    rng = random.Random(f"bench-{index}")
    event = EVENTS[index % len(EVENTS)]
    count = steps if steps is not None else rng.randint(MIN_STEPS, MAX_STEPS)
    definition: dict[str, Any] = {
        "name": f"Bench {index:04d} on {event}",
        "triggerEvent": event,
        "executingAgent": AGENT_ID,
        "teamId": team_of(index, teams),
        "metadata": {"owner": "support-ops", "tier": rng.choice(["gold", "silver", "bronze"])},
        "filters": _workflow_filter(rng),
        "workflowDefinition": [_step(rng, number) for number in range(1, count + 1)],
    }
    if event.startswith("ticket:"):
        definition["annotations"] = [_ticket_annotation()]
    return definition


def write_workflows(directory: Path, count: int, teams: int = 1) -> list[str]:
    """Write ``count`` definition files into ``directory``; returns their stems."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.yaml"):
        old.unlink()
    for index in range(count):
        write_file(directory / f"{stem(index)}.yaml", workflow(index, teams=teams))
    return [stem(index) for index in range(count)]


def write_file(path: Path, data: dict[str, Any]) -> None:
    """One definition file, keys in the order written."""
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def edit_file(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Load a definition file, apply ``change`` to it, write it back."""
    data = yaml.safe_load(path.read_text())
    change(data)
    write_file(path, data)


def bump_revision(data: dict[str, Any]) -> None:
    """A real definition change: the first step's input gets a new revision note."""
    first = data["workflowDefinition"][0].setdefault("input", {})
    first["revision"] = int(first.get("revision", 0)) + 1


def _workflow_filter(rng: random.Random) -> dict[str, Any]:
    priorities = rng.sample(["urgent", "high", "normal", "low"], k=2)
    return {
        "~and": [
            {"ticket.priority": {"~in": priorities}},
            {"ticket.status": {"~nin": ["spam", "merged"]}},
            {"~or": [{"ticket.tags": {"~contains": "vip"}}, {"ticket.title": {"~regex": "^\\["}}]},
        ]
    }


def _ticket_annotation() -> dict[str, Any]:
    return {
        "entityType": "Ticket",
        "requiredFields": {"ticketId": TICKET_ID},
        "relations": ["account", "account.classification"],
        "pathToAnnotate": "context.event.message.payload.ticket",
    }


def _step(rng: random.Random, number: int) -> dict[str, Any]:
    if number > 2 and rng.random() < 0.08:
        return _sleep_step(rng, number)
    activity = rng.choice(sorted(VERSIONS))
    step: dict[str, Any] = {
        "stepIdentifier": number,
        "activity": _activity_ref(rng, activity),
        "input": _input(rng, activity, number),
    }
    _add_dependencies(step, rng, number)
    _add_reliability(step, rng)
    if rng.random() < 0.2:
        step["filters"] = {"ticket.status": {"~neq": "closed"}}
    if activity == "tickets:create-ticket-platform":
        step["compensationActivity"] = {
            "activity": {"uniqueIdentifier": "tickets:update-ticket-platform"},
            "input": {"ticketId": f"{{{{context.steps.{number}.result.ticketId}}}}"},
        }
    return step


def _sleep_step(rng: random.Random, number: int) -> dict[str, Any]:
    step: dict[str, Any] = {
        "stepIdentifier": number,
        "isSleepActivity": True,
        "activity": {"uniqueIdentifier": "workflows:sleep-platform"},
        "input": {"duration": rng.choice([60, 300, 900])},
    }
    _add_dependencies(step, rng, number)
    return step


def _activity_ref(rng: random.Random, activity: str) -> dict[str, Any]:
    ref: dict[str, Any] = {"uniqueIdentifier": activity}
    if rng.random() < 0.25:
        ref.update(autoUpgradeToLatestVersion=False, version=rng.choice(VERSIONS[activity]))
    return ref


def _add_dependencies(step: dict[str, Any], rng: random.Random, number: int) -> None:
    if number == 1:
        return
    earlier: Sequence[int] = range(max(1, number - 4), number)
    picked = rng.sample(list(earlier), k=min(len(earlier), rng.randint(1, 2)))
    step["dependencies"] = [str(dep) for dep in sorted(picked)]


def _add_reliability(step: dict[str, Any], rng: random.Random) -> None:
    if rng.random() < 0.6:
        step["retryPolicy"] = {
            "maximumAttempts": rng.randint(2, 6),
            "initialInterval": rng.choice([1, 2, 5]),
            "backoffCoefficient": rng.choice([1.5, 2]),
        }
    if rng.random() < 0.3:
        step["executionTimeout"] = rng.choice([30, 60, 120])
    if rng.random() < 0.3:
        step["onFailure"] = "CONTINUE"


def _input(rng: random.Random, activity: str, number: int) -> dict[str, Any]:
    builders: dict[str, Callable[[], dict[str, Any]]] = {
        "tickets:add-comment-platform": lambda: {
            "ticketId": TICKET_ID,
            "content": f"Step {number}: noted by automation.",
            "commentVisibility": rng.choice(["private", "public"]),
        },
        "tickets:update-ticket-platform": lambda: {
            "ticketId": TICKET_ID,
            "priority": rng.choice(["urgent", "high", "normal"]),
            "statusId": rng.choice(["open", "pending", "on_hold"]),
        },
        "tickets:assign-ticket-platform": lambda: {
            "ticketId": TICKET_ID,
            "assignedAgentId": f"agent-{rng.randint(1, 40):02d}",
        },
        "tickets:create-ticket-platform": lambda: {
            "title": f"Follow-up from step {number}",
            "description": "Opened by automation; see the parent ticket.",
            "teamId": TEAM_ID,
            "priority": "normal",
        },
        "slack:send-message": lambda: {
            "channel": rng.choice(["#support", "#escalations", "#csm"]),
            "text": f"Ticket {TICKET_ID} reached step {number}.",
        },
        "http:webhook": lambda: {
            "url": f"https://hooks.example.com/thena/{rng.randint(1, 99)}",
            "method": "POST",
            "body": {"ticketId": TICKET_ID, "step": number},
        },
        "email:send-email": lambda: {
            "to": "support-leads@example.com",
            "subject": f"Step {number} of a support workflow ran",
            "body": "See the ticket for details.",
        },
    }
    return builders[activity]()
