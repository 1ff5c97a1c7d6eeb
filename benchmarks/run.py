"""Run the benchmark and write benchmarks/RESULTS.md and benchmarks/results.json.

    .venv/bin/python benchmarks/run.py [--sizes 10,100,500] [--latency-ms 20]

For each size N: the lifecycle through the real pulumi CLI with the Thena provider, the same with
the null provider (the engine's own overhead), and the hand-written script. Then, once: the
largest N again with PULUMI_SKIP_CHECKPOINTS=true, with the floor program too (N resources of one
small property: what the engine costs at all); --large N (2000) the same without the null
provider; the N=100 initial up and destroy at the client's default rate limit; the program's CPU
by phase; and the provider's CPU per check and diff.
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import cpu, machine, markdown, program_phases, report
from benchmarks.baseline import run_baseline
from benchmarks.floors import DESTROY, INITIAL_UP
from benchmarks.generate import MAX_STEPS, MIN_STEPS, workflow
from benchmarks.project import median_of
from benchmarks.sequence import SequenceConfig, run_lockstep, run_sequence
from tests.e2e.engine import find_pulumi

OUT_DIR = Path(__file__).resolve().parent
RATE_LIMIT_RPS = "1000"
REPEAT_UP_TO = 100


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="10,100,500", help="comma-separated N (default: %(default)s)"
    )
    parser.add_argument("--latency-ms", type=float, default=20.0, help="per request (default: 20)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="lifecycles per size up to N=100, median reported (default: 3; larger N: once)",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=2000,
        help="one lifecycle at this N without checkpoints, provider and floor (0: none; "
        "default: %(default)s)",
    )
    parser.add_argument(
        "--target-repeats",
        type=int,
        default=3,
        help="lifecycles without checkpoints at the largest size (the issue's targets), median "
        "reported (default: %(default)s)",
    )
    parser.add_argument(
        "--targets-only",
        action="store_true",
        help="measure the lifecycles without checkpoints at the largest size again, keep the rest "
        "of results.json",
    )
    parser.add_argument("--cpu-iterations", type=int, default=500)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where RESULTS.md goes")
    parser.add_argument(
        "--render", action="store_true", help="only rewrite RESULTS.md from results.json in --out"
    )
    parser.add_argument(
        "--cpu-only",
        action="store_true",
        help="measure the in-process CPU section again, keep the rest of results.json",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render or args.cpu_only:
        previous = json.loads((args.out / "results.json").read_text())
        if args.cpu_only:
            previous["cpu"] = measure_cpu(args.cpu_iterations)
            previous["cpu"]["measuredBy"] = "benchmarks/run.py --cpu-only"
        write(summarized(previous), args.out)
        return 0
    binary = find_pulumi()
    if binary is None:
        print("no pulumi CLI: run scripts/install-pulumi, then put its bin dir on PATH")
        return 2
    if args.targets_only:
        previous = json.loads((args.out / "results.json").read_text())
        count = max(size["count"] for size in previous["sizes"])
        latency = float(previous["settings"]["latencyMs"])
        section = measure_without_checkpoints(
            binary, count, latency, _startup(previous), repeats=args.target_repeats
        )
        section["measuredBy"] = shlex.join(
            ["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]
        )
        section["measuredAt"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        section["loadAverage"] = machine.load_average()
        previous["skipCheckpoints"] = section
        write(summarized(previous), args.out)
        return 0
    started = time.perf_counter()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: dict[str, Any] = {
        "command": shlex.join(["benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "complete": False,
        "machine": machine.describe(binary),
        "settings": _settings(args),
        "sizes": [],
        "skipCheckpoints": None,
        "large": None,
        "programPhases": [],
        "defaultLimiter": None,
        "cpu": measure_cpu(args.cpu_iterations),
    }
    # Written after every stage: a failure late in a long run keeps what was measured.
    save(results, started, args.out)
    for count in sizes:
        repeats = _repeats(count, args.repeats)
        results["sizes"].append(
            measure_size(binary, count, args.latency_ms, repeats, _startup(results))
        )
        save(results, started, args.out)
    results["skipCheckpoints"] = measure_without_checkpoints(
        binary, max(sizes), args.latency_ms, _startup(results), repeats=args.target_repeats
    )
    save(results, started, args.out)
    for count in sorted({max(sizes), args.large} - {0}):
        results["programPhases"].append(program_phases.measure(count))
    save(results, started, args.out)
    if args.large:
        results["large"] = measure_without_checkpoints(
            binary, args.large, args.latency_ms, _startup(results), null=False
        )
        save(results, started, args.out)
    if 100 in sizes:
        results["defaultLimiter"] = _default_limiter(binary, args.latency_ms)
    results["complete"] = True
    save(results, started, args.out)
    print(f"done in {results['runtimeSeconds'] / 60:.1f} min; wrote {args.out}/RESULTS.md")
    return 0


def save(results: dict[str, Any], started: float, out: Path) -> None:
    """Bring the summary fields up to date and write results.json and RESULTS.md."""
    results["machine"]["loadAverageAtEnd"] = machine.load_average()
    results["runtimeSeconds"] = round(time.perf_counter() - started, 1)
    write(summarized(results), out)


def summarized(results: dict[str, Any]) -> dict[str, Any]:
    """``results`` with the targets missed and the provider's overhead worked out."""
    results["targetsMissed"] = report.missed_targets(results)
    results["providerOverhead"] = report.provider_overhead(results)
    return results


