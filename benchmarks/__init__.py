"""Benchmarks of pulumi-thena: API calls, wall time, CPU and memory against the emulator.

run.py          the command: every measurement, then RESULTS.md and results.json
sequence.py     one lifecycle through the real pulumi CLI (up, no-op, edits, flips, ...)
project.py      the throw-away project and ``measure`` (calls, time, provider process)
procwatch.py    peak RSS, CPU and HTTP connections of the provider process, from /proc
generate.py     realistic workflow definition files
null_provider   the provider that makes no call (the engine's own cost); importable, so
                dill pickles it by reference, as it does the real provider
baseline.py     the hand-written script teams use instead
cpu.py          check and diff CPU per resource, in-process
floors.py       the fewest calls each operation can make, and the targets
report.py, markdown.py, machine.py    results.json and RESULTS.md
"""
