"""The comment body: its marker, code blocks, and the cut under GitHub's limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pulumi_thena.review import change_mermaid, fenced
from pulumi_thena.review.comment import (
    MAX_COMMENT_CHARS,
    code_block,
    comment_body,
    cut_markdown,
    is_marked,
    marker,
)
from tests.review.conftest import canonical_examples
from tests.review.strategies import hostile_text

MARKDOWN = MarkdownIt("commonmark").enable("table")


def _blocks(text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of ``text`` as (info, content), by a CommonMark parser."""
    return [(token.info, token.content) for token in MARKDOWN.parse(text) if token.type == "fence"]


def test_the_marker_is_a_hidden_first_line_per_key() -> None:
    assert marker("dev") == "<!-- thena-workflows:comment dev -->"
    body = comment_body("dev", "plan").text
    assert body.splitlines()[0] == marker("dev")
    assert is_marked(body, "dev")
    assert not is_marked(body, "prod")
    assert not is_marked(f"quoting:\n{body}", "dev")  # only as the first line


@given(hostile_text, hostile_text)
def test_two_keys_never_share_a_marker(first: str, second: str) -> None:
    body = comment_body(first, "x").text
    assert is_marked(body, first)
    assert is_marked(body, second) == (first == second)


def test_a_code_block_cannot_be_closed_by_its_text() -> None:
    text = "plan\n```\nnot the end\n````\nstill inside"
    assert _blocks(code_block(text)) == [("text", text + "\n")]


def test_a_short_comment_is_posted_whole() -> None:
    body = comment_body("dev", "content\n", title="Plan for *dev*")
    assert not body.truncated
    assert body.text == f"{marker('dev')}\n### Plan for \\*dev\\*\n\ncontent\n"


def test_a_long_code_block_is_cut_and_closed_with_a_note_saying_where_the_rest_is() -> None:
    lines = "".join(f"line {n:06d} of the plan\n" for n in range(5000))
    body = comment_body("dev", code_block(lines), full_text_at="the artifact plan-dev")
    assert body.truncated
    assert len(body.text) <= MAX_COMMENT_CHARS
    assert "Cut to fit: the full text has" in body.text
    assert "The full text is in the artifact plan-dev." in body.text
    ((info, content),) = _blocks(body.text)
    assert info == "text"
    assert content.startswith("line 000000 of the plan\n")
    assert content.splitlines()[-1].startswith("line ")  # cut between whole lines
    assert body.text.rstrip().endswith("more characters cut here.*")


def test_a_mermaid_block_is_left_out_whole_rather_than_cut() -> None:
    diagram = fenced(change_mermaid(None, canonical_examples()["vip-account-onboarding"]))
    content = "summary\n\n" + diagram + "\nmore\n"
    cut = cut_markdown(content, len("summary\n\n") + len(diagram) // 2)
    assert cut.startswith("summary\n")
    assert "```mermaid" not in cut and "flowchart" not in cut
    assert _blocks(cut) == []


def test_open_details_are_closed() -> None:
    content = "<details><summary>Plan</summary>\n\n" + "x\n" * 1000 + "</details>\n"
    cut = cut_markdown(content, 500)
    assert cut.count("<details>") == cut.count("</details>") == 1


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            hostile_text,
            st.sampled_from(["```", "```mermaid", "~~~", "````text", "<details>", "</details>"]),
        ),
        max_size=120,
    ),
    st.integers(min_value=1200, max_value=4000),
)
def test_a_body_never_exceeds_the_limit(lines: list[str], limit: int) -> None:
    content = "\n".join(lines * 5)
    body = comment_body("dev", content, title="Plan", full_text_at="the artifact", limit=limit)
    assert len(body.text) <= limit
    assert body.truncated == (len(f"{marker('dev')}\n### Plan\n\n{content}") > limit)
    assert is_marked(body.text, "dev")
