"""The provider's HTTP timeout is configurable, so that a delayed answer can be tested quickly."""

from __future__ import annotations

import pytest

from pulumi_thena.resources import Session, Settings
from pulumi_thena.resources.errors import ConfigurationError

NO_CONFIG: dict[str, str] = {}


def test_the_timeout_defaults_to_thirty_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THENA_TIMEOUT_SECONDS", raising=False)
    assert Settings.from_config(NO_CONFIG.get).timeout_seconds == 30.0


def test_the_session_client_uses_thena_timeout_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THENA_TIMEOUT_SECONDS", "2.5")
    settings = Settings.from_config({"thena:apiKey": "k-test"}.get)
    client = Session(settings).client()
    assert settings.timeout_seconds == 2.5
    assert client._http.timeout.read == 2.5


@pytest.mark.parametrize("raw", ["soon", "0", "-1"])
def test_a_bad_timeout_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("THENA_TIMEOUT_SECONDS", raw)
    with pytest.raises(ConfigurationError, match="THENA_TIMEOUT_SECONDS"):
        Settings.from_config(NO_CONFIG.get)