def _repeats(count: int, asked: int) -> int:
    return asked if count <= REPEAT_UP_TO else 1


def _startup(results: dict[str, Any]) -> float:
    """The provider's start-up, in seconds: the costliest import path measured in-process."""
    return float(max(results["cpu"]["importMs"].values())) / 1000


def measure_size(
    binary: str, count: int, latency_ms: float, repeats: int, startup_s: float
) -> dict[str, Any]:
    """The provider's lifecycle, the null provider's, and the hand-written script, for one N."""
    base = SequenceConfig(binary, count, latency_ms, rate_limit_rps=RATE_LIMIT_RPS)
    rounds = []
    for round_ in range(repeats):
        print(f"N={count}, round {round_ + 1} of {repeats}")
        rounds.append(run_lockstep([base, replace(base, null_provider=True)]))
    thena = median_of([pair[0] for pair in rounds])
    null = median_of([pair[1] for pair in rounds])
    baseline = run_baseline(count, latency_ms, float(RATE_LIMIT_RPS))
    steps = [len(workflow(index)["workflowDefinition"]) for index in range(count)]
    return {
        "count": count,
        "repeats": repeats,
        "meanSteps": round(statistics.mean(steps), 1),
        "thena": report.derive(count, thena, null, latency_ms, startup_s),
        "null": [m.to_json() for m in null],
        "baseline": [run.to_json() for run in baseline],
    }


def measure_without_checkpoints(
    binary: str,
    count: int,
    latency_ms: float,
    startup_s: float,
    *,
    null: bool = True,
    repeats: int = 1,
) -> dict[str, Any]:
    """The lifecycle with PULUMI_SKIP_CHECKPOINTS=true: the provider's, the floor program's and
    (with ``null``) the null provider's, side by side; per program and operation, the median of
    ``repeats`` lifecycles."""
    base = SequenceConfig(
        binary, count, latency_ms, rate_limit_rps=RATE_LIMIT_RPS, skip_checkpoints=True
    )
    others = [replace(base, floor=True)] + ([replace(base, null_provider=True)] if null else [])
    rounds = []
    for round_ in range(repeats):
        print(f"N={count}, PULUMI_SKIP_CHECKPOINTS=true, round {round_ + 1} of {repeats}")
        rounds.append(run_lockstep([base, *others]))
    thena, floor, *rest = (median_of([r[i] for r in rounds]) for i in range(len(others) + 1))
    return {
        "count": count,
        "repeats": repeats,
        "thena": report.derive(count, thena, rest[0] if rest else [], latency_ms, startup_s),
        "null": [m.to_json() for m in rest[0]] if rest else None,
        "floor": [m.to_json() for m in floor],
    }


def measure_cpu(iterations: int) -> dict[str, Any]:
    """CPU per check and diff call, check + diff sums, and a profile of the changed path."""
    per_call = cpu.measure(iterations)
    return {
        "iterations": iterations,
        "msPerCall": per_call,
        "checkPlusDiffMs": {
            "unchanged workflow": round(per_call[cpu.CHECK_SAME] + per_call[cpu.DIFF_SAME], 3),
            "one step changed": round(per_call[cpu.CHECK_CHANGED] + per_call[cpu.DIFF_CHANGED], 3),
        },
        "profile": cpu.profile(),
        "importMs": cpu.import_costs(),
    }


def _default_limiter(binary: str, latency_ms: float) -> dict[str, Any]:
    print("N=100 at the default rate limit")
    config = SequenceConfig(
        binary, 100, latency_ms, rate_limit_rps=None, operations=(INITIAL_UP, DESTROY)
    )
    return {"count": 100, "runs": [m.to_json() for m in run_sequence(config)]}


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "latencyMs": args.latency_ms,
        "rateLimitRps": RATE_LIMIT_RPS,
        "hostThreads": report.HOST_THREADS,
        "pageSize": 100,
        "teams": 1,
        "stepRange": f"{MIN_STEPS} to {MAX_STEPS}",
    }


def write(results: dict[str, Any], out: Path) -> None:
    """results.json and RESULTS.md into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "RESULTS.md").write_text(markdown.render(results))


if __name__ == "__main__":
    sys.exit(main())
