"""A local Thena Workflows API: a real HTTP server on loopback, for tests and offline work.

``EmulatorServer`` serves the API (SPEC E1-E11) and test-control routes under ``/__emulator``;
``Backend`` holds its state and rules. The emulator takes its rules from docs/api.md (with the
pure ``pulumi_thena.spec`` package) and imports nothing else of the provider's, so that a
mistake in the provider's models is caught rather than agreed with. The control client and the
pytest fixtures live in ``pulumi_thena.testing``.
"""

from pulumi_thena.emulator.backend import Backend
from pulumi_thena.emulator.constants import DEFAULT_API_KEY
from pulumi_thena.emulator.server import EmulatorServer
from pulumi_thena.emulator.settings import Settings
from pulumi_thena.emulator.store import StateFileError
from pulumi_thena.emulator.traffic import RateLimit

__all__ = [
    "DEFAULT_API_KEY",
    "Backend",
    "EmulatorServer",
    "RateLimit",
    "Settings",
    "StateFileError",
]
