"""The control routes are closed to other users and web pages: the key, a JSON content type, the
Host check (DNS rebinding); a non-loopback address warns and hides the key; a bad --state file
is a one-line error.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_thena.emulator import DEFAULT_API_KEY, EmulatorServer, StateFileError
from pulumi_thena.emulator.__main__ import main, parse_args
from pulumi_thena.emulator.hosts import HostPolicy
from pulumi_thena.emulator.store import load_state
from pulumi_thena.testing import EmulatorHandle
from tests.emulator.support import API, CONTROL, ApiTarget, control_headers

SECRET = "hunter2-signing-secret"
CONTROL_READS = ["workflows", "requests", "counters", "faults", "config"]
CONTROL_WRITES = ["reset", "seed", "faults", "config"]


def _raw(base_url: str, request: str) -> tuple[int, bytes]:
    """Send one raw HTTP request; the status code and the body of the answer."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(request.encode())
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.fixture
def with_secret(api: ApiTarget, emulator: EmulatorHandle) -> dict[str, Any]:
    return api.create(metadata={"signingSecret": SECRET})


@pytest.mark.parametrize("route", CONTROL_READS)
@pytest.mark.parametrize("key", [None, "not-the-key"])
def test_control_reads_need_the_key(
    emulator: EmulatorHandle, with_secret: dict[str, Any], route: str, key: str | None
) -> None:
    headers = {"x-api-key": key} if key else {}
    response = httpx.get(f"{emulator.base_url}{CONTROL}/{route}", headers=headers)
    assert response.status_code == 401
    assert SECRET not in response.text and with_secret["uniqueIdentifier"] not in response.text


@pytest.mark.parametrize("route", CONTROL_WRITES)
def test_control_writes_need_the_key(
    emulator: EmulatorHandle, with_secret: dict[str, Any], route: str
) -> None:
    response = httpx.post(f"{emulator.base_url}{CONTROL}/{route}", json={})
    assert response.status_code == 401
    assert httpx.delete(f"{emulator.base_url}{CONTROL}/faults").status_code == 401
    assert [w["uniqueIdentifier"] for w in emulator.control.workflows()] == [
        with_secret["uniqueIdentifier"]
    ]


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_a_control_post_must_be_json(
    emulator: EmulatorHandle, with_secret: dict[str, Any], content_type: str | None
) -> None:
    headers = {**control_headers(emulator.api_key)}
    if content_type:
        headers["content-type"] = content_type
    response = httpx.post(f"{emulator.base_url}{CONTROL}/reset", content=b"{}", headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "Unsupported Media Type"
    assert len(emulator.control.workflows()) == 1  # nothing was reset


def test_a_cross_origin_reset_leaves_the_state_file(tmp_path: Path) -> None:
    """What a web page can send without asking first: text/plain, no custom header."""
    state = tmp_path / "state.json"
    with EmulatorServer(state_file=state) as server:
        body = {
            "name": "kept",
            "triggerEvent": "ticket:created",
            "executingAgent": "agent",
            "workflowDefinition": [
                {"stepIdentifier": 1, "activity": {"uniqueIdentifier": "http:webhook"}}
            ],
        }
        httpx.post(f"{server.base_url}{API}", json=body, headers={"x-api-key": server.api_key})
        port = server.base_url.rsplit(":", 1)[1]
        status, _ = _raw(
            server.base_url,
            f"POST {CONTROL}/reset HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Origin: https://evil.example\r\nContent-Type: text/plain\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}",
        )
        assert status == 401
    assert [w[0]["name"] for w in load_state(state).workflows.values()] == ["kept"]


@pytest.mark.parametrize("path", [API, f"{API}/health", f"{CONTROL}/workflows"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8787", "127.0.0.1.evil.example"])
def test_a_foreign_host_is_refused(emulator: EmulatorHandle, path: str, host: str) -> None:
    status, body = _raw(
        emulator.base_url,
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nx-api-key: {emulator.api_key}\r\n"
        "Connection: close\r\n\r\n",
    )
    assert status == 403
    assert b"Host header" in body
    assert emulator.control.counters()["total"] == 0  # refused before anything else


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "[::1]", "127.0.0.2"])
def test_loopback_names_are_answered(emulator: EmulatorHandle, host: str) -> None:
    port = emulator.base_url.rsplit(":", 1)[1]
    status, _ = _raw(
        emulator.base_url,
        f"GET {API} HTTP/1.1\r\nHost: {host}:{port}\r\nx-api-key: {emulator.api_key}\r\n"
        "Connection: close\r\n\r\n",
    )
    assert status == 200


@pytest.mark.parametrize(
    ("listen", "allowed", "header", "answered"),
    [
        ("127.0.0.1", (), None, True),
        ("127.0.0.1", (), "localhost:1", True),
        ("127.0.0.1", (), "emulator:8787", False),
        ("127.0.0.1", ("emulator",), "emulator:8787", True),
        ("127.0.0.1", (), "10.0.0.5", False),
        ("127.0.0.1", (), "evil@127.0.0.1", False),
        ("127.0.0.1", (), "", False),
        ("10.0.0.5", (), "10.0.0.5:8787", True),
        ("10.0.0.5", (), "10.0.0.6:8787", False),
        ("10.0.0.5", (), "evil.example", False),
        ("myhost.lan", (), "MyHost.lan:8787", True),
        ("0.0.0.0", (), "192.168.1.9:8787", True),
        ("0.0.0.0", (), "[fe80::1]:8787", True),
        ("0.0.0.0", (), "evil.example", False),
        ("::", (), "evil.example", False),
    ],
)
def test_host_policy(
    listen: str, allowed: tuple[str, ...], header: str | None, answered: bool
) -> None:
    assert HostPolicy(listen, allowed).allows(header) is answered


def test_the_machine_name_is_answered_on_every_interface() -> None:
    assert HostPolicy("0.0.0.0").allows(f"{socket.gethostname()}:8787")


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pulumi_thena.emulator", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "THENA_EMULATOR_API_KEY"},
    )


