"""Thena's semantics as docs/api.md states them, on plain wire dicts, importing nothing else.

This package is the one piece the emulator shares with the provider. It imports only the
standard library, so that the emulator, which takes its rules from docs/api.md rather than from
the provider's models, can use it without agreeing with the provider's mistakes.

    operators, statuses   the filter-operator catalogue and the status vocabularies
    graph                 the step-graph rules and the order steps run in
    templates, filters    the execution context, ``{{...}}`` templates, filters and why not
    runs (steps, trace)   one event against one workflow, with resumable waits
    lints (contradictions, schemas)
                          what is valid but cannot do what it says

docs/semantics.md states every choice made where docs/api.md is silent.
"""
