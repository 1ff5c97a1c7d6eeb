"""Benchmarks of pulumi-thena: API calls, wall time, CPU and memory against the emulator.

``benchmarks/run.py`` is the entry point; ``null_provider`` lives in this package so that dill
pickles it by reference, as it does ``pulumi_thena.resources.workflow.WorkflowProvider``.
"""
