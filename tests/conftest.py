"""Fixtures shared by the provider, protocol and reliability tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_thena.resources import WorkflowProvider, use_session
from tests.protocol.host import DynamicHost
from tests.support import Calls, fresh_session

_PARSE_CACHE = "THENA_WORKFLOWS_CACHE_DIR"


def pytest_configure(config: pytest.Config) -> None:
    """Parsed definition files are cached in this run's own folder (inherited by the engine and
    the CLI the tests start), never in the user's cache; tests of the cache choose their own."""
    if _PARSE_CACHE not in os.environ:
        folder = tempfile.mkdtemp(prefix="thena-parse-cache-")
        os.environ[_PARSE_CACHE] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never pick up a real key or URL from the environment (the default is production)."""
    for name in ("THENA_API_KEY", "THENA_API_URL"):
        monkeypatch.delenv(name, raising=False)
    use_session(None)
    yield
    use_session(None)


@pytest.fixture
def provider(thena_emulator: Any) -> Iterator[WorkflowProvider]:
    fresh_session(thena_emulator)
    yield WorkflowProvider()
    use_session(None)


@pytest.fixture
def calls(thena_emulator: Any) -> Calls:
    return Calls(thena_emulator)


@pytest.fixture
def host(thena_emulator: Any) -> Iterator[DynamicHost]:
    """The SDK's real dynamic-provider host, configured for the emulator; its logs hold no key."""
    config = {"thena:apiKey": thena_emulator.api_key, "thena:apiUrl": thena_emulator.base_url}
    process = DynamicHost(config)
    yield process
    logs = process.close()
    assert thena_emulator.api_key not in logs
