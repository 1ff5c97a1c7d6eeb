"""Escaping: any string shows as text in Markdown (a real CommonMark parser), in a table, in an
HTML comment (Python's HTML parser) and in a Graphviz label (Graphviz itself).

The Mermaid label round trip through Mermaid itself is in test_mermaid_render.py.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pulumi_thena.review.escape import (
    graphviz_html,
    html_comment,
    html_comment_text,
    markdown_code_cell,
    markdown_text,
    mermaid_label,
    visible,
)
from tests.review.strategies import hostile_text
from tests.review.tools import dot_node_texts, render_dot

ZERO_WIDTH_SPACE = "\u200b"
NO_BREAK_SPACE = "\u00a0"  # what an empty label shows (an empty one is a syntax error)


class _Parsed(HTMLParser):
    """The text, tags and comments of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _shown(rendered: str) -> str:
    """The text a reader sees, without the zero-width spaces that stop GitHub's links."""
    return "".join(_Parsed(rendered).text).strip().replace(ZERO_WIDTH_SPACE, "")


# -- visible -------------------------------------------------------------------------------


def test_visible_puts_everything_on_one_line_and_shows_what_hides() -> None:
    assert visible("  two\n lines\r\n\tand\u2028more  ") == "two lines and more"
    assert visible("a\x00b\x1bc\x7f") == "a\u2400b\u241bc\u2421"
    assert visible("admin\u202e\u200b") == "admin<U+202E><U+200B>"
    assert visible("\ud800") == "\ufffd"
    assert visible("é 日本 🎉") == "é 日本 🎉"


@given(hostile_text)
def test_visible_leaves_no_line_break_control_or_invisible_character(text: str) -> None:
    shown = visible(text)
    assert shown == shown.strip()
    assert not any(char.isspace() and char != " " for char in shown)
    assert "  " not in shown
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in shown)
    assert not any(0xD800 <= ord(char) < 0xE000 for char in shown)


# -- Markdown ------------------------------------------------------------------------------


@given(hostile_text)
def test_markdown_text_renders_as_the_text_and_nothing_else(text: str) -> None:
    rendered = _markdown().render(markdown_text(text))
    assert _shown(rendered) == visible(text)
    assert set(_Parsed(rendered).tags) <= {"p"}, rendered


@given(hostile_text)
def test_markdown_text_in_a_heading_stays_one_heading(text: str) -> None:
    rendered = _markdown().render(f"### {markdown_text(text)}\n\nafter")
    parsed = _Parsed(rendered)
    assert parsed.tags == ["h3", "p"], rendered
    assert _shown(rendered).removesuffix("after").strip() == visible(text)


@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_markdown_cells_never_break_a_table_row(cells: list[str]) -> None:
    header = "| " + " | ".join(f"h{index}" for index in range(len(cells))) + " |"
    rule = "|" + "---|" * len(cells)
    row = "| " + " | ".join(markdown_text(cell) for cell in cells) + " |"
    rendered = _markdown().render(f"{header}\n{rule}\n{row}\n")
    parsed = _Parsed(rendered)
    body = parsed.cells[len(cells) :]
    assert [cell.strip().replace(ZERO_WIDTH_SPACE, "") for cell in body] == [
        visible(cell) for cell in cells
    ], rendered
    assert set(parsed.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}, rendered


@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_code_cells_never_break_a_table_row(cells: list[str]) -> None:
    header = "| " + " | ".join(f"h{index}" for index in range(len(cells))) + " |"
    rule = "|" + "---|" * len(cells)
    row = "| " + " | ".join(markdown_code_cell(cell) for cell in cells) + " |"
    rendered = _markdown().render(f"{header}\n{rule}\n{row}\n")
    body = _Parsed(rendered).cells[len(cells) :]
    assert body == [visible(cell) for cell in cells], rendered


def test_markdown_text_keeps_github_from_mentioning_or_linking() -> None:
    escaped = markdown_text("ping @octocat about #12")
    assert "@octocat" not in escaped
    assert "#12" not in escaped
    assert _shown(_markdown().render(escaped)) == "ping @octocat about #12"


# -- HTML comments -------------------------------------------------------------------------


@given(hostile_text)
def test_an_html_comment_never_ends_early_and_gives_back_the_text(text: str) -> None:
    inside = html_comment_text(text)
    parsed = _Parsed(f"before{html_comment(text)}after")
    assert parsed.comments == [f" {inside} "]
    assert "".join(parsed.text) == "beforeafter"
    assert unquote(inside, errors="surrogatepass") == text
    for ending in ("--", ">", "<", "!"):
        assert ending not in inside


@given(hostile_text)
def test_an_html_comment_stays_hidden_in_markdown(text: str) -> None:
    rendered = _markdown().render(f"{html_comment(text)}\n\nvisible")
    parsed = _Parsed(rendered)
    assert parsed.comments == [f" {html_comment_text(text)} "]
    assert "".join(parsed.text).strip() == "visible"


# -- Mermaid labels, without Mermaid -------------------------------------------------------

MERMAID_LABEL_CHARACTERS = set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/_-+=@!?'()*#;"
)


@given(hostile_text)
def test_a_mermaid_label_holds_no_syntax_of_its_own(text: str) -> None:
    label = mermaid_label(text)
    assert label
    assert set(label) <= MERMAID_LABEL_CHARACTERS
    for word in ("style", "classDef", "%%", '"', "`", "<", ">", "[", "]", "|", "\n"):
        assert word not in label


# -- Graphviz labels, through Graphviz -----------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=20))
@example(["\\E \\N \\G \\L \\n \\l \\r \\\\ end\\"])  # Graphviz's escapes, even in HTML labels
@example(["]"])  # a label of a lone "]" is a syntax error to Graphviz (found by this test in CI)
def test_graphviz_labels_show_the_text(texts: list[str]) -> None:
    nodes = "\n".join(f"  n{i} [label=<{graphviz_html(text)}>]" for i, text in enumerate(texts))
    svg = render_dot(f"digraph {{\n{nodes}\n}}\n", "svg").decode()
    drawn = dot_node_texts(svg)
    assert [" ".join(drawn[f"n{i}"]) for i in range(len(texts))] == [
        visible(text) or NO_BREAK_SPACE for text in texts
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"]; click s1 call alert(1)', "#34;#93;#59; click s1 call alert(1)"),
        ("%%{init: {}}%%", "#37;#37;#123;init: #123;#125;#125;#37;#37;"),
        ("style s1 fill:#f00;", "#115;tyle s1 fill:#35;f00#59;"),
        ("a\nb", "a b"),
        ("", "#160;"),
        ("é", "#233;"),
    ],
)
def test_mermaid_label_examples(text: str, expected: str) -> None:
    assert mermaid_label(text) == expected
