"""Text that is safe to print on a terminal or in a CI log: control characters shown escaped.

Workflow names, step values and the API's error messages come from anyone who can write a
definition file or create a workflow in Thena. Printed raw, ``ESC [2J`` clears the screen of
whoever runs ``plan``, an OSC 8 sequence shows a link whose target is hidden, OSC 52 writes to
the clipboard, and bidi overrides make text read in another order than it is stored. Every such
character is shown as its escape instead (``\\x1b[2J``, ``\\u202e``): C0 and C1 control characters
(newline and tab included: a name must not fake a line of output), DEL, the bidi embedding,
override and isolate controls and the line and paragraph separators. Everything else, accented
letters and emoji included, stays as it is. Applying the function twice changes nothing more.

This is the lowest layer that builds messages from foreign text (the client's errors); the
provider's errors and the CLI's output use the same function.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Once json.dumps has escaped C0 characters, what is left to escape in a JSON document.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    if character in _SHORT:
        return _SHORT[character]
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control, bidi and separator character written as its escape."""
    return _UNSAFE.sub(_escaped, text)


def json_terminal_safe(document: str) -> str:
    """A JSON document (from ``json.dumps``) with the characters above as ``\\uXXXX`` escapes.

    The document means the same; it just carries none of them raw.
    """
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", document)
