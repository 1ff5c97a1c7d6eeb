"""``thena-workflows post-comment`` against a fake GitHub API on loopback.

Scripted as the pipeline runs it: the first push creates the comment, the next updates it in
place, two stacks keep two comments, a plan over GitHub's limit is cut with a note, and the
token never shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pulumi_thena.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE, cli
from pulumi_thena.review.comment import marker
from tests.review.fake_github import MAX_BODY, READ_ONLY_TOKEN, TOKEN, FakeGitHub, fake_github

PR = 7


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with fake_github() as fake:
        yield fake


def post(github: FakeGitHub, tmp_path: Path, *args: str, text: str = "", **env: str) -> Result:
    plan = tmp_path / "plan.txt"
    plan.write_text(text, encoding="utf-8")
    environment = {
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_REPOSITORY": github.repository,
        "GITHUB_API_URL": github.base_url,
        "GITHUB_EVENT_PATH": "",
        "GITHUB_SERVER_URL": "https://github.test",
        "GITHUB_RUN_ID": "4242",
    }
    environment.update(env)
    return CliRunner().invoke(cli, ["post-comment", "--file", str(plan), *args], env=environment)


def marked(github: FakeGitHub, key: str, number: int = PR) -> list[str]:
    return [c["body"] for c in github.comments.get(number, []) if c["body"].startswith(marker(key))]


def test_the_first_run_creates_the_comment_and_the_next_updates_it_in_place(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.add_comment(PR, "LGTM")
    first = post(github, tmp_path, "--marker", "dev", "--pr", str(PR), "--code", text="plan 1")
    assert first.exit_code == EXIT_OK, first.output
    assert first.stdout.startswith(f"created the comment on pull request #{PR}: https://")
    second = post(github, tmp_path, "--marker", "dev", "--pr", str(PR), "--code", text="plan 2")
    assert second.exit_code == EXIT_OK, second.output
    assert second.stdout.startswith("updated the comment")
    (body,) = marked(github, "dev")
    assert "plan 2" in body and "plan 1" not in body
    assert body == f"{marker('dev')}\n```text\nplan 2\n```\n"
    assert github.comments[PR][0]["body"] == "LGTM"
    assert github.writes() == [
        ("POST", f"/repos/acme/workflows/issues/{PR}/comments"),
        ("PATCH", f"/repos/acme/workflows/issues/comments/{github.comments[PR][1]['id']}"),
    ]


def test_an_unchanged_plan_is_not_written_again(github: FakeGitHub, tmp_path: Path) -> None:
    for _ in range(2):
        result = post(github, tmp_path, "--marker", "dev", "--pr", str(PR), text="same")
    assert result.stdout.startswith(f"left the comment as it was on pull request #{PR}")
    assert len(github.writes()) == 1


def test_two_stacks_side_by_side_keep_their_own_comments(
    github: FakeGitHub, tmp_path: Path
) -> None:
    for run in range(2):
        for stack in ("dev", "staging"):
            result = post(
                github, tmp_path, "--marker", stack, "--pr", str(PR), text=f"{stack} {run}"
            )
            assert result.exit_code == EXIT_OK, result.output
    assert marked(github, "dev") == [f"{marker('dev')}\ndev 1"]
    assert marked(github, "staging") == [f"{marker('staging')}\nstaging 1"]
    assert len(github.comments[PR]) == 2


def test_the_comment_is_found_on_a_later_page(github: FakeGitHub, tmp_path: Path) -> None:
    post(github, tmp_path, "--marker", "dev", "--pr", str(PR), text="first")
    for n in range(250):  # the marked comment is now on page 1 of 3; others follow it
        github.add_comment(PR, f"chatter {n}")
    github.comments[PR].append(github.comments[PR].pop(0))  # ... and now on the last page
    result = post(github, tmp_path, "--marker", "dev", "--pr", str(PR), text="second")
    assert result.stdout.startswith("updated the comment"), result.output
    assert marked(github, "dev") == [f"{marker('dev')}\nsecond"]
    pages = [path for method, path in github.requests[-4:] if method == "GET"]
    assert len(pages) == 3


def test_a_plan_over_the_limit_is_cut_with_a_note_naming_the_artifact(
    github: FakeGitHub, tmp_path: Path
) -> None:
    plan = "".join(
        f"~ workflow-{n:05d}  update  workflowDefinition[0].input.text\n" for n in range(3000)
    )
    assert len(plan) > MAX_BODY
    result = post(
        github,
        tmp_path,
        "--marker",
        "dev",
        "--pr",
        str(PR),
        "--code",
        "--title",
        "Plan for dev",
        "--artifact",
        "thena-plan-dev",
        "--json",
        text=plan,
    )
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert report["truncated"] is True
    assert report["characters"] <= MAX_BODY
    (body,) = marked(github, "dev")
    assert (
        "the artifact thena\\-plan\\-dev of [this run](https://github.test/acme/workflows/actions/runs/4242)"
        in body
    )
    assert body.count("```") == 2


def test_the_pull_request_comes_from_the_event_or_from_the_commit(
    github: FakeGitHub, tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 12}}))
    result = post(github, tmp_path, "--marker", "dev", GITHUB_EVENT_PATH=str(event), text="a")
    assert result.exit_code == EXIT_OK, result.output
    assert marked(github, "dev", 12)
    github.commit_pulls["abc123"] = [31]
    result = post(github, tmp_path, "--marker", "prod", "--commit", "abc123", text="b")
    assert result.exit_code == EXIT_OK, result.output
    assert marked(github, "prod", 31)


def test_a_commit_without_a_pull_request_posts_nothing(github: FakeGitHub, tmp_path: Path) -> None:
    result = post(github, tmp_path, "--marker", "prod", "--commit", "def456", text="b")
    assert result.exit_code == EXIT_OK
    assert "no pull request contains commit def456; nothing posted" in result.stderr
    assert github.writes() == []


def test_no_pull_request_at_all_is_a_usage_error(github: FakeGitHub, tmp_path: Path) -> None:
    result = post(github, tmp_path, "--marker", "dev", text="b")
    assert result.exit_code == EXIT_USAGE
    assert "give --pr NUMBER or --commit SHA" in result.output


def test_a_read_only_token_says_why_and_never_shows_a_token(
    github: FakeGitHub, tmp_path: Path
) -> None:
    result = post(
        github, tmp_path, "--marker", "dev", "--pr", str(PR), text="x", GITHUB_TOKEN=READ_ONLY_TOKEN
    )
    assert result.exit_code == EXIT_ERROR
    assert "GitHub answered 403 to POST" in result.stderr
    assert "Resource not accessible by integration" in result.stderr
    assert "forks only get a read-only token" in result.stderr
    assert READ_ONLY_TOKEN not in result.output


def test_a_wrong_token_and_missing_settings(github: FakeGitHub, tmp_path: Path) -> None:
    wrong = post(github, tmp_path, "--marker", "dev", "--pr", "1", text="x", GITHUB_TOKEN="nope")
    assert wrong.exit_code == EXIT_ERROR
    assert "GitHub answered 401" in wrong.stderr and "nope" not in wrong.output
    missing = post(github, tmp_path, "--marker", "dev", "--pr", "1", text="x", GITHUB_TOKEN="")
    assert missing.exit_code == EXIT_ERROR
    assert "GITHUB_TOKEN is not set" in missing.stderr
    bad_repo = post(
        github, tmp_path, "--marker", "dev", "--pr", "1", text="x", GITHUB_REPOSITORY="acme"
    )
    assert bad_repo.exit_code == EXIT_ERROR
    assert "owner/name" in bad_repo.stderr


def test_an_unreachable_api(tmp_path: Path) -> None:
    with fake_github() as fake:
        url = fake.base_url
    result = post(fake, tmp_path, "--marker", "dev", "--pr", "1", text="x", GITHUB_API_URL=url)
    assert result.exit_code == EXIT_ERROR
    assert "cannot reach GitHub's API at" in result.stderr
    assert TOKEN not in result.output


def test_help_states_the_exit_codes_and_the_environment() -> None:
    result = CliRunner().invoke(cli, ["post-comment", "--help"])
    assert "Exit codes: 0 posted, updated or unchanged" in result.stdout
    assert "GITHUB_TOKEN, GITHUB_REPOSITORY" in result.stdout
