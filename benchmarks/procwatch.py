"""Peak memory and CPU of the dynamic-provider processes an engine operation starts (Linux /proc).

A thread polls /proc every 50 ms for descendants of the engine process whose command line holds
a marker (``pulumi.dynamic``: the host the engine starts through ``pulumi-resource-pulumi-python``).
For each it keeps ``VmHWM`` (the kernel's own high-water mark of resident memory, so a peak
between two polls is not missed) and the last ``utime + stime`` seen (CPU used up to the last
poll; at most one poll interval of work before exit goes uncounted). With ``api_port`` it also
records the local ports of the TCP connections each process holds to that port: how many
connections its HTTP pool opened (a connection opened and closed between two polls is missed).

It also keeps the CPU of every process of the operation, the engine's own included, by role
(``ROLES``): where an operation's time goes, as far as CPU shows it. And the CPU this process
spent meanwhile, less the watching thread's own (``EMULATOR``): the benchmark serves the API
from an emulator thread in this process, so that is the server's work, on the same two cores.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 0.05
_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")
ENGINE, PROGRAM, PROVIDER_HOST = "engine", "program", "provider host"
ROLES = (ENGINE, PROGRAM, PROVIDER_HOST)
"""The engine: the ``pulumi`` CLI and Pulumi's Go plugins (the language host); the program: the
Python process running ``stacks/__main__.py`` (reading files, the SDK's serialization); the
provider host: ``python -m pulumi.dynamic``, where check, diff and the CRUD calls run."""
EMULATOR = "emulator"
"""The CPU of the watching process itself, less the watching thread's: the emulator serving the
API there (the process's main thread only waits for the engine meanwhile)."""


def role_of(cmdline: str) -> str:
    """Which part of an operation a process is, from its command line."""
    if "pulumi.dynamic" in cmdline:
        return PROVIDER_HOST
    executable = os.path.basename(cmdline.split(" ", 1)[0])
    if executable.startswith("python") or "pulumi-language-python-exec" in cmdline:
        return PROGRAM
    return ENGINE


@dataclass
class _Seen:
    peak_kb: int = 0
    cpu_ticks: int = 0
    connections: set[int] = field(default_factory=set)


@dataclass
class ProcessWatch:
    """Watches the descendants of ``root_pid`` whose command line contains ``marker``."""

    root_pid: int
    marker: str = "pulumi.dynamic"
    api_port: int | None = None
    seen: dict[int, _Seen] = field(default_factory=dict)
    cpu_ticks: dict[int, tuple[str, int]] = field(default_factory=dict)
    """Every process of the operation (the root too): its role and its CPU as last seen."""

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._own_cpu = 0.0
        self._watching_cpu = 0.0

    def start(self) -> ProcessWatch:
        self._own_cpu = -_process_cpu()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._own_cpu += _process_cpu()

    def peak_rss_mb(self) -> float | None:
        """The highest peak RSS of any watched process, in MiB (None if none was seen)."""
        if not self.seen:
            return None
        return round(max(s.peak_kb for s in self.seen.values()) / 1024, 1)

    def cpu_seconds(self) -> float | None:
        """User + system CPU of all watched processes, as last seen."""
        if not self.seen:
            return None
        return round(sum(s.cpu_ticks for s in self.seen.values()) / _TICKS, 2)

    @property
    def processes(self) -> int:
        return len(self.seen)

    def connections(self) -> int | None:
        """TCP connections to ``api_port`` seen in any watched process, over the whole run."""
        if self.api_port is None or not self.seen:
            return None
        return sum(len(s.connections) for s in self.seen.values())

    def cpu_by_role(self) -> dict[str, float]:
        """User + system CPU seconds of the operation's processes, summed per role."""
        totals = dict.fromkeys(ROLES, 0)
        for role, ticks in self.cpu_ticks.values():
            totals[role] += ticks
        by_role = {role: round(ticks / _TICKS, 2) for role, ticks in totals.items()}
        by_role[EMULATOR] = round(max(0.0, self._own_cpu - self._watching_cpu), 2)
        return by_role

    def _poll(self) -> None:
        try:
            self._watch()
        finally:
            self._watching_cpu = time.thread_time()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            for pid in {self.root_pid, *_descendants(self.root_pid)}:
                cmdline = _cmdline(pid)
                if self.marker in cmdline:
                    self._sample(pid)
                ticks = _cpu_ticks(pid)
                if cmdline and ticks is not None:
                    previous = self.cpu_ticks.get(pid, ("", 0))[1]
                    self.cpu_ticks[pid] = (role_of(cmdline), max(previous, ticks))

    def _sample(self, pid: int) -> None:
        seen = self.seen.setdefault(pid, _Seen())
        status = _read(PROC / str(pid) / "status")
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                seen.peak_kb = max(seen.peak_kb, int(line.split()[1]))
        ticks = _cpu_ticks(pid)
        if ticks is not None:
            seen.cpu_ticks = max(seen.cpu_ticks, ticks)
        if self.api_port is not None:
            seen.connections |= _connections_to(pid, self.api_port)


def _process_cpu() -> float:
    times = os.times()
    return times.user + times.system


def cpu_seconds_of(pid: int) -> float | None:
    """utime + stime of a process so far, in seconds (None when it is gone)."""
    ticks = _cpu_ticks(pid)
    return None if ticks is None else ticks / _TICKS


def _cpu_ticks(pid: int) -> int | None:
    """utime + stime of a process, in clock ticks (None when it is gone)."""
    stat = _read(PROC / str(pid) / "stat")
    if not stat:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _read(entry / "stat")
            if stat:
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _connections_to(pid: int, port: int) -> set[int]:
    """Local ports of the process's TCP sockets whose remote port is ``port``."""
    try:
        links = [os.readlink(fd) for fd in (PROC / str(pid) / "fd").iterdir()]
    except OSError:
        return set()
    inodes = {link[8:-1] for link in links if link.startswith("socket:[")}
    found = set()
    for table in ("tcp", "tcp6"):
        for line in _read(PROC / str(pid) / "net" / table).splitlines()[1:]:
            cols = line.split()
            local, remote, inode = cols[1], cols[2], cols[9]
            if inode in inodes and int(remote.rsplit(":", 1)[1], 16) == port:
                found.add(int(local.rsplit(":", 1)[1], 16))
    return found


def _cmdline(pid: int) -> str:
    return _read(PROC / str(pid) / "cmdline").replace("\0", " ")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process ended between listing and reading
        return ""
