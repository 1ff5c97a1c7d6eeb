"""The pytest plugin's handle and control client, and the loopback guard of this suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pulumi_thena.emulator import DEFAULT_API_KEY, EmulatorServer
from pulumi_thena.testing import EmulatorControl, EmulatorHandle


def test_handle_attributes(thena_emulator: EmulatorHandle) -> None:
    assert thena_emulator.base_url.startswith("http://127.0.0.1:")
    assert thena_emulator.api_key == DEFAULT_API_KEY
    assert isinstance(thena_emulator.server, EmulatorServer)
    assert isinstance(thena_emulator.control, EmulatorControl)
    assert thena_emulator.base_url == thena_emulator.server.base_url


def test_each_test_starts_from_a_reset_emulator(thena_emulator: EmulatorHandle) -> None:
    assert thena_emulator.control.workflows() == []
    assert thena_emulator.control.faults() == []
    assert thena_emulator.control.counters()["total"] == 0


def test_client_is_built_lazily(thena_emulator: EmulatorHandle) -> None:
    client_module = pytest.importorskip("pulumi_thena.client")
    if not hasattr(client_module, "ThenaClient"):
        pytest.skip("pulumi_thena.client.ThenaClient is not written yet")
    assert thena_emulator._client is None
    client = thena_emulator.client
    assert client is thena_emulator.client
    thena_emulator.close()
    assert thena_emulator._client is None


def test_control_accepts_python_style_names(thena_emulator: EmulatorHandle) -> None:
    config = thena_emulator.control.configure(
        latency_ms=1, rate_limit={"limit": 9, "window_seconds": 3}
    )
    assert config["latencyMs"] == 1 and config["rateLimit"] == {"limit": 9, "windowSeconds": 3}
    fault = thena_emulator.control.inject_fault("GET", "/x", "delay", delay_seconds=0.1)
    assert fault["delaySeconds"] == 0.1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:2", "http://127.9.9.9"]
)
def test_guard_allows_loopback(loopback_guard: Callable[[str], None], url: str) -> None:
    loopback_guard(url)


@pytest.mark.parametrize(
    "url", ["https://workflow-app.thena.ai", "http://10.0.0.5:8787", "http://"]
)
def test_guard_refuses_anything_else(
    loopback_guard: Callable[[str], None], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THENA_LIVE_URL", raising=False)
    with pytest.raises(pytest.UsageError):
        loopback_guard(url)


def test_guard_allows_the_explicit_live_url(
    loopback_guard: Callable[[str], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THENA_LIVE_URL", "https://workflow-app.thena.ai")
    loopback_guard("https://workflow-app.thena.ai")
