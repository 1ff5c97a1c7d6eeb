"""What the ``thena_emulator`` fixture gives a test: where the emulator is, and how to drive it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pulumi_thena.testing.control import EmulatorControl

if TYPE_CHECKING:
    from pulumi_thena.emulator import EmulatorServer


class EmulatorHandle:
    """One test's view of a running emulator: URL, key, control client and a lazy API client."""

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
            from pulumi_thena.client import ThenaClient  # lazy: most tests never need it

            self._client = ThenaClient(base_url=self.base_url, api_key=self.api_key)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
