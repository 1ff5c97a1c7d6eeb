"""Pytest fixtures that run the Thena emulator on a free loopback port.

``thena_emulator_server`` (session) starts one server and ``thena_emulator_control`` (session)
is its control client; ``thena_emulator`` (function) resets the server and yields an
:class:`EmulatorHandle` with the base URL, the API key, the control client and a lazily built
``ThenaClient``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from pulumi_thena.emulator.control import EmulatorControl

if TYPE_CHECKING:
    from pulumi_thena.emulator.server import EmulatorServer


class EmulatorHandle:
    """One test's view of the shared emulator: where it is, how to reach it, how to steer it."""

    def __init__(self, server: EmulatorServer, control: EmulatorControl) -> None:
        self.server = server
        self.control = control
        self.base_url: str = server.base_url
        self.api_key: str = server.api_key
        self._client: Any = None

    @property
    def client(self) -> Any:
        """A ``pulumi_thena.client.ThenaClient`` for this emulator, built on first use."""
        if self._client is None:
            from pulumi_thena.client import ThenaClient  # lazy: the client is optional here

            self._client = ThenaClient(base_url=self.base_url, api_key=self.api_key)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@pytest.fixture(scope="session")
def thena_emulator_server() -> Iterator[EmulatorServer]:
    """One emulator for the whole session, on a free loopback port."""
    from pulumi_thena.emulator.server import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def thena_emulator_control(thena_emulator_server: EmulatorServer) -> Iterator[EmulatorControl]:
    """The session emulator's control client (shared: each new httpx client costs ~20 ms)."""
    with EmulatorControl(thena_emulator_server.base_url) as control:
        yield control


@pytest.fixture
def thena_emulator(
    thena_emulator_server: EmulatorServer, thena_emulator_control: EmulatorControl
) -> Iterator[EmulatorHandle]:
    """The session emulator, reset to its start state for this test."""
    thena_emulator_server.ensure_listening()  # a previous test may have left a refuse window
    thena_emulator_control.reset()
    handle = EmulatorHandle(thena_emulator_server, thena_emulator_control)
    try:
        yield handle
    finally:
        handle.close()
