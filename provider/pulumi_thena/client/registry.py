"""The registries of an org, per team: events, activities and filter operators, read once.

The provider (one cache per process) and ``thena-workflows validate --online`` both cross-check
definitions against what the org offers; each team's three reads are made at once, so that
checking costs one round trip of waiting, and only the first time a team is asked for.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from pulumi_thena.client.client import ThenaClient
from pulumi_thena.client.errors import NotFoundError
from pulumi_thena.models import (
    FilterOperatorCatalog,
    Registry,
    RegistryActivity,
    RegistryEvent,
)

log = logging.getLogger("pulumi_thena.client")
T = TypeVar("T")


class RegistryCache:
    """Each team's registry, fetched on first need and kept; safe to share between threads."""

    def __init__(self, client: ThenaClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._registries: dict[str | None, Registry] = {}

    def registry(self, team_id: str | None) -> Registry:
        """The event and activity registries and operator catalogue of a team (None: the org)."""
        with self._lock:  # fetch under the lock so that racing threads make one set of calls
            if team_id not in self._registries:
                self._registries[team_id] = fetch_registry(self._client, team_id)
            return self._registries[team_id]


@dataclass(frozen=True)
class RegistryLists:
    """The three registry reads of one team as they came (a 404 path reads as empty)."""

    events: list[RegistryEvent]
    activities: list[RegistryActivity]
    catalog: FilterOperatorCatalog | None


def fetch_lists(client: ThenaClient, team_id: str | None) -> RegistryLists:
    """The three registry reads, at once: one round trip of waiting instead of three."""
    no_events: list[RegistryEvent] = []
    no_activities: list[RegistryActivity] = []
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="thena-registry") as pool:
        events_read = pool.submit(
            _optional, lambda: client.list_events(team_id), no_events, "event registry"
        )
        activities_read = pool.submit(
            _optional, lambda: client.list_activities(team_id), no_activities, "activity registry"
        )
        catalog_read = pool.submit(
            _optional, client.get_filter_operators, None, "filter-operator catalogue"
        )
        return RegistryLists(events_read.result(), activities_read.result(), catalog_read.result())


def fetch_registry(client: ThenaClient, team_id: str | None) -> Registry:
    """What a team's registries offer, for cross-checking definitions."""
    lists = fetch_lists(client, team_id)
    versions: dict[str, set[int]] = {}
    for activity in lists.activities:
        bucket = versions.setdefault(activity.unique_identifier, set())
        if activity.version is not None:
            bucket.add(activity.version)
    names = {e.event_name: e.uid for e in lists.events if e.event_name and e.uid}
    frozen = {key: frozenset(value) for key, value in versions.items()}
    catalog = lists.catalog
    if catalog is not None and catalog.names():
        return Registry(event_names=names, activity_versions=frozen, operators=catalog.names())
    return Registry(event_names=names, activity_versions=frozen)


def _optional(fetch: Callable[[], T], default: T, what: str) -> T:
    # The registry paths are assumed (SPEC U-3): a 404 skips that cross-check, it does not fail.
    try:
        return fetch()
    except NotFoundError:
        log.warning("the %s endpoint answered 404; skipping that cross-check", what)
        return default


def event_names(client: ThenaClient) -> dict[str, str]:
    """Registry event uid -> name (the registry path is assumed: a 404 means no names)."""
    try:
        events = client.list_events()
    except NotFoundError:
        return {}
    return {e.uid: e.event_name for e in events if e.uid and e.event_name}
