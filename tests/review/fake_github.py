"""A fake of GitHub's REST API for issue comments, on loopback: a real HTTP server.

It serves what ``post-comment`` uses, as GitHub documents it: comments listed oldest first in
pages (``per_page``, ``page``, a ``Link`` header with ``rel="next"``), created (201) and updated
(200), the pull requests of a commit, a bearer token checked on every request (401), a
read-only token (403, as pull requests from forks get) and the 65,536-character body limit
(422). Every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 65_536
TOKEN = "ghs_fake-token-for-tests-0123456789"
READ_ONLY_TOKEN = "ghs_read-only-token-of-a-fork"


@dataclass
class FakeGitHub:
    """The state: comments by pull request, commits' pull requests, and the requests seen."""

    repository: str = "acme/workflows"
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    base_url: str = ""
    _next_id: int = 1000

    def add_comment(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        self._next_id += 1
        comment = {
            "id": self._next_id,
            "body": body,
            "user": {"login": login},
            "html_url": f"https://github.test/{self.repository}/pull/{number}#c{self._next_id}",
        }
        self.comments.setdefault(number, []).append(comment)
        return comment

    def writes(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path in self.requests if method != "GET"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        fake.requests.append((method, url.path))
        token = self.headers.get("Authorization", "")
        if token not in (f"Bearer {TOKEN}", f"Bearer {READ_ONLY_TOKEN}"):
            return self._send(401, {"message": "Bad credentials"})
        prefix = f"/repos/{fake.repository}/"
        if not url.path.startswith(prefix):
            return self._send(404, {"message": "Not Found"})
        route = url.path[len(prefix) :]
        payload = self._payload() if method != "GET" else {}
        if method != "GET" and token == f"Bearer {READ_ONLY_TOKEN}":
            return self._send(403, {"message": "Resource not accessible by integration"})
        if method != "GET" and len(str(payload.get("body", ""))) > MAX_BODY:
            message = f"Body is too long (maximum is {MAX_BODY} characters)"
            return self._send(422, {"message": "Validation Failed", "errors": [message]})
        if match := re.fullmatch(r"issues/(\d+)/comments", route):
            number = int(match.group(1))
            if method == "GET":
                return self._list(number, parse_qs(url.query), url.path)
            if method == "POST":
                return self._send(201, fake.add_comment(number, payload["body"], "github-actions"))
        if (match := re.fullmatch(r"issues/comments/(\d+)", route)) and method == "PATCH":
            for comment in (c for comments in fake.comments.values() for c in comments):
                if comment["id"] == int(match.group(1)):
                    comment["body"] = payload["body"]
                    return self._send(200, comment)
        if (match := re.fullmatch(r"commits/([0-9a-f]+)/pulls", route)) and method == "GET":
            numbers = fake.commit_pulls.get(match.group(1), [])
            return self._send(200, [{"number": number} for number in numbers])
        return self._send(404, {"message": "Not Found"})

    def _list(self, number: int, query: dict[str, list[str]], path: str) -> None:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        comments = self.server.fake.comments.get(number, [])
        chunk = comments[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(comments):
            next_url = f"{self.server.fake.base_url}{path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{next_url}>; rel="next"'
        self._send(200, chunk, headers)

    def _payload(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}")
        return data if isinstance(data, dict) else {}

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    fake: FakeGitHub


@contextmanager
def fake_github() -> Iterator[FakeGitHub]:
    """A running fake on a free loopback port; ``fake.base_url`` is its API URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = FakeGitHub()
    server.fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
