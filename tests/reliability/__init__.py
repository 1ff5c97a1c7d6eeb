"""Reliability: nothing lost, duplicated or leaked under faults, rate limits and bad input.

harness.py        a project copy with a few workflow files, one stack of it on an emulator
checks.py         org == definitions, state == org, no pending operation, no key, no traceback
faults.py         the fault matrix (each mutating call x each fault, then `pulumi up` again)
interrupted.py    `pulumi up` killed mid-create, and the recovery docs/reliability.md describes
load.py           200 workflows under a rate limit: up, no-op up, refresh, destroy
corpus.py         the bad-input corpus (corpus/*.yaml) and how a rejection must read
corpus_checks.py  the corpus through `thena-workflows validate` and `pulumi preview`
ownership.py      two stacks in one org, and `thena-workflows plan`
scenarios.py      the engine scenarios by name, run side by side for the tests
report.py         the markdown tables of scripts/reliability-report
"""
