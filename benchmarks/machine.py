"""A description of the machine a benchmark ran on: CPU, cores, memory, Python, Pulumi, load."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any


def describe(pulumi_binary: str) -> dict[str, Any]:
    """CPU model, cores, memory, Python, pulumi CLI and SDK versions, date and load average."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memoryGiB": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pulumiCli": _pulumi_version(pulumi_binary),
        "pulumiSdk": version("pulumi"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadAverageAtStart": load_average(),
    }


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine skews wall times)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _pulumi_version(binary: str) -> str:
    done = subprocess.run([binary, "version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "unknown"
