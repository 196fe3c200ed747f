"""Faults: ``kg ingest`` killed (SIGKILL) at spread moments while it adds and rewrites documents.

After each kill the store opens, validates, holds every document graph complete (as one of the clean
runs' graphs for that document) or not at all, its entities' document counts agree with the documents
unless its marker says that they are still to be counted again (kg.graph.mentioncounts), and the search index agrees with the store (but for the
documents its journal names as in flight, which the next ingest reconciles); a final ingest converges to
exactly the N-Quads of a clean run. A second writer gets one sentence.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from rdflib.namespace import SH

from kg import Store
from kg.graph import mentioncounts
from kg.graph.search import SearchIndex
from kg.graph.validate import validate

KILLS = 20
KGSHAPE = "https://w3id.org/nhs-policy-kg/shapes#"
DOCUMENTS = 240
NAMES = ["integrated care systems (ICSs)", "NHS England", "accountable care organisations", "the King's Fund",
         "sustainability and transformation partnerships", "primary care networks", "NHS Improvement"]  # fmt: skip


def _corpus(folder: Path, version: int) -> None:
    """Version 0 and 1 of a generated corpus: 1 rewrites a third of the files, drops some, adds others."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for i in range(DOCUMENTS):
        if version == 1 and i % 11 == 0:
            continue  # a file gone
        edited = version == 1 and i % 3 == 0
        a, b = NAMES[i % len(NAMES)], NAMES[(i * 3 + 1) % len(NAMES)]
        text = f"Briefing number {i}\n\n{a.capitalize()} worked with {b} in {2015 + i % 9}."
        if edited:
            text += f" Later {b} replaced part of the work of {NAMES[(i + 2) % len(NAMES)]}."
        (folder / f"doc-{i:04d}.txt").write_text(text + "\n", encoding="utf-8")
    if version == 1:
        for i in range(DOCUMENTS, DOCUMENTS + 25):
            (folder / f"doc-{i:04d}.txt").write_text(f"Added briefing {i}\n\nNHS England on ICSs.\n", encoding="utf-8")


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def _graphs(store: Store) -> dict[str, frozenset[str]]:
    graphs: dict[str, set[str]] = {}
    for q in store.oxigraph:
        if q.graph_name.__class__.__name__ == "NamedNode" and not q.predicate.value.endswith("endedAtTime"):
            graphs.setdefault(q.graph_name.value, set()).add(str(q))
    return {g: frozenset(quads) for g, quads in graphs.items()}


def _nquads(store: Store) -> list[str]:
    return sorted(str(q) for q in store.oxigraph if not q.predicate.value.endswith("endedAtTime"))


def _shapes_violated(report) -> set[str]:
    return {str(shape) for shape in report.graph.objects(None, SH.sourceShape)}


def _check(location: Path, clean: list[dict[str, frozenset[str]]]) -> None:
    with Store(location) as store:
        # a run killed between its first batch and its count leaves the marker, and counts that may lag the
        # documents (the next writer counts every entity again): then only the counts may disagree
        lagging = mentioncounts.is_pending(store)
        counts = mentioncounts.counts_graph(store.base).value
        report = validate(store)
        if lagging:
            counts_shapes = {KGSHAPE + "MentionCountShape", KGSHAPE + "MentionCountPropertyShape"}
            assert _shapes_violated(report) <= counts_shapes, report.text
        else:
            assert report.conforms, report.text
        for graph, quads in _graphs(store).items():
            if graph == counts and lagging:
                continue
            assert any(quads == run.get(graph) for run in clean), f"graph {graph} is not any clean run's"
        stored = store.content_hashes()
    with SearchIndex(location) as index:
        in_flight = set(index.pending())
        indexed = index.documents()
    disagree = {iri for iri in set(stored) | set(indexed) if stored.get(iri, "-") != indexed.get(iri, "-")}
    # a document in the store and not yet indexed is one whose batch had not reached the index; the journal
    # names every document whose row is ahead of or behind the store
    assert disagree <= in_flight | (set(stored) - set(indexed)), disagree - in_flight


def test_twenty_kills_leave_every_document_whole_and_a_last_ingest_converges(tmp_path):
    corpus, env = tmp_path / "corpus", {**os.environ, "KG_STORE": ""}
    clean: list[dict[str, frozenset[str]]] = []
    clean_nquads = []
    durations = []
    for version in (0, 1):
        _corpus(corpus, version)
        start = time.monotonic()
        subprocess.run(_kg("ingest", str(corpus), "--store", str(tmp_path / f"clean{version}"), "-j", "2"),
                       env=env, capture_output=True, check=False)  # fmt: skip
        durations.append(time.monotonic() - start)
        with Store(tmp_path / f"clean{version}") as store:
            clean.append(_graphs(store))
            clean_nquads.append(_nquads(store))
    documents = [sum("/doc/" in g for g in run) for run in clean]
    assert documents[0] == DOCUMENTS and documents[1] > DOCUMENTS, documents
    # the killed runs re-ingest over a store that holds the other version, which skips the unchanged
    # documents' writes: their length, measured on a copy, spreads the kills (a clean run is longer)
    scratch = tmp_path / "scratch"
    shutil.copytree(tmp_path / "clean0", scratch)
    for version in (1, 0):
        _corpus(corpus, version)
        start = time.monotonic()
        subprocess.run(_kg("ingest", str(corpus), "--store", str(scratch), "-j", "2"), env=env,
                       capture_output=True, check=False)  # fmt: skip
        durations.append(time.monotonic() - start)
    location = tmp_path / "store"
    span = min(durations)
    killed = 0
    for k in range(KILLS):
        _corpus(corpus, k % 2)
        process = subprocess.Popen(
            _kg("ingest", str(corpus), "--store", str(location), "-j", "2"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(span * (0.1 + 0.85 * ((k * 7) % KILLS) / KILLS))  # spread over the run
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        if location.exists() and (location / "CURRENT").exists():
            _check(location, clean)
    assert killed >= KILLS * 3 // 4, f"only {killed} of {KILLS} runs were still running when killed"
    _corpus(corpus, 1)
    second, final_err = None, ""
    final = subprocess.Popen(_kg("ingest", str(corpus), "--store", str(location), "-j", "2"),
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        time.sleep(0.5)
        if final.poll() is None:  # two writers: the second gets one sentence
            second = subprocess.run(_kg("ingest", str(corpus), "--store", str(location)),
                                    env=env, capture_output=True, text=True)  # fmt: skip
    finally:
        _, final_err = final.communicate()  # reads stderr as it comes: a full pipe would stop the ingest
    if second is None:
        assert final.returncode == 0, final_err
    else:  # whichever opened the store first ingests; the other gets one sentence (on a busy machine, either)
        runs = sorted([(final.returncode, final_err), (second.returncode, second.stderr)])
        assert [code for code, _ in runs] == [0, 2], runs
        refused = runs[1][1]
        assert "in use by another kg process" in refused, refused
        assert "Traceback" not in refused and len(refused.strip().splitlines()) == 1
    with Store(location) as store:
        assert _nquads(store) == clean_nquads[1]
        stored = store.content_hashes()
    with SearchIndex(location) as index:
        assert index.documents() == stored and not index.pending()
