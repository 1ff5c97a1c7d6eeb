"""Test support for users of the emulator: its control client and the pytest fixtures.

It sits above the emulator and the client (it may import both; neither imports it):
``EmulatorControl`` drives ``/__emulator/...`` over HTTP, ``EmulatorHandle`` is what the
``thena_emulator`` fixture gives a test, and ``pulumi_thena.testing.pytest_plugin`` (registered
as a pytest plugin by the distribution) provides the fixtures.
"""

from pulumi_thena.testing.control import EmulatorControl
from pulumi_thena.testing.handle import EmulatorHandle

__all__ = ["EmulatorControl", "EmulatorHandle"]
