"""Writing a new repository: nothing that exists is overwritten, and on refusal nothing is written.

Every path is checked before the first file is written: the file itself (a dangling link counts)
and each folder on its way, which must be a folder if it exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pulumi_thena.scaffold.render import ScaffoldFile


class PathExistsError(FileExistsError):
    """A path of the new repository exists already; ``path`` is the first one found."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def first_existing(root: Path, files: Sequence[ScaffoldFile]) -> Path | None:
    """The first path among ``files`` (or a folder on the way that is not one) that exists."""
    if root.exists() and not root.is_dir():
        return root
    for file in files:
        target = root / PurePosixPath(file.path)
        for parent in reversed(target.relative_to(root).parents[:-1]):
            folder = root / parent
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                return folder
        if target.is_symlink() or target.exists():
            return target
    return None


def write_scaffold(root: Path, files: Sequence[ScaffoldFile]) -> list[Path]:
    """Write ``files`` under ``root`` (created if needed); PathExistsError before any write."""
    existing = first_existing(root, files)
    if existing is not None:
        raise PathExistsError(existing)
    written = []
    for file in files:
        target = root / PurePosixPath(file.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if file.link is not None:
            target.symlink_to(file.link)
        else:
            with target.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(file.text)
        written.append(target)
    return written
