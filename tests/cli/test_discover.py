"""doctor --discover: the service's own OpenAPI document settles the assumed paths."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_thena.cli.discover import api_paths_setting, discover, read_document, report_discovery
from pulumi_thena.cli.findings import DoctorReport
from pulumi_thena.client import ApiPaths, ThenaClient

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def _document(**renamed: str) -> dict[str, Any]:
    """docs/openapi.yaml, with some paths moved (as a service that differs would have them)."""
    document: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    for old, new in renamed.items():
        document["paths"][new] = document["paths"].pop(old)
    return document


def test_our_own_openapi_gives_exactly_the_assumed_paths() -> None:
    found = read_document("/swagger-json", _document())
    assert api_paths_setting(found, ApiPaths()) == {}
    assert set(found.paths) == {
        "workflows", "workflow", "toggle", "executions", "tasks", "events", "activities",
        "filter_operators",
    }  # fmt: skip


def test_a_moved_path_becomes_an_api_paths_setting() -> None:
    moved = _document(**{
        "/api/v1/workflows/{workflowUniqueIdentifier}/toggle":
            "/api/v1/workflows/{workflowUniqueIdentifier}/activate",
        "/api/v1/workflows/registry/events": "/api/v1/registry/workflow-events",
    })  # fmt: skip
    found = read_document("/swagger-json", moved)
    assert api_paths_setting(found, ApiPaths()) == {
        "toggle": "/api/v1/workflows/{unique_identifier}/activate",
        "events": "/api/v1/registry/workflow-events",
    }
    ApiPaths(**api_paths_setting(found, ApiPaths()))  # a valid setting


class _OpenApiOnly(BaseHTTPRequestHandler):
    document: dict[str, Any] = {}

    def do_GET(self) -> None:
        found = self.path.split("?")[0] == "/api/v1/swagger-json"
        body = json.dumps(self.document if found else {"statusCode": 404}).encode()
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def openapi_server() -> Iterator[str]:
    _OpenApiOnly.document = _document(**{
        "/api/v1/workflows/{workflowUniqueIdentifier}/toggle":
            "/api/v1/workflows/{workflowUniqueIdentifier}/activate",
    })  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenApiOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_discover_finds_the_document_under_a_prefix_and_reports(openapi_server: str) -> None:
    client = ThenaClient(openapi_server, "discover-test-key-4c1d", rate_limit_rps=None)
    found = discover(client)
    assert found is not None and found.location == "/api/v1/swagger-json"
    report = DoctorReport(openapi_server)
    report_discovery(found, client, report)
    verdicts = {f.assumption: (f.verdict.value, f.detail) for f in report.findings}
    assert verdicts["U-3"] == (
        "did not hold",
        "/api/v1/swagger-json: toggle is /api/v1/workflows/{unique_identifier}/activate",
    )
    assert verdicts["U-4"][0] == "held"
