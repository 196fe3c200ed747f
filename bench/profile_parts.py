"""Where an ingest's time goes: a py-spy profile of ``kg ingest`` summed by part, for the parent and its workers.

    pip install py-spy --target /tmp/pyspy
    PYTHONPATH=/tmp/pyspy /tmp/pyspy/bin/py-spy record --subprocesses --idle -r 200 -f raw -o prof.txt \\
        -- .venv/bin/kg ingest --jobs 2 --store /tmp/s CORPUS
    python bench/profile_parts.py prof.txt --rate 200 --docs 1000

Each sample (one stack of one thread, ``-f raw``) goes to the part of the first rule of
``bench/ingest_parts.toml`` that names one of its frames, looking from the innermost frame outwards, so a
regex compiled inside the extractor counts as the compile, not as the extraction. Samples no rule names are
``other``. With ``--idle`` py-spy also samples blocked threads: the parts marked ``wait`` are that time
(wall, no CPU). Prints seconds and milliseconds per document of each part in the parent (``kg``) and in the
workers (summed over them), and the wall and CPU totals of each side.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections import Counter
from pathlib import Path

RULES = Path(__file__).with_name("ingest_parts.toml")
_PROCESS = re.compile(r'process (\d+):"')
_FRAME = re.compile(r"^(.*) \(([^:]*)(?::\d+)?\)$")


def parts(path: Path = RULES) -> list[dict]:
    return list(tomllib.loads(path.read_text(encoding="utf-8"))["part"])


def split(line: str) -> tuple[str, str, list[str], int] | None:
    """A raw line → (pid, command line, frames outermost first as "Function file", count)."""
    stack, _, count = line.rstrip("\n").rpartition(" ")
    heads = list(_PROCESS.finditer(stack))
    if not heads or not count.isdigit():
        return None
    last = heads[-1]
    end = stack.find('";', last.end())
    command, rest = stack[last.end() : end], stack[end + 2 :]
    frames = []
    for frame in rest.split(";"):
        found = _FRAME.match(frame)
        frames.append(f"{found.group(1)} {found.group(2)}" if found else frame)
    return last.group(1), command, frames, int(count)


def side(command: str, frames: list[str]) -> str | None:
    if "resource_tracker" in command:
        return None  # multiprocessing's helper: asleep throughout
    return "workers" if "spawn_main" in command else "parent"


def classify(frames: list[str], rules: list[dict]) -> tuple[str, bool]:
    for frame in reversed(frames):
        for rule in rules:
            if any(frame.startswith(name) or f" {name}" in f" {frame}" for name in rule["frames"]):
                return rule["name"], bool(rule.get("wait", False))
    return "other", False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path, help="py-spy record -f raw output")
    parser.add_argument("--rate", type=float, default=100.0, help="py-spy's sampling rate (-r), per second")
    parser.add_argument("--docs", type=int, default=1000, help="documents ingested, for ms per document")
    parser.add_argument("--rules", type=Path, default=RULES)
    args = parser.parse_args(argv)
    rules = parts(args.rules)
    seconds: dict[str, Counter[str]] = {"parent": Counter(), "workers": Counter()}
    waits: set[str] = set()
    workers: set[str] = set()
    for line in args.profile.open(encoding="utf-8", errors="replace"):
        found = split(line)
        if found is None:
            continue
        pid, command, frames, count = found
        where = side(command, frames)
        if where is None:
            continue
        if where == "workers":
            workers.add(pid)
        name, wait = classify(frames, rules)
        if wait:
            waits.add(name)
        seconds[where][name] += count / args.rate
    print(f"{args.docs} documents, {len(workers)} worker processes; s and ms per document\n")
    print(f"{'part':<42} {'parent s':>9} {'ms/doc':>7} {'workers s':>10} {'ms/doc':>7}")
    names = sorted(set(seconds["parent"]) | set(seconds["workers"]), key=lambda n: (n in waits, -sum(
        seconds[s][n] for s in seconds)))  # fmt: skip
    for name in names:
        p, w = seconds["parent"][name], seconds["workers"][name]
        mark = " (wait)" if name in waits else ""
        print(f"{(name + mark)[:42]:<42} {p:9.2f} {p * 1000 / args.docs:7.2f} {w:10.2f} {w * 1000 / args.docs:7.2f}")
    for where in ("parent", "workers"):
        wall = sum(seconds[where].values())
        cpu = sum(v for k, v in seconds[where].items() if k not in waits)
        print(f"{where}: {wall:.2f} s sampled (thread-seconds), {cpu:.2f} s of it not waiting")
    return 0


if __name__ == "__main__":
    sys.exit(main())
