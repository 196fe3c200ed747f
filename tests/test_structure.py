"""The shape of the package: small modules, no import cycle, a cheap ``import kg``, a public API that resolves.

The import graph is read from the source with :mod:`ast`, not by importing: an edge is an import
that runs when the module is loaded (at module level, in a class body, or under a plain ``if`` or
``try``), so imports inside functions and under ``if TYPE_CHECKING:`` are left out.
"""

from __future__ import annotations

import ast
import graphlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg

PACKAGE = Path(kg.__file__).resolve().parent
MAX_LINES = 600
HEAVY = ("pyoxigraph", "rdflib", "pyshacl", "networkx")


def modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the package (vendored assets hold no Python)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _load_time_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements among ``body`` that run when the module is loaded."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                found += _load_time_imports(node.body)
            found += _load_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                found += _load_time_imports(block)
        elif isinstance(node, ast.With | ast.ClassDef):
            found += _load_time_imports(node.body)
    return found


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports at load time."""
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _load_time_imports(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:  # relative: from . import x, from ..graph import store
            anchor = name.split(".") if is_package else name.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:  # from kg.graph import store imports the module kg.graph.store
            targets.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in targets if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported_modules(name, path, set(found)) for name, path in found.items()}


def test_the_import_graph_sees_the_package():
    """The reader of imports finds real edges (so an empty graph cannot pass the cycle test)."""
    graph = import_graph()
    assert "kg.graph.store" in graph["kg.ingest.flow"]
    assert "kg.errors" in graph["kg.cli"]
    assert graph["kg"] == set(), "kg/__init__.py imports its names lazily, under TYPE_CHECKING only"


def test_imports_in_functions_and_type_checking_blocks_are_not_edges(tmp_path):
    source = tmp_path / "pkg" / "a.py"
    source.parent.mkdir()
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import pkg.b\n"
        "if TYPE_CHECKING:\n    from pkg import c\n"
        "def later():\n    import pkg.d\n"
        "try:\n    from . import e\nexcept ImportError:\n    pass\n"
    )
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.e"}
    assert imported_modules("pkg.a", source, known) == {"pkg.b", "pkg.e"}


def test_no_import_cycle_among_kg_modules():
    try:
        order = list(graphlib.TopologicalSorter(import_graph()).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        pytest.fail("import cycle: " + " → ".join(cycle))
    assert set(order) == set(modules())


def test_cycle_finder_reports_a_cycle():
    with pytest.raises(graphlib.CycleError):
        list(graphlib.TopologicalSorter({"a": {"b"}, "b": {"c"}, "c": {"a"}}).static_order())


def test_no_module_over_600_lines():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    over = {name: count for name, count in lengths.items() if count > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines: {over}"


def test_import_kg_loads_no_rdf_or_graph_library():
    """``import kg`` in a fresh interpreter stays cheap: the heavy libraries load on first use of a name."""
    probe = "import json, sys, kg; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert "kg" in loaded
    assert not loaded & set(HEAVY), f"import kg loaded {sorted(loaded & set(HEAVY))}"


@pytest.mark.parametrize("name", kg.__all__)
def test_every_public_name_resolves(name):
    value = getattr(kg, name)
    assert not isinstance(value, type(kg)), f"kg.{name} is a module, not the function or class it should be"
    assert getattr(value, "__name__", name) == name
