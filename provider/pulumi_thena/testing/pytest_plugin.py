"""Pytest fixtures that run the Thena emulator on a free loopback port.

- ``thena_emulator`` (function): the session's emulator, reset to its start state for this test,
  as an :class:`EmulatorHandle` (``.base_url``, ``.api_key``, ``.client``, ``.control``). Any
  setting that can change at run time (``response_shape``, ``page_base``, ``limit_cap``,
  ``order``, ``empty_bodies``, ``latency_ms``, ``rate_limit``, ``deny``) can be asked for with a
  marker, ``@pytest.mark.thena_emulator(response_shape="documented")``, or by indirect
  parametrization, ``@pytest.mark.parametrize("thena_emulator", [{...}], indirect=True)``.
- ``thena_emulator_factory`` (function): ``start(**options)`` runs a fresh emulator of the
  test's own with any ``EmulatorServer`` option (``api_key``, ``state_file``...), stopped after
  the test.
- ``thena_emulator_server`` and ``thena_emulator_control`` (session): the shared emulator and
  its control client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pulumi_thena.emulator import EmulatorServer, RateLimit
from pulumi_thena.emulator.settings import WIRE_NAMES
from pulumi_thena.testing.control import EmulatorControl
from pulumi_thena.testing.handle import EmulatorHandle

MARKER = "thena_emulator"
RUNTIME_OPTIONS = frozenset(WIRE_NAMES)
"""Options the shared emulator can take for one test; the rest need ``thena_emulator_factory``."""

StartEmulator = Callable[..., EmulatorHandle]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): settings of the thena_emulator fixture for this test, e.g. "
        "response_shape='documented', page_base=0, limit_cap=20, order='asc', empty_bodies=True",
    )


@pytest.fixture(scope="session")
def thena_emulator_server() -> Iterator[EmulatorServer]:
    """One emulator for the whole session, on a free loopback port."""
    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def thena_emulator_control(thena_emulator_server: EmulatorServer) -> Iterator[EmulatorControl]:
    """The session emulator's control client (shared: each new httpx client costs ~20 ms)."""
    with EmulatorControl(thena_emulator_server.base_url, thena_emulator_server.api_key) as control:
        yield control


@pytest.fixture
def thena_emulator(
    request: pytest.FixtureRequest,
    thena_emulator_server: EmulatorServer,
    thena_emulator_control: EmulatorControl,
) -> Iterator[EmulatorHandle]:
    """The session emulator, reset to its start state, with this test's options applied."""
    options = requested_options(request)
    thena_emulator_server.ensure_listening()  # a previous test may have left a refuse window
    thena_emulator_control.reset()
    if options:
        thena_emulator_control.configure(**options)
    handle = EmulatorHandle(thena_emulator_server, thena_emulator_control)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def thena_emulator_factory() -> Iterator[StartEmulator]:
    """``start(**options)``: a fresh emulator with ``EmulatorServer`` options, for this test."""
    started: list[EmulatorHandle] = []

    def start(**options: Any) -> EmulatorHandle:
        server = EmulatorServer(**options).start()
        handle = EmulatorHandle(server, EmulatorControl(server.base_url, server.api_key))
        started.append(handle)
        return handle

    yield start
    for handle in reversed(started):
        handle.close()
        handle.control.close()
        handle.server.stop()


def requested_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The marker's options (the closest marker wins), then ``request.param``'s, checked."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword options only")
        options.update(marker.kwargs)
    param = getattr(request, "param", None)
    if param is not None:
        if not isinstance(param, dict):
            raise pytest.UsageError(f"a parameter of {MARKER} must be a dict of options")
        options.update(param)
    unknown = sorted(set(options) - RUNTIME_OPTIONS)
    if unknown:
        raise pytest.UsageError(
            f"{MARKER} cannot take {', '.join(unknown)} for one test; the shared emulator "
            f"changes only {', '.join(sorted(RUNTIME_OPTIONS))}. Start an emulator of the "
            "test's own with thena_emulator_factory(**options) instead"
        )
    return {k: v.to_wire() if isinstance(v, RateLimit) else v for k, v in options.items()}
