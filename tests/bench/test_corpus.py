"""The synthetic benchmark corpus: deterministic, shaped like our documents, read by the real pipeline."""

from __future__ import annotations

import statistics
import subprocess
import sys

from bench.corpus import generate
from kg.ingest.parse import parse
from kg.ingest.sources import iter_sources
from tests.conftest import ROOT


def test_same_seed_same_bytes_and_prefix_stable(tmp_path):
    first = list(generate(60, seed=7))
    assert first == list(generate(60, seed=7))
    assert first[:20] == list(generate(20, seed=7))  # document i depends on the seed and i only
    assert first != list(generate(60, seed=8))
    assert len({text for _, text in first}) == 60
    for name, text in first:
        assert 1900 <= len(text.encode("utf-8")) <= 4200, name


def test_command_writes_sharded_folders_byte_identical(tmp_path):
    runs = []
    for folder in ("a", "b"):
        out = tmp_path / folder
        command = [sys.executable, str(ROOT / "bench" / "corpus.py"), "--docs", "25", "--seed", "3"]
        done = subprocess.run(
            [*command, "--per-folder", "10", str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "wrote 25 documents" in done.stdout
        runs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.txt"))})
    assert runs[0] == runs[1]
    assert sorted({p.parts[0] for p in runs[0]}) == ["0000", "0001", "0002"]
    assert sum(1 for p in runs[0] if p.parts[0] == "0000") == 10
    assert {p.name: t.decode() for p, t in runs[0].items()} == {
        name.split("/")[1]: text for name, text in generate(25, seed=3)
    }


def test_documents_parse_with_titles_dates_mentions_and_relations(tmp_path, pipeline):
    for name, text in generate(40, seed=1):
        (tmp_path / name.replace("/", "-")).write_text(text, encoding="utf-8")
    mentions, relations, kinds = [], [], set()
    for source in iter_sources([tmp_path]):
        documents = parse(source)  # type: ignore[arg-type]
        assert len(documents) == 1, source
        document = documents[0]
        assert document.title and "(no. " in document.title
        assert document.issued is not None
        kinds.add(document.kind)
        found = pipeline.extract(document)
        mentions.append(len(found.mentions))
        relations.append(len(found.relations))
    # the generator's three shapes; a title's words may make a plain document a report or guidance
    assert (
        {"PolicyBriefing", "NewsItem", "Document"}
        <= kinds
        <= {"PolicyBriefing", "NewsItem", "Document", "Report", "Guidance", "Contract"}
    )
    assert 28 <= statistics.mean(mentions) <= 42
    assert 4.5 <= statistics.mean(relations) <= 7.5
    assert min(relations) >= 2
