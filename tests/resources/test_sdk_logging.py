"""The SDK's per-resource debug messages are dropped, and only those, unless asked for."""

from __future__ import annotations

from typing import Any

import pulumi.log
import pulumi.runtime.resource as registration
import pytest

from pulumi_thena.resources.sdk_logging import ENV, quiet_registration_debug


@pytest.fixture(autouse=True)
def _restore_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registration, "log", pulumi.log)  # undone after each test


def test_registration_debug_is_dropped_and_the_rest_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, Any]] = []
    monkeypatch.setattr(pulumi.log, "debug", lambda msg, *a, **k: sent.append(("debug", msg)))
    monkeypatch.setattr(pulumi.log, "warn", lambda msg, *a, **k: sent.append(("warn", msg)))
    assert quiet_registration_debug({}) is True
    registration.log.debug("registering resource: ty=t, name=n")
    registration.log.warn("still said")
    pulumi.log.debug("a debug message of ours")  # other modules are untouched
    assert sent == [("warn", "still said"), ("debug", "a debug message of ours")]


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_thena_sdk_debug_keeps_them(value: str) -> None:
    assert quiet_registration_debug({ENV: value}) is False
    assert registration.log is pulumi.log


def test_twice_is_once() -> None:
    quiet_registration_debug({})
    first = registration.log
    assert quiet_registration_debug({}) is True
    assert registration.log is first


def test_an_sdk_laid_out_otherwise_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    other = object()
    monkeypatch.setattr(registration, "log", other)
    assert quiet_registration_debug({}) is False
    assert registration.log is other
