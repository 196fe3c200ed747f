"""The limits a worker sets on itself (kg/graph/sandbox.py), read back in a real process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = """
import ctypes, resource
from kg.graph.sandbox import limit_memory
print(limit_memory(300))
libc = ctypes.CDLL(None)
libc.getenv.restype = ctypes.c_char_p
print(libc.getenv(b"RUST_BACKTRACE").decode(), libc.getenv(b"RUST_LIB_BACKTRACE").decode())
print(resource.getrlimit(resource.RLIMIT_DATA)[0] // 2**20, resource.getrlimit(resource.RLIMIT_CORE)[0])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the heap cap is set where RLIMIT_DATA exists")
def test_a_capped_process_has_no_core_dumps_and_no_rust_backtraces():
    # what the Rust runtime reads at its first panic is the C environment: it must say 0 even where the
    # machine asks for backtraces, which at the heap cap deadlocked a worker instead of letting it abort
    environment = {**os.environ, "RUST_BACKTRACE": "1", "RUST_LIB_BACKTRACE": "full"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True)
    said, backtraces, limits = done.stdout.splitlines()
    assert said == "heap limited to 300 MiB"
    assert backtraces == "0 0"
    assert limits == "300 0"
