"""Where the API is, its paths and which key to use, for a stack or from the environment.

With a stack, ``thena:apiUrl``, ``thena:apiPaths`` and ``thena:apiKey`` come from
``stacks/Pulumi.<stack>.yaml``. A plain key is used as it is. An encrypted (``secure:``) key is
decrypted with ``pulumi config get thena:apiKey --stack <stack>`` when the Pulumi CLI is on PATH,
else taken from ``THENA_API_KEY_<STACK>`` (upper case, other characters as ``_``), then
``THENA_API_KEY``. Without a stack: ``THENA_API_URL`` (default: Thena's production URL),
``THENA_API_PATHS`` and ``THENA_API_KEY``; a stack without ``thena:apiPaths`` also takes
``THENA_API_PATHS``. The key never appears in output, errors or ``repr``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from pulumi_thena.cli.errors import SetupError
from pulumi_thena.client import DEFAULT_BASE_URL
from pulumi_thena.client.assumptions import (
    API_PATHS_SETTING,
    ApiPaths,
    configured_api_paths,
)
from pulumi_thena.client.errors import register_secret
from pulumi_thena.client.urls import cleartext_url_problem
from pulumi_thena.definitions.project import Project
from pulumi_thena.definitions.stack import API_KEY, API_URL, config_file_of, is_secure

ENV_URL = "THENA_API_URL"
ENV_KEY = "THENA_API_KEY"
PULUMI_TIMEOUT_SECONDS = 60
SECRETS_SETTING = "thena-workflows:secrets"


@dataclass(frozen=True, repr=False)
class Credentials:
    """An API URL, paths and key, and where each came from (named in error messages)."""

    api_url: str
    api_key: str
    url_source: str
    key_source: str
    api_paths: ApiPaths = field(default_factory=ApiPaths)

    def __repr__(self) -> str:
        return (
            f"Credentials(api_url={self.api_url!r}, url_source={self.url_source!r}, "
            f"key_source={self.key_source!r})"
        )


def stack_key_variable(stack: str) -> str:
    """``THENA_API_KEY_<STACK>``: the stack name upper-cased, other characters as ``_``."""
    return f"{ENV_KEY}_{re.sub(r'[^A-Z0-9]', '_', stack.upper())}"


def from_environment() -> Credentials:
    """``THENA_API_URL`` and ``THENA_API_KEY``."""
    key = os.environ.get(ENV_KEY, "")
    if not key:
        raise SetupError(
            f"no Thena API key: set {ENV_KEY} (and {ENV_URL}), or pass --stack to use a "
            "stack's thena:apiKey"
        )
    url = os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    url_source = ENV_URL if os.environ.get(ENV_URL) else "the default URL (set THENA_API_URL)"
    register_secret(key)  # before a message could quote a setting
    return _registered(Credentials(url, key, url_source, ENV_KEY, _paths(None, "")))


def for_stack(project: Project, stack: str) -> Credentials:
    """The URL and key of ``stack`` (see the module docstring for the order)."""
    config = project.stack_config(stack)
    source = config_file_of(stack)
    url, url_source = _stack_url(config, source)
    key, key_source = _stack_key(project, stack, config, source)
    register_secret(key)  # before a message could quote a setting
    paths = _paths(config.get(API_PATHS_SETTING), source)
    return _registered(Credentials(url, key, url_source, key_source, paths))


def _stack_key(
    project: Project, stack: str, config: dict[str, object], source: str
) -> tuple[str, str]:
    """The stack's key and where it came from (see the module docstring for the order)."""
    value = config.get(API_KEY)
    if isinstance(value, str) and value:
        return value, source
    if is_secure(value) and (key := _decrypted(project, stack)):
        return key, f"{API_KEY} of {source}"
    for variable in (stack_key_variable(stack), ENV_KEY):
        if key := os.environ.get(variable, ""):
            return key, variable
    raise SetupError(_missing_key_message(stack, source, is_secure(value)))


def _paths(value: object, stack_file: str) -> ApiPaths:
    """The stack's ``thena:apiPaths``, else ``THENA_API_PATHS``; SetupError when either is bad."""
    try:
        return configured_api_paths(value, f"{stack_file}: {API_PATHS_SETTING}")
    except ValueError as error:
        raise SetupError(str(error)) from None


def _stack_url(config: dict[str, object], source: str) -> tuple[str, str]:
    value = config.get(API_URL)
    if value is not None and not isinstance(value, str):
        raise SetupError(f"{source}: {API_URL} must be a URL string; fix it")
    if value:
        return value, f"{API_URL} of {source}"
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL], ENV_URL
    return DEFAULT_BASE_URL, f"the default URL ({source} sets no {API_URL})"


def _missing_key_message(stack: str, source: str, encrypted: bool) -> str:
    why = (
        f"{API_KEY} in {source} is encrypted and the Pulumi CLI could not decrypt it"
        if encrypted
        else f"{source} sets no {API_KEY}"
    )
    return (
        f"no API key for stack '{stack}': {why}; log in with `pulumi login`, or set "
        f"{stack_key_variable(stack)} (or {ENV_KEY})"
    )


def _decrypted(project: Project, stack: str) -> str | None:
    """The key decrypted by ``pulumi config get``; None without the CLI or when it fails."""
    key = (_pulumi(project, "config", "get", API_KEY, "--stack", stack) or "").strip()
    return key or None


def decrypted_secrets(project: Project, stack: str) -> dict[str, str] | None:
    """``thena-workflows:secrets`` of ``stack``, decrypted by the Pulumi CLI; None if it cannot.

    Each value is registered, so that no error message or output can show it.
    """
    shown = _pulumi(project, "config", "--show-secrets", "--json", "--stack", stack)
    if shown is None:
        return None
    try:
        entry = json.loads(shown).get(SECRETS_SETTING) or {}
        values = entry.get("objectValue") or json.loads(entry.get("value") or "{}")
    except (ValueError, AttributeError):
        return None
    if not isinstance(values, dict):
        return None
    secrets = {str(name): value for name, value in values.items() if isinstance(value, str)}
    for value in secrets.values():
        register_secret(value)
    return secrets


def _pulumi(project: Project, *args: str) -> str | None:
    """The standard output of ``pulumi ARGS`` in the project; None without the CLI or on failure."""
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        return None
    try:
        done = subprocess.run(
            [pulumi, *args],
            cwd=project.root,
            capture_output=True,
            text=True,
            timeout=PULUMI_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _registered(credentials: Credentials) -> Credentials:
    register_secret(credentials.api_key)  # every ThenaError and CliError now hides it
    if problem := cleartext_url_problem(credentials.api_url, credentials.url_source):
        raise SetupError(problem)
    return credentials
