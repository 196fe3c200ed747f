"""What a query worker process may do: no network, bounded memory (Linux; elsewhere it does what it can).

A worker talks to the server over two pipes and reads the store from disk; it needs neither
sockets nor more than a bounded heap. Both limits are set by the worker on itself, before it
opens the store, and hold for everything pyoxigraph does in it:

* :func:`deny_network`: a seccomp filter (through libseccomp, :mod:`pyseccomp`) makes every later
  ``socket(AF_INET | AF_INET6, ...)`` fail with EACCES, so a query that got past
  :mod:`kg.graph.sparqlguard` still cannot connect anywhere;
* :func:`limit_memory`: ``RLIMIT_DATA`` caps the heap (the kernel counts ``brk`` and private
  writable mappings). An allocation past it fails and the Rust runtime aborts the process
  (SIGABRT), which the pool reports as a query that needed too much memory. ``RLIMIT_AS``
  cannot be used: it counts RocksDB's reserved and file mappings, which are not memory in use.
  The same call sets ``RLIMIT_CORE`` to 0: that abort is the limit working, and where core dumps
  are on (``ulimit -c unlimited``, as on some CI machines) the kernel would otherwise spend tens of
  seconds writing the worker's memory out before the pool learns that it ended. It also turns off
  the Rust runtime's panic backtraces (``RUST_BACKTRACE=0``, for this process only): at the cap a
  Python object pyoxigraph makes can fail to be allocated, pyo3 panics, and with ``RUST_BACKTRACE=1``
  (set on some machines) the panic hook reads debug symbols, whose allocation fails in turn, and the
  allocation-failure hook then waits for the lock the panic hook holds: the worker sleeps forever
  instead of aborting, and the query waits for the pool's time limit (10 runs in 30 on a busy
  machine, ``bench/stress_memory_cap.py``; docs/security.md).

Each returns one phrase saying what it did and never raises: where the system cannot do it the
worker runs without that limit (and the pool's time limit still holds).
"""

from __future__ import annotations

import errno
import os
import socket

#: The least and the most heap a query worker is given by default (RLIMIT_DATA), in MiB.
WORKER_MEMORY_RANGE_MB = (512, 2048)


def default_worker_memory_mb(physical_bytes: int | None = None) -> int:
    """The heap a query worker may use unless told (``kg serve --memory-mb``): an eighth of the machine's
    memory, at least 512 MiB and at most 2048 MiB (512 where the size cannot be read).

    A worker uses about 60 MiB for ordinary queries, but at 100,000 documents two saved queries hold
    hundreds of thousands of rows while they sort (entities-without-definition about 520 MiB,
    still-current-after-superseded about 1,230 MiB); the server runs ``workers`` + ``heavy_slots``
    workers at once, so the cap follows the memory there is.

    >>> default_worker_memory_mb(4 * 2**30), default_worker_memory_mb(8 * 2**30), default_worker_memory_mb(64 * 2**30)
    (512, 1024, 2048)
    """
    low, high = WORKER_MEMORY_RANGE_MB
    if physical_bytes is None:
        try:
            physical_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, OSError, ValueError):  # not a POSIX system, or the names are unknown
            return low
    return max(low, min(high, physical_bytes // 8 // 2**20))


#: The heap a query worker may use on this machine by default (:func:`default_worker_memory_mb`).
WORKER_MEMORY_MB = default_worker_memory_mb()


def deny_network() -> str:
    """Make every later ``socket(AF_INET | AF_INET6, ...)`` in this process fail with EACCES (seccomp)."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError) as exc:  # no package, or no libseccomp.so on this system
        return f"no seccomp filter ({type(exc).__name__}: {exc})"
    try:
        rules = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.load()
    except Exception as exc:  # noqa: BLE001 -- an old kernel or a container that forbids filters
        return f"no seccomp filter ({type(exc).__name__}: {exc})"
    return "seccomp: new IPv4/IPv6 sockets denied"


def limit_memory(megabytes: int = WORKER_MEMORY_MB) -> str:
    """Cap this process's heap at ``megabytes`` MiB (``RLIMIT_DATA``); past it an allocation fails."""
    try:
        import resource
    except ImportError:  # not a Unix system
        return "no memory limit (no resource module)"
    limit = int(megabytes) * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (OSError, ValueError) as exc:
        return f"no memory limit ({exc})"
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    except (OSError, ValueError):
        pass  # a core dump only delays the pool's noticing
    # read by the Rust runtime at its first panic (none yet): at the cap a backtrace would deadlock it
    os.environ["RUST_BACKTRACE"] = os.environ["RUST_LIB_BACKTRACE"] = "0"
    return f"heap limited to {limit // (1024 * 1024)} MiB"
