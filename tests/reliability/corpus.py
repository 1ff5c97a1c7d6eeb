"""The bad-input corpus: invalid definition files, each with the message it must produce.

Each file in ``corpus/`` starts with a comment header::

    # expect: <a substring of the message>
    # path: <the field path the message names>     (absent for whole-file problems)
    # check: online                                (only the org's registries can tell)

Two more files are made at run time rather than committed: one over the 1 MiB limit and one that
is not UTF-8. ``empty-file.yaml`` is empty on purpose, so its expectation lives here.

The checks run the corpus through ``thena-workflows validate`` (offline; ``--online`` against
the emulator for registry files) and through ``pulumi preview`` of a project copy: all
loader-level files in one project (the program reports every problem of every file at once),
each registry-level file on its own (the engine stops at the first failed check).

Used by ``test_corpus.py`` and ``scripts/reliability-report``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pulumi_thena.definitions import MAX_FILE_BYTES

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
WORKFLOWS = "stacks/workflows"
_HEADER = re.compile(r"^#\s*(expect|path|check):\s*(.*?)\s*$")
# Words by which a message says what to do, what was expected, or lists the valid choices.
ADVICE = (
    "add",
    "remove",
    "fix",
    "use",
    "write",
    "set",
    "rename",
    "give",
    "keep",
    "save",
    "split",
    "should",
    "must",
    "takes",
    "did you mean",
    "available",
    "existing",
    "known",
    "expected",
    "check",
)


@dataclass(frozen=True)
class BadFile:
    """One invalid definition file and what rejecting it must say."""

    name: str
    content: bytes
    expect: str
    path: str = ""
    online: bool = False

    @property
    def stem(self) -> str:
        return Path(self.name).stem

    @property
    def shown(self) -> str:
        """How messages name the file: its path relative to the project."""
        return f"{WORKFLOWS}/{self.name}"


def parse_header(content: bytes) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a corpus file."""
    header: dict[str, str] = {}
    for line in content.decode("utf-8", errors="replace").splitlines():
        match = _HEADER.match(line)
        if match is None:
            break
        header[match.group(1)] = match.group(2)
    return header


HEADERLESS = {"empty-file.yaml": "the file is empty"}


def committed() -> list[BadFile]:
    """The files of ``corpus/``, sorted by name."""
    files = []
    for path in sorted(CORPUS_DIR.glob("*.yaml")):
        content = path.read_bytes()
        header = parse_header(content)
        expect = header.get("expect") or HEADERLESS[path.name]
        online = header.get("check") == "online"
        files.append(BadFile(path.name, content, expect, header.get("path", ""), online))
    return files


def generated() -> list[BadFile]:
    """Files too big or too odd to commit."""
    padding = b"# " + b"x" * 98 + b"\n"
    huge = b"name: Huge\n" + padding * (MAX_FILE_BYTES // len(padding) + 1)
    return [
        BadFile("huge-file-over-1-mib.yaml", huge, "over the 1048576-byte (1 MiB) limit"),
        BadFile("not-utf-8.yaml", b"name: Caf\xe9 workflow\n", "not UTF-8 text"),
    ]


def corpus() -> list[BadFile]:
    return [*committed(), *generated()]


def offline(files: Iterable[BadFile]) -> list[BadFile]:
    return [f for f in files if not f.online]


def online(files: Iterable[BadFile]) -> list[BadFile]:
    return [f for f in files if f.online]


def message_for(bad: BadFile, output: str, *, names: Iterable[str] = ()) -> str | None:
    """The line of ``output`` that reports ``bad``: names it, its field path and the mistake.

    ``names`` are how the line may name the file (default: its path in the project).
    """
    wanted = list(names) or [bad.shown]
    for line in output.splitlines():
        if bad.expect not in line or not any(name in line for name in wanted):
            continue
        if bad.path and bad.path not in line:
            continue
        return line.strip()
    return None


def gives_advice(line: str) -> bool:
    """Whether a message says what to do (or what was expected)."""
    lowered = line.lower()
    return any(re.search(rf"\b{re.escape(word)}", lowered) for word in ADVICE)
