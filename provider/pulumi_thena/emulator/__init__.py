"""A local Thena Workflows API: a real HTTP server on loopback, for tests and offline work.

``EmulatorServer`` serves the API (SPEC E1-E11) and test-control routes under ``/__emulator``;
``Backend`` holds its state and rules. ``pulumi_thena.emulator.control.EmulatorControl`` drives
the control routes, and ``pulumi_thena.emulator.pytest_plugin`` provides pytest fixtures.
"""

DEFAULT_API_KEY = "thena-local-emulator-key"
"""The documented key of the local emulator. Not a secret: it only opens the local emulator."""

# Imported after DEFAULT_API_KEY, which the submodules read from this package.
from pulumi_thena.emulator.backend import Backend  # noqa: E402
from pulumi_thena.emulator.server import EmulatorServer  # noqa: E402
from pulumi_thena.emulator.traffic import RateLimit  # noqa: E402

__all__ = ["DEFAULT_API_KEY", "Backend", "EmulatorServer", "RateLimit"]
