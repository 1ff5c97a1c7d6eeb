"""Constants the emulator's modules and its users share, in a module that imports nothing."""

from __future__ import annotations

DEFAULT_API_KEY = "thena-local-emulator-key"
"""The documented key of the local emulator. Not a secret: it only opens the local emulator."""
