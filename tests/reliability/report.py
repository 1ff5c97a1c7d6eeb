"""Markdown for the reliability report: the fault matrix, the load figures, the corpus summary.

``scripts/reliability-report`` runs the scenarios and prints these; the tests run the same
scenarios and assert on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tests.reliability.corpus_checks import CorpusReport
from tests.reliability.faults import CaseResult
from tests.reliability.interrupted import InterruptedResult, UncheckpointedResult
from tests.reliability.load import LoadResult
from tests.reliability.ownership import OwnershipResult

MATRIX_HEADER = ("Scenario", "First run", "Second run", "Org correct")
LOAD_HEADER = ("Step", "Outcome", "Seconds", "Requests", "Writes", "429s")


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub markdown table; ``|`` inside cells is escaped."""
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"


def matrix(
    results: Sequence[CaseResult],
    interrupted: Sequence[InterruptedResult | UncheckpointedResult] = (),
) -> str:
    rows = [result.row() for result in results]
    rows += [run.row() for run in interrupted]
    correct = sum(1 for result in results if result.org_correct)
    summary = f"{correct}/{len(results)} fault cases end with the org exactly as defined."
    return f"{table(MATRIX_HEADER, rows)}\n\n{summary}"


def load(result: LoadResult) -> str:
    rows = [step.row() for step in result.steps]
    total = sum(step.seconds for step in result.steps)
    share = result.status429 / result.requests if result.requests else 0.0
    summary = (
        f"{result.count} workflows, emulator limit {result.rps} requests/s, client limiter "
        f"THENA_RATE_LIMIT_RPS={result.rps}: {result.requests} requests, {result.status429} "
        f"answered 429 ({share:.1%}), {total:.0f} s in all."
    )
    problems = "\n".join(f"- problem: {p}" for p in result.problems)
    return "\n\n".join(part for part in (table(LOAD_HEADER, rows), summary, problems) if part)


def corpus(report: CorpusReport) -> str:
    verdicts = report.verdicts
    offline = [v for v in verdicts if not v.bad.online]
    by_validate = sum(1 for v in verdicts if v.validate)
    by_preview = sum(1 for v in verdicts if v.preview)
    clear = sum(1 for v in verdicts if v.rejected_well)
    lines = [
        f"{len(verdicts)} invalid files ({len(offline)} caught offline by the loader, "
        f"{len(verdicts) - len(offline)} only by the org's registries): rejected by "
        f"`thena-workflows validate` {by_validate}/{len(verdicts)}, by `pulumi preview` "
        f"{by_preview}/{len(verdicts)}; {clear}/{len(verdicts)} with a message naming the file "
        "(or resource), the field path and what to do.",
        "Across the run: "
        + (
            "; ".join(report.problems)
            or "no write reached the emulator, no traceback and no API key in any output."
        ),
    ]
    failing = [f"- {v.bad.name}: {'; '.join(v.problems)}" for v in verdicts if v.problems]
    return "\n\n".join([*lines, *failing])


def ownership(result: OwnershipResult) -> str:
    if result.problems:
        return "Two stacks in one org: problems: " + "; ".join(result.problems)
    return (
        "Two stacks (`dev`, `staging`) deploying workflows of the same names to one org, next to "
        "a hand-made workflow: `thena-workflows plan --stack dev` lists the hand-made one (and "
        f"staging's) as not managed by dev; destroying staging deleted exactly its "
        f"{len(result.deleted_ids)} workflows, dev's and the hand-made one were untouched, and "
        "dev's state still matches the org."
    )
