"""Thena's semantics as docs/api.md states them, on plain wire dicts, importing nothing else.

This package is the one piece the emulator shares with the provider: the filter-operator
catalogue, the status vocabularies, and (in later modules) how filters, templates and a run's
steps behave. It imports only the standard library, so that the emulator, which takes its rules
from docs/api.md rather than from the provider's models, can use it without agreeing with the
provider's mistakes.
"""
