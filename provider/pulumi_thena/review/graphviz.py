"""Graphviz's ``dot`` program: DOT source in, SVG or PNG out.

``dot`` comes from the system (Debian's and Ubuntu's package ``graphviz``); it is found on PATH
or at ``THENA_DOT``. Its failures become a ``RenderError`` naming what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess

FORMATS = ("svg", "png")
PNG_DPI = 144
"""Twice the screen default, so that a PNG stays sharp in a pull request or the docs."""
TIMEOUT_SECONDS = 60


class RenderError(Exception):
    """``dot`` is missing, or it could not render the diagram."""


def find_dot() -> str | None:
    """The ``dot`` program: ``THENA_DOT`` if set, else the one on PATH; None when neither."""
    configured = os.environ.get("THENA_DOT")
    if configured:
        return configured if shutil.which(configured) else None
    return shutil.which("dot")


def render(source: str, fmt: str) -> bytes:
    """``source`` (DOT) rendered as ``fmt`` (``svg`` or ``png``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    program = find_dot()
    if program is None:
        raise RenderError(
            "Graphviz's `dot` was not found on PATH; install Graphviz (Debian/Ubuntu: "
            "`apt-get install graphviz`, macOS: `brew install graphviz`) or use "
            "--format mermaid or dot"
        )
    command = [program, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
    try:
        done = subprocess.run(
            command, input=source.encode(), capture_output=True, timeout=TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RenderError(f"Graphviz's `dot` could not run: {error}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise RenderError(f"Graphviz's `dot` failed to render the diagram: {message}")
    return done.stdout
