"""GitHub's REST API, as much as a pull-request comment needs: list, create and update comments.

``post_comment`` finds the comment whose first line is the key's marker (``comment.marker``)
among all comments of the pull request (every page), updates it in place when its body
differs, and creates it when there is none. Only the standard library talks HTTP here (the
project's HTTP client is for Thena's API). The token is sent in a header and never appears in
an error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from pulumi_thena.review.comment import is_marked

DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
MAX_PAGES = 100
TIMEOUT_SECONDS = 30
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class GitHubError(Exception):
    """GitHub could not be reached, or it refused a request; the message says what to do."""


@dataclass(frozen=True)
class Comment:
    """One comment of a pull request (an issue comment, in GitHub's terms)."""

    id: int
    body: str
    url: str

    @classmethod
    def of(cls, data: Any) -> Comment:
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            raise GitHubError(
                f"GitHub answered with something that is not a comment: {data!r:.200}"
            )
        return cls(data["id"], str(data.get("body") or ""), str(data.get("html_url") or ""))


@dataclass(frozen=True)
class Posted:
    """What ``post_comment`` did: ``created``, ``updated`` or ``unchanged``."""

    action: str
    comment: Comment


class GitHub:
    """One repository of a GitHub (or GitHub Enterprise) REST API, with a token."""

    def __init__(self, api_url: str, repository: str, token: str) -> None:
        if not _REPOSITORY.match(repository):
            raise ValueError(f"the repository must be written owner/name, got {repository!r}")
        if not token:
            raise ValueError("the GitHub token is empty")
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self._token = token

    def __repr__(self) -> str:  # never shows the token
        return f"GitHub(api_url={self.api_url!r}, repository={self.repository!r})"

    def comments(self, number: int) -> list[Comment]:
        """Every comment of pull request ``number``, oldest first, following every page."""
        url: str | None = self._url(f"issues/{number}/comments?per_page={PER_PAGE}")
        found: list[Comment] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return found
            data, link = self._request("GET", url)
            if not isinstance(data, list):
                raise GitHubError(
                    f"GitHub listed the comments of #{number} as {type(data).__name__}"
                )
            found += [Comment.of(item) for item in data]
            url = self._next_page(link)
        raise GitHubError(f"pull request #{number} has more than {MAX_PAGES} pages of comments")

    def create_comment(self, number: int, body: str) -> Comment:
        data, _ = self._request("POST", self._url(f"issues/{number}/comments"), {"body": body})
        return Comment.of(data)

    def update_comment(self, comment_id: int, body: str) -> Comment:
        data, _ = self._request("PATCH", self._url(f"issues/comments/{comment_id}"), {"body": body})
        return Comment.of(data)

    def pull_requests_of(self, commit: str) -> list[int]:
        """The numbers of the pull requests that contain ``commit`` (e.g. the merged one)."""
        data, _ = self._request("GET", self._url(f"commits/{quote(commit, safe='')}/pulls"))
        if not isinstance(data, list):
            raise GitHubError(
                f"GitHub listed the pull requests of {commit} as {type(data).__name__}"
            )
        return [item["number"] for item in data if isinstance(item, dict) and "number" in item]

    def _next_page(self, link: str) -> str | None:
        """The next page's URL from a ``Link`` header; only on this API (the token goes along)."""
        match = _NEXT.search(link)
        if match is None:
            return None
        if not match.group(1).startswith(self.api_url + "/"):
            raise GitHubError(f"GitHub's next page is on another host ({match.group(1)}); stopped")
        return match.group(1)

    def _url(self, path: str) -> str:
        return f"{self.api_url}/repos/{self.repository}/{path}"

    def _request(
        self, method: str, url: str, payload: dict[str, Any] | None = None
    ) -> tuple[Any, str]:
        """The decoded JSON answer and its ``Link`` header."""
        request = Request(url, method=method, data=_encoded(payload), headers=self._headers())
        try:
            with urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"null"), response.headers.get("Link", "")
        except HTTPError as error:
            raise GitHubError(_refusal(method, url, error)) from None
        except (URLError, OSError, ValueError) as error:
            raise GitHubError(
                f"cannot reach GitHub's API at {self.api_url} ({error}); check GITHUB_API_URL"
            ) from None

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self._token}",
            "Content-Type": "application/json",
            "User-Agent": "thena-workflows",
            "X-GitHub-Api-Version": "2022-11-28",
        }


def _encoded(payload: dict[str, Any] | None) -> bytes | None:
    return None if payload is None else json.dumps(payload).encode()


def _refusal(method: str, url: str, error: HTTPError) -> str:
    try:
        message = json.loads(error.read() or b"{}").get("message", "")
    except (ValueError, AttributeError):
        message = ""
    detail = f": {message}" if message else ""
    hint = {
        401: "; the token is missing or expired (GITHUB_TOKEN)",
        403: "; the token may not write here (the job needs `permissions: pull-requests: write`; "
        "pull requests from forks only get a read-only token)",
        404: "; check GITHUB_REPOSITORY and the pull request number",
        422: "; GitHub refused the body",
    }.get(error.code, "")
    return f"GitHub answered {error.code} to {method} {url}{detail}{hint}"


def post_comment(github: GitHub, number: int, key: str, body: str) -> Posted:
    """Update the comment marked ``key`` on pull request ``number``, or create it.

    The oldest marked comment is the one kept up to date, so that a second one (two runs that
    raced) never takes over; its body must start with the marker, as ``comment_body`` writes.
    """
    if not is_marked(body, key):
        raise ValueError("the body must start with the marker of its key (comment.marker)")
    existing = next((c for c in github.comments(number) if is_marked(c.body, key)), None)
    if existing is None:
        return Posted("created", github.create_comment(number, body))
    if existing.body == body:
        return Posted("unchanged", existing)
    return Posted("updated", github.update_comment(existing.id, body))
