"""Turn measurements into results.json and the RESULTS.md tables (floors, bounds, targets)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from benchmarks import floors
from benchmarks.project import Measurement

HOST_THREADS = 4
"""The dynamic-provider host serves four calls at a time (pulumi.dynamic's thread pool)."""
TIME_FACTOR = 1.3
WALL_TARGETS_AT = 500
WALL_TARGETS = {floors.NOOP_PREVIEW: 9.0, floors.EDIT_UP: 12.0, floors.INITIAL_UP: 25.0}
"""Seconds at N = 500 with the pipeline's settings (no checkpoints from 100 workflows on)."""

_SHORT = {
    floors.LIST: "list",
    floors.CREATE: "create",
    floors.PATCH: "PATCH",
    floors.TOGGLE: "toggle",
    floors.DELETE: "delete",
    floors.GET: "get",
    floors.EVENTS: "events",
    floors.ACTIVITIES: "activities",
    floors.OPERATORS: "operators",
}


def short_calls(calls: Mapping[str, int]) -> str:
    """``create 100, list 1, events 1`` — routes by short name, writes first; ``0`` if none."""
    order = [*floors.WRITES, floors.LIST, floors.GET, *floors.REGISTRY]
    ranked = sorted(calls, key=lambda r: (order.index(r) if r in order else len(order), r))
    return ", ".join(f"{_SHORT.get(r, r)} {calls[r]}" for r in ranked if calls[r]) or "0"


def bound_seconds(total_calls: int, latency_ms: float) -> float:
    """Waiting on the API alone, four calls at a time: calls x latency / 4."""
    return total_calls * latency_ms / 1000 / HOST_THREADS


def derive(
    count: int,
    thena: Iterable[Measurement],
    null: Iterable[Measurement],
    latency_ms: float,
    startup_s: float = 0.0,
) -> list[dict[str, Any]]:
    """Each provider measurement with its floor, time bound, engine overhead and target check.

    The time limit: the engine's own time (the null provider's), plus the provider's start-up
    (``startup_s``), plus 1.3 x the latency bound.
    """
    engine = {m.operation: m for m in null}
    rows = []
    for measured in thena:
        floor = floors.floor(measured.operation, count)
        bound = bound_seconds(measured.total_calls, latency_ms)
        overhead = engine[measured.operation].seconds if measured.operation in engine else None
        limit = TIME_FACTOR * bound + overhead + startup_s if overhead is not None else None
        rows.append(
            {
                **measured.to_json(),
                "floor": floor,
                "floorTotal": sum(floor.values()),
                "overFloor": _over(measured.calls, floor),
                "boundSeconds": round(bound, 3),
                "nullSeconds": overhead,
                "startupSeconds": round(startup_s, 3),
                "timeLimitSeconds": round(limit, 3) if limit is not None else None,
                "withinTimeLimit": measured.seconds <= limit if limit is not None else None,
                "nullPeakRssMb": _null_value(engine, measured, "provider_peak_rss_mb"),
                "nullCpuSeconds": _null_value(engine, measured, "provider_cpu_seconds"),
                "targetProblems": floors.target_problems(measured.operation, count, measured.calls),
            }
        )
    return rows


def _over(calls: Mapping[str, int], floor: Mapping[str, int]) -> dict[str, int]:
    extra = {route: n - floor.get(route, 0) for route, n in calls.items()}
    return {route: n for route, n in extra.items() if n}


def _null_value(engine: Mapping[str, Measurement], measured: Measurement, name: str) -> Any:
    other = engine.get(measured.operation)
    return getattr(other, name) if other is not None else None


def missed_targets(results: Mapping[str, Any]) -> list[str]:
    """Every target not met, one line each (call counts, wall time, CPU)."""
    missed = []
    runs = [(size, "") for size in results["sizes"]]
    if results.get("skipCheckpoints"):
        runs.append((results["skipCheckpoints"], ", PULUMI_SKIP_CHECKPOINTS=true"))
    for size, label in runs:
        for row in size["thena"]:
            missed += _row_misses(row, f"N={size['count']} {row['operation']}{label}")
    missed += _wall_target_misses(results.get("skipCheckpoints"))
    cpu = results.get("cpu")
    if cpu:
        for case, ms in cpu["checkPlusDiffMs"].items():
            if ms >= 2.0:
                missed.append(f"check+diff of a 30-step workflow, {case}: {ms:.2f} ms >= 2 ms")
    return missed


def _wall_target_misses(data: Mapping[str, Any] | None) -> list[str]:
    """The wall-time targets at N = 500, each with the floor program's time beside it."""
    if not data or data["count"] != WALL_TARGETS_AT:
        return []
    floor = {row["operation"]: row["seconds"] for row in data.get("floor") or []}
    missed = []
    for row in data["thena"]:
        target = WALL_TARGETS.get(row["operation"])
        if target is not None and row["seconds"] >= target:
            beside = (
                f"; the floor program takes {floor[row['operation']]:.1f} s"
                if row["operation"] in floor
                else ""
            )
            missed.append(
                f"N={data['count']} {row['operation']}, PULUMI_SKIP_CHECKPOINTS=true: "
                f"{row['seconds']:.1f} s >= the {target:.0f} s target{beside}"
            )
    return missed


def _row_misses(row: Mapping[str, Any], where: str) -> list[str]:
    missed = [f"{where}: {problem}" for problem in row["targetProblems"]]
    if row["withinTimeLimit"] is False:
        missed.append(
            f"{where}: {row['seconds']:.1f} s > {row['timeLimitSeconds']:.1f} s "
            f"(1.3 x {row['boundSeconds']:.2f} s bound + {row['nullSeconds']:.1f} s engine + "
            f"{row.get('startupSeconds', 0):.2f} s provider start-up)"
        )
    return missed


def provider_overhead(results: Mapping[str, Any]) -> dict[str, Any] | None:
    """The provider process's CPU beyond the null provider's: a no-op preview and a refresh.

    The no-op preview takes the unchanged path (no models, no client); the refresh reads and
    projects back every workflow, the full path. At the smallest N nearly all of the difference
    is start-up (imports); what the largest N adds on top of it, divided by N, is the cost per
    resource.
    """
    sizes = results["sizes"]
    if len(sizes) < 2:
        return None
    smallest, largest = sizes[0], sizes[-1]
    overhead = {}
    for operation in (floors.NOOP_PREVIEW, floors.REFRESH):
        fixed = _extra_cpu(smallest, operation)
        per_resource = (_extra_cpu(largest, operation) - fixed) / largest["count"]
        overhead[operation] = {
            "fixedCpuSeconds": round(fixed, 2),
            "fixedAtN": smallest["count"],
            "perResourceCpuMs": round(per_resource * 1000, 2),
            "perResourceAtN": largest["count"],
        }
    return overhead


def _extra_cpu(size: Mapping[str, Any], operation: str) -> float:
    row = next(r for r in size["thena"] if r["operation"] == operation)
    return float(row["providerCpuSeconds"] - row["nullCpuSeconds"])
