"""Text from files and from the live org, made safe for Markdown, Mermaid, Graphviz and comments.

Every function takes any string and returns text that its target shows as that string and
nothing else: no emphasis, link, table cell break, Mermaid statement, directive or HTML tag, and
no end of an HTML comment. Before escaping, ``visible`` turns what a reader could not see into
something they can: line breaks and runs of whitespace become one space, control characters
their Control Pictures (U+2400 block), and invisible format characters (bidi overrides,
zero-width spaces) a ``<U+202E>`` notation, so a name cannot hide or reorder text in a review.

Terminal output is not this module's concern; it knows only the formats of a pull-request
comment and of the diagrams in it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote

_WHITESPACE = re.compile(r"\s+")
_CONTROL_PICTURES = 0x2400
_DELETE_PICTURE = "\u2421"
_REPLACEMENT = "\ufffd"
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cn"})

# Mermaid reads `#name;` and `#123;` as entity codes in labels; everything outside this set is
# written as one, so that no quote, bracket, `%%` directive, backtick (markdown string), `<`
# (HTML) or `;` (statement separator) reaches Mermaid's parser as syntax. Non-ASCII characters
# are encoded too, so that the source is plain ASCII whatever the workflow holds.
_MERMAID_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/_-+=@!?'()*"
)
# Mermaid decodes a label's entities twice, the second time by turning its private markers
# (`ﬂ°°` is `&#`, `ﬂ°` is `&`, `¶ß` is `;`) into entities again: a label that shows them, even
# encoded, would show another character instead.
_MERMAID_ENTITY_MARKERS = ("\ufb02\u00b0", "\u00b6\u00df")
_WORD_JOINER = "\u2060"
# Before parsing, Mermaid drops the last `;` of any line with `style...:...#...;` or
# `classDef...` in it (to protect colours); encoding a letter keeps those words out of labels.
_MERMAID_STYLE_WORDS = re.compile(r"style|classDef")
_MERMAID_EMPTY = "#160;"

# CommonMark lets a backslash escape any ASCII punctuation; `<`, `>` and `&` become entities so
# that GitHub's HTML filter never sees a tag or an entity of the user's.
_MARKDOWN_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_MARKDOWN_PUNCTUATION = frozenset("!\"#$%'()*+,-./:;=?@[\\]^_`{|}~")
# GitHub links `@name` (a notification) and `#12` (a cross-reference) in comments; a zero-width
# space after the sign keeps the text and drops the link.
_NO_LINK = "\u200b"
_LINKING = frozenset("@#")


def visible(text: str) -> str:
    """``text`` as a reader should see it on one line: nothing invisible, no line breaks."""
    collapsed = _WHITESPACE.sub(" ", text).strip()
    return "".join(_visible_char(char) for char in collapsed)


def _visible_char(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(_CONTROL_PICTURES + code)
    if code == 0x7F:
        return _DELETE_PICTURE
    category = unicodedata.category(char)
    if category == "Cs":  # a lone surrogate cannot be encoded at all
        return _REPLACEMENT
    if category in _HIDDEN_CATEGORIES:
        return f"<U+{code:04X}>"
    return char


def mermaid_label(text: str) -> str:
    """The inside of a quoted Mermaid label (``id["..."]``, ``-->|"..."|``) that shows ``text``.

    An empty label is a syntax error in Mermaid: one that shows nothing is a no-break space.
    """
    shown = visible(text)
    if not shown:
        return _MERMAID_EMPTY
    for marker in _MERMAID_ENTITY_MARKERS:  # a word joiner splits Mermaid's own markers
        shown = shown.replace(marker, f"{marker[0]}{_WORD_JOINER}{marker[1:]}")
    encoded = "".join(char if char in _MERMAID_PLAIN else f"#{ord(char)};" for char in shown)
    return _MERMAID_STYLE_WORDS.sub(lambda word: f"#{ord(word[0][0])};{word[0][1:]}", encoded)


def markdown_text(text: str) -> str:
    """Markdown (also a table cell or a heading) that renders as ``text``, literally."""
    escaped = []
    for char in visible(text):
        if char in _MARKDOWN_ENTITIES:
            escaped.append(_MARKDOWN_ENTITIES[char])
        elif char in _MARKDOWN_PUNCTUATION:
            escaped.append("\\" + char)
        else:
            escaped.append(char)
        if char in _LINKING:
            escaped.append(_NO_LINK)
    return "".join(escaped)


def markdown_code_cell(text: str) -> str:
    """An inline code span for a Markdown table cell that shows ``text`` (values, JSON)."""
    content = visible(text)
    if not content:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {content} " if content.startswith("`") or content.endswith("`") else content
    # A table splits its row at every `|` not preceded by a backslash, even inside code.
    return f"{fence}{padded}{fence}".replace("|", "\\|")


def html_comment_text(text: str) -> str:
    """``text`` encoded for the inside of an HTML comment: reversible, it never ends the comment.

    Percent-encoding leaves letters, digits and ``_.~``; ``-`` is encoded too, so no ``--``,
    ``-->`` or ``--!>`` can form, and two different texts stay two different encodings.
    """
    # A lone surrogate (from JSON) is kept as its bytes, so the encoding stays reversible.
    return quote(text, safe="", errors="surrogatepass").replace("-", "%2D")


def html_comment(text: str) -> str:
    """A whole HTML comment carrying ``text`` (see ``html_comment_text``)."""
    return f"<!-- {html_comment_text(text)} -->"


def graphviz_html(text: str) -> str:
    """Text for a Graphviz HTML-like label (``label=<...>``) that shows ``text``.

    As in Mermaid, an empty label is a syntax error: one that shows nothing is a no-break space.
    Graphviz reads ``\\N``, ``\\E``, ``\\G`` (names) and ``\\n`` even in these labels, also when
    written as entities; a doubled backslash is a literal one. A label of a lone ``]`` is a
    syntax error to it, so ``]`` is always written as an entity.
    """
    escaped = html.escape(visible(text), quote=True).replace("\\", "\\\\")
    return escaped.replace("]", "&#93;") or "&#160;"
