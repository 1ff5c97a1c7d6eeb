"""Per-process state of the provider: settings, one client, the registries and the org listing.

The dynamic-provider host starts a fresh process for each engine operation and serves up to
four calls at once, so everything here is built lazily, once per process, behind locks. The
pickled provider holds none of it (no client, no key). The client and the models are imported
when first needed: an engine operation in which no workflow changed needs neither.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pulumi_thena.client.assumptions import (
    API_PATHS_SETTING,
    DEFAULT_BASE_URL,
    ApiPaths,
    configured_api_paths,
)
from pulumi_thena.client.errors import NotFoundError, register_secret
from pulumi_thena.client.urls import cleartext_url_problem
from pulumi_thena.diff.ownership import owner_marker
from pulumi_thena.resources.errors import ConfigurationError

if TYPE_CHECKING:
    from pulumi_thena.client.client import ThenaClient
    from pulumi_thena.client.registry import RegistryCache
    from pulumi_thena.models import Registry, Workflow

log = logging.getLogger("pulumi_thena.provider")

API_KEY_SETTING = "thena:apiKey"
API_URL_SETTING = "thena:apiUrl"
TIMEOUT_ENV = "THENA_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Settings:
    """Where the API is, its paths and how to authenticate; ``repr`` never shows the key."""

    api_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    api_paths: ApiPaths = field(default_factory=ApiPaths)

    def __repr__(self) -> str:
        key = "set" if self.api_key else None
        return (
            f"Settings(api_url={self.api_url!r}, api_key={key}, "
            f"timeout_seconds={self.timeout_seconds}, api_paths={self.api_paths.overrides()})"
        )

    @classmethod
    def from_config(cls, get: Callable[[str], Any]) -> Settings:
        """Stack config first (``thena:apiKey``, ``apiUrl``, ``apiPaths``), then the environment."""
        url = get(API_URL_SETTING) or os.environ.get("THENA_API_URL") or DEFAULT_BASE_URL
        key = get(API_KEY_SETTING) or os.environ.get("THENA_API_KEY") or None
        if key:
            register_secret(str(key))  # before any message that could quote a setting
        return cls(
            api_url=str(url),
            api_key=str(key) if key else None,
            timeout_seconds=_env_timeout(),
            api_paths=_config_paths(get),
        )


def _config_paths(get: Callable[[str], Any]) -> ApiPaths:
    """``thena:apiPaths`` (an object, or its JSON text), else THENA_API_PATHS (JSON)."""
    try:
        return configured_api_paths(get(API_PATHS_SETTING), f"the stack config {API_PATHS_SETTING}")
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def _env_timeout() -> float:
    """THENA_TIMEOUT_SECONDS: how long one HTTP request may take (default 30 s)."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ConfigurationError(
            f"{TIMEOUT_ENV}={raw!r} is not a positive number of seconds; fix or unset it"
        )
    return seconds


class Session:
    """One client and the caches of one provider process."""

    def __init__(self, settings: Settings, client: ThenaClient | None = None) -> None:
        self.settings = settings
        self._client = client
        self._lock = threading.Lock()
        self._registries: RegistryCache | None = None
        self._org: dict[str, Workflow] | None = None

    def client(self) -> ThenaClient:
        with self._lock:
            return self._client or self._new_client()

    def _new_client(self) -> ThenaClient:
        """Build the process's client; call with the lock held."""
        if not self.settings.api_key:
            raise ConfigurationError(
                "the Thena API key is not set: run "
                "`pulumi config set --secret thena:apiKey <key>` "
                "or set the THENA_API_KEY environment variable"
            )
        if problem := cleartext_url_problem(self.settings.api_url, "thena:apiUrl"):
            raise ConfigurationError(problem)
        from pulumi_thena.client.client import ThenaClient  # deferred: see module doc

        try:
            self._client = ThenaClient(
                base_url=self.settings.api_url,
                api_key=self.settings.api_key,
                timeout=self.settings.timeout_seconds,
                paths=self.settings.api_paths,
            )
        except ValueError as error:  # a THENA_RATE_LIMIT_* or THENA_MAX_WAIT_SECONDS value
            raise ConfigurationError(str(error)) from None
        return self._client

    def registry(self, team_id: str | None) -> Registry:
        """The event and activity registries and operator catalogue of a team, fetched once."""
        client = self.client()
        with self._lock:
            if self._registries is None:
                from pulumi_thena.client.registry import RegistryCache  # deferred: see module doc

                self._registries = RegistryCache(client)
            registries = self._registries
        return registries.registry(team_id)

    def org(self, *, fresh: bool = False) -> dict[str, Workflow]:
        """Every workflow of the org by uniqueIdentifier, listed once per process.

        A snapshot: other threads ``remember`` their writes meanwhile, and iterating the shared
        dict while they do raises "dictionary changed size during iteration".
        """
        with self._lock:
            return dict(self._listing(fresh=fresh))

    def _listing(self, *, fresh: bool = False) -> dict[str, Workflow]:
        """The shared listing itself, fetched if needed; call with the lock held."""
        if self._org is None or fresh:
            client = self._client or self._new_client()
            self._org = {wf.unique_identifier: wf for wf in client.iter_workflows()}
        return self._org

    def remember(self, workflow: Workflow) -> None:
        """Keep the org listing current after a write of ours."""
        with self._lock:
            if self._org is not None:
                self._org[workflow.unique_identifier] = workflow

    def forget(self, unique_identifier: str) -> None:
        with self._lock:
            if self._org is not None:
                self._org.pop(unique_identifier, None)

    def find_owned(self, owner: str, *, fresh: bool = False) -> list[Workflow]:
        return [wf for wf in self.org(fresh=fresh).values() if owner_marker(wf.metadata) == owner]

    def find_live(self, unique_identifier: str) -> Workflow | None:
        """A workflow from the org listing; an absence is confirmed by a GET before it counts."""
        with self._lock:  # one lookup, not a copy of the whole listing per workflow
            listed = self._listing().get(unique_identifier)
        if listed is not None:
            return listed
        try:
            found = self.client().get_workflow(unique_identifier)
        except NotFoundError:
            return None
        self.remember(found)
        return found


_current: Session | None = None
_current_lock = threading.RLock()


def configure_session(config: Mapping[str, Any] | Callable[[str], Any]) -> Session:
    """Build (or keep) the process's session from the stack config handed to ``configure``."""
    global _current
    get = config.get if isinstance(config, Mapping) else config
    settings = Settings.from_config(get)
    with _current_lock:
        if _current is None or _current.settings != settings:
            _current = Session(settings)
        return _current


def current_session() -> Session:
    with _current_lock:
        if _current is None:
            return configure_session({})
        return _current


def use_session(session: Session | None) -> None:
    """Install a session (tests) or drop the current one (``None``)."""
    global _current
    with _current_lock:
        _current = session
