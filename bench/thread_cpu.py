"""Processor time of a command and its descendants, by process role and thread name, read from ``/proc``.

    python bench/thread_cpu.py -- .venv/bin/kg ingest --jobs 2 --store /tmp/s CORPUS

Runs the command and every 0.2 s reads ``/proc/PID/task/TID/stat`` of it and of every process under it,
keeping each thread's last user and system time; prints them summed by role (``parent``: the ``kg
ingest`` process, ``worker``: a multiprocessing child, ``other``) and thread name, with digits folded
(RocksDB's compaction threads are ``rocksdb:low``; Python threads carry their process's name). That
tells the store's background compaction from the bulk load and the run itself, which ``/usr/bin/time``
adds up. A thread that ends between two readings loses up to 0.2 s (the writer's per-batch threads
are short: their sum is a floor), so compare runs of the same kind. Linux only.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    found = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split():
                found += descendants(int(child))
    except OSError:
        pass
    return found


def role(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if "spawn_main" in command:
        return "worker"
    return "parent" if " ingest" in command else "other"


def sample(root: int, last: dict[tuple[int, int], tuple[str, str, float, float]]) -> None:
    for pid in descendants(root):
        kind = role(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                stat = Path(f"/proc/{pid}/task/{task}/stat").read_text()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            last[(pid, int(task))] = (kind, re.sub(r"\d+", "N", name), int(fields[11]) / TICK, int(fields[12]) / TICK)


def main(argv: list[str]) -> int:
    command = argv[1:] if argv[:1] == ["--"] else argv
    if not command:
        print(__doc__)
        return 2
    last: dict[tuple[int, int], tuple[str, str, float, float]] = {}
    start = time.monotonic()
    process = subprocess.Popen(command)
    while process.poll() is None:
        sample(process.pid, last)
        time.sleep(0.2)
    wall = time.monotonic() - start
    totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for kind, name, user, system in last.values():
        entry = totals[(kind, name)]
        entry[0], entry[1], entry[2] = entry[0] + user, entry[1] + system, entry[2] + 1
    print(f"\nwall {wall:.1f} s; load average {os.getloadavg()[0]:.2f} at the end")
    print(f"{'role':<7} {'thread':<20} {'user s':>8} {'sys s':>7} {'cpu s':>8} {'threads':>8}")
    for (kind, name), (user, system, count) in sorted(totals.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
        print(f"{kind:<7} {name:<20} {user:8.2f} {system:7.2f} {user + system:8.2f} {count:8.0f}")
    print(f"total cpu {sum(u + s for u, s, _ in totals.values()):.2f} s")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