def test_every_interface_warns_and_never_prints_the_key() -> None:
    process = _start("--host", "0.0.0.0", "--api-key", DEFAULT_API_KEY)
    try:
        assert process.stdout is not None and process.stderr is not None
        banner = process.stdout.readline()
        assert banner.startswith("Thena emulator listening on http://0.0.0.0:")
        assert "(api key: not shown)" in banner
        warning = process.stderr.readline()
        assert warning.startswith("warning: listening on 0.0.0.0, which is not a loopback")
        assert "the key is the documented default" in warning
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
    rest = (process.stdout.read(), process.stderr.read())
    assert all(DEFAULT_API_KEY not in text for text in (banner, warning, *rest))


def test_loopback_prints_no_warning() -> None:
    process = _start()
    try:
        assert process.stdout is not None
        assert f"(api key: {DEFAULT_API_KEY})" in process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.stderr is not None and process.stderr.read() == ""


def _bad_state_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    files = {
        "not JSON": ("garbage.json", "this is not json", "is not JSON"),
        "a list": ("list.json", "[]", "it must hold a JSON object"),
        "wrong collection": ("wrong.json", json.dumps({"workflows": []}), "'workflows' must be"),
        "empty": ("empty.json", "", "is not JSON"),
    }
    made = {}
    for case, (name, text, expected) in files.items():
        path = tmp_path / name
        path.write_text(text)
        made[case] = (path, expected)
    made["a directory"] = (tmp_path, "is a directory")
    return made


@pytest.mark.parametrize("case", ["not JSON", "a list", "wrong collection", "empty", "a directory"])
def test_a_bad_state_file_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path, expected = _bad_state_files(tmp_path)[case]
    before = path.read_bytes() if path.is_file() else None
    assert main(["--port", "0", "--state", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: state file {path} ")
    assert expected in err
    if before is not None:
        assert path.read_bytes() == before  # never overwritten


def test_an_unwritable_state_path_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--port", "0", "--state", str(blocker / "state.json")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: cannot write state file {blocker}")


def test_a_bad_state_file_as_a_process_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "state.json"
    bad.write_text("{not json")
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_thena.emulator", "--port", "0", "--state", str(bad)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_constructor_raises_state_file_error(tmp_path: Path) -> None:
    with pytest.raises(StateFileError, match="is a directory"):
        EmulatorServer(state_file=tmp_path)


def test_an_empty_key_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        EmulatorServer(api_key="")
    assert main(["--port", "0", "--api-key", ""]) == 1
    assert capsys.readouterr().err.startswith("error: the API key must not be empty")


def test_an_empty_key_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THENA_EMULATOR_API_KEY", "")
    assert parse_args([]).api_key == DEFAULT_API_KEY
