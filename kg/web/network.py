"""The map's network as files for graph tools: GraphML, GEXF and CSV node and edge lists, written as a stream.

The network is the one the map draws (:func:`kg.web.mapview.graph_of`):
documents, the entities they mention, their publishers, and the mentions,
publishers and relations between them. Every node carries its IRI, label
and type; every edge its predicate, label and evidence count (how many
places or quoted sentences in documents back it). Gephi, Cytoscape, yEd
and networkx read these files as they are.

The map holds its whole graph in memory; an export of 100,000 documents
(some 3.5 million mention edges) cannot. So the network is read here from
the store in pieces that do not grow with it:

* the entities (a few thousand, however many documents) and the documents'
  titles, types, dates and publishers, kept as one small record each;
* the relation statements the map draws, counted (not kept) in one pass;
* the mentions, read for :data:`BATCH` documents at a time and written out
  as edges at once, to a file beside the export, while each node's degree
  and mention count are counted;
* then the nodes, with those counts, and the edges copied after them.

What is kept grows with the number of nodes (a record and two counts
each), never with the edges. ``tests/web/test_exports_for_tools.py``
checks the files against the map's own graph of the same store, node for
node and edge for edge.

* GraphML (``.graphml``) and GEXF 1.2 (``.gexf``), one file each.
* CSV is two files beside the name given: ``NAME-nodes.csv`` (``Id``,
  ``Label``, then the attributes) and ``NAME-edges.csv`` (``Source``,
  ``Target``, ``Type``, then the attributes), the column names Gephi's
  spreadsheet import expects.

Each file is written to ``NAME.part`` and renamed when complete: an export
that fails leaves no half-written file.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from kg.errors import UsageError
from kg.graph import namespaces as ns
from kg.graph import predicates, rq
from kg.graph.evidence import parse_span
from kg.graph.namespaces import local_name
from kg.graph.query import stream_rows
from kg.graph.store import Store
from kg.graph.terms import NamedNode, Term

#: format name -> file ending
NETWORK_FORMATS = {"graphml": "graphml", "gexf": "gexf", "csv": "csv"}

#: node attributes written, in column order: (name, GraphML/GEXF type)
NODE_FIELDS = (
    ("iri", "string"),
    ("label", "string"),
    ("type", "string"),
    ("type_label", "string"),
    ("document", "boolean"),
    ("issued", "string"),
    ("publisher", "string"),
    ("mentions", "long"),
    ("degree", "long"),
)
#: edge attributes written, in column order
EDGE_FIELDS = (("predicate", "string"), ("label", "string"), ("evidence", "long"))

#: documents whose mentions are read in one query
BATCH = 200

_KG = ns.ONTOLOGY
_MENTIONS = ns.SCHEMA + "mentions"
_PUBLISHER = ns.DCTERMS + "publisher"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


# ------------------------------------------------------------------ what is read


@dataclass
class Node:
    """One node of the network; ``mentions`` and ``degree`` are counted as its edges are written."""

    iri: str
    label: str
    type: str
    type_label: str
    document: bool
    issued: str = ""
    publisher: str = ""
    mentions: int = 0
    degree: int = 0

    def values(self) -> list[str | int | bool]:
        return [getattr(self, name) for name, _ in NODE_FIELDS]


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    predicate: str  #: the predicate's local name, as the map keys its edges
    label: str
    evidence: int

    def values(self) -> list[str | int]:
        return [self.predicate, self.label, self.evidence]


@dataclass(slots=True)
class _Document:
    title: str = ""
    types: set[str] = field(default_factory=set)
    issued: str = ""
    publishers: list[str] = field(default_factory=list)


def _text(term: Term | None) -> str:
    return "" if term is None else term.value


def _iri(term: Term | None) -> str:
    """An IRI's text, one copy however many rows name it."""
    return "" if term is None else sys.intern(term.value)


class _Network:
    """The nodes of a store's network and its edges, read as described in the module's text."""

    def __init__(self, store: Store) -> None:
        from kg.web.mapview import styles

        self.store = store
        self.types: dict[str, dict] = styles()["types"]  # the map's node types: styles.json
        self.on_map = predicates.map_relations()
        self.entities: dict[str, tuple[str, str]] = {}  # IRI -> (label, type)
        self.vocabulary_links: list[tuple[str, str, str]] = []  # (s, p, o) of the vocabulary graphs: a few hundred
        self.documents = self._documents()
        self._entities(self.vocabulary_links)
        self.counted = self._counted()
        # a relation drawn between a document and what it mentions or is published by, under the same name,
        # takes the place of that edge (as on the map): none unless a mapped predicate is named so
        self.instead = self._stated(named={local_name(_MENTIONS), local_name(_PUBLISHER)})
        self.replaced: set[tuple[str, str, str]] = set()
        self.labels: dict[str, str] = {}
        self.nodes: dict[str, Node] = {}

    def _documents(self) -> dict[str, _Document]:
        documents: dict[str, _Document] = {}
        for d, p, o in stream_rows(self.store, rq.text("site-documents")):
            doc = documents.setdefault(_iri(d), _Document())
            predicate, value = _text(p), _text(o)
            if predicate == ns.RDF + "type":
                if value.startswith(_KG):
                    doc.types.add(sys.intern(local_name(value)))
            elif predicate == ns.DCTERMS + "title":
                doc.title = doc.title or value
            elif predicate == ns.DCTERMS + "issued":
                doc.issued = value
            elif predicate == _PUBLISHER:
                doc.publishers.append(sys.intern(value))
        for doc in documents.values():
            doc.publishers.sort()
        return documents

    def _entities(self, vocabulary_links: list[tuple[str, str, str]]) -> None:
        """The entities' labels and map types, and the vocabulary's links the map draws (read as the site
        reads them, :func:`kg.web.reading.entity_rows`)."""
        from kg.web.reading import PREF_LABEL, entity_rows, preferred_label

        names: dict[str, list[tuple[Term | None, str]]] = {}
        types: dict[str, set[str]] = {}
        for e, p, o, g in entity_rows(self.store, fields=[ns.RDF + "type"], links=sorted(self.on_map)):
            iri, value = _iri(e), _text(o)
            if p == PREF_LABEL:
                names.setdefault(iri, []).append((o, value))
            elif p == ns.RDF + "type":
                if value.startswith(_KG) and value != _KG + "PolicyEntity":
                    types.setdefault(iri, set()).add(sys.intern(local_name(value)))
            elif isinstance(o, NamedNode) and _text(g) not in self.documents:
                vocabulary_links.append((iri, sys.intern(p), _iri(o)))
        for iri, labels in names.items():
            self.entities[iri] = (preferred_label(iri, labels), self._kind(types.get(iri, set()), "Concept"))

    def _counted(self) -> Counter[tuple[str, str, str]]:
        """How many statements found in documents back each relation the map draws between two IRIs
        (publishers are counted a batch of documents at a time, :meth:`_published`)."""
        counted: Counter[tuple[str, str, str]] = Counter()
        for d, s, p, o in stream_rows(self.store, rq.text("network-statements", p=list(self.on_map))):
            if isinstance(s, NamedNode) and isinstance(o, NamedNode) and _text(d) in self.documents:
                counted[(_iri(s), _iri(p), _iri(o))] += 1
        return counted

    def _stated(self, named: set[str] | None = None) -> dict[tuple[str, str, str], tuple[str, int]]:
        """The relations drawn after the documents' edges: (source, name, target) -> (predicate, evidence);
        of two predicates of one name between the same nodes, the later in order is the one drawn. With
        ``named``, only the predicates of those local names."""
        drawn = {p for p in self.on_map if named is None or local_name(p) in named}
        found = {(s, p, o) for s, p, o in self.counted if p in drawn and (s in self.entities or o in self.entities)}
        found.update(link for link in self.vocabulary_links if link[1] in drawn)
        stated: dict[tuple[str, str, str], tuple[str, int]] = {}
        for s, p, o in sorted(found):
            stated[(s, local_name(p), o)] = (p, self.counted.get((s, p, o), 0))
        return stated

    def _kind(self, candidates: set[str], default: str) -> str:
        from kg.web.mapview import best_type

        return best_type(candidates, self.types, default)

    def _label(self, name: str) -> str:
        label = self.labels.get(name)
        if label is None:
            label = self.labels[name] = predicates.map_label(name)
        return label

    def _node_label(self, iri: str) -> str:
        if iri in self.entities:
            return self.entities[iri][0]
        if iri in self.documents:
            return self.documents[iri].title or local_name(iri)
        return local_name(iri)

    def edges(self) -> Iterator[Edge]:
        """Every edge, documents' edges a batch of documents at a time, then the relations; the nodes are
        complete (:attr:`nodes`) once this is exhausted."""
        for iri in sorted(self.documents):
            doc = self.documents[iri]
            kind = self._kind(doc.types | {"Document"}, "Document")
            first = doc.publishers[0] if doc.publishers else None
            self.nodes[iri] = Node(
                iri,
                doc.title or local_name(iri),
                kind,
                self.types[kind]["label"],
                True,
                issued=doc.issued,
                publisher=self._node_label(first) if first else "",
            )
        publishers = {iri: doc.publishers for iri, doc in self.documents.items()}
        self.documents.clear()  # what the nodes say is in them now
        order = sorted(publishers)
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            places = self._places(batch)
            published = self._published(batch)
            for iri in batch:
                mentioned = sorted(places.get(iri, {}).items())
                for entity in (*(e for e, _ in mentioned), *publishers[iri]):
                    self._node(entity)  # on the map, drawn or not
                for entity, count in mentioned:
                    edge = self._draw(iri, _MENTIONS, entity, count)
                    if edge is not None:
                        self.nodes[iri].mentions += 1
                        self.nodes[entity].mentions += 1
                        yield edge
                for publisher in publishers[iri]:
                    edge = self._draw(iri, _PUBLISHER, publisher, published[(iri, publisher)])
                    if edge is not None:
                        yield edge
        stated = self._stated()
        del self.counted  # counted into the relations
        for key, (p, count) in stated.items():
            s, _name, o = key
            if key in self.replaced:
                continue  # drawn already, in the place of a document's edge
            edge = self._draw(s, p, o, count)
            if edge is not None:
                yield edge

    def _places(self, batch: Sequence[str]) -> dict[str, dict[str, int]]:
        """Document -> entity -> how many places name it, for the entities known; 0 for a mention without
        an evidence node."""
        places: dict[str, dict[str, int]] = {}
        for d, e, span in stream_rows(self.store, rq.text("network-places", d=batch)):
            entity = _iri(e)
            if entity in self.entities:
                n = sum(1 for value in _text(span).split() if parse_span(value) is not None)
                if n:
                    counts = places.setdefault(_text(d), {})
                    counts[entity] = counts.get(entity, 0) + n
        for d, e in stream_rows(self.store, rq.text("network-mentioned", d=batch)):
            entity = _iri(e)
            if entity in self.entities:
                places.setdefault(_text(d), {}).setdefault(entity, 0)
        return places

    def _published(self, batch: Sequence[str]) -> Counter[tuple[str, str]]:
        """(document, publisher) -> how many statements in the batch's documents say it."""
        published: Counter[tuple[str, str]] = Counter()
        for _d, s, o in stream_rows(self.store, rq.text("network-publishers", d=batch)):
            if isinstance(s, NamedNode) and isinstance(o, NamedNode):
                published[(s.value, o.value)] += 1
        return published

    def _node(self, iri: str) -> None:
        """Put an entity a document mentions or is published by on the network."""
        if iri not in self.nodes and iri in self.entities:
            label, kind = self.entities[iri]
            self.nodes[iri] = Node(iri, label, kind, self.types[kind]["label"], False)

    def _draw(self, a: str, predicate: str, b: str, count: int) -> Edge | None:
        """The edge from ``a`` to ``b``, or None where the map draws none (an end not on it, or a loop).
        A relation drawn later between the same nodes under the same name takes its place, as on the map."""
        name = local_name(predicate)
        later = self.instead.get((a, name, b)) if predicate in (_MENTIONS, _PUBLISHER) else None
        if later is not None:
            predicate, count = later
            self.replaced.add((a, name, b))
        if a == b or a not in self.nodes or b not in self.nodes:
            return None
        self.nodes[a].degree += 1
        self.nodes[b].degree += 1
        return Edge(a, b, name, self._label(name), count)


# ------------------------------------------------------------------ how it is written


def _xml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _attr(value: object) -> str:
    return quoteattr(_xml(value))


class _GraphML:
    def head(self) -> str:
        keys = [
            f'<key id="{kind}{i}" for="{kind_name}" attr.name="{name}" attr.type="{type_}"/>'
            for kind, kind_name, fields in (("n", "node", NODE_FIELDS), ("e", "edge", EDGE_FIELDS))
            for i, (name, type_) in enumerate(fields)
        ]
        return (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n' + "\n".join(keys) + "\n"
            '<graph edgedefault="directed">\n'
        )

    def node(self, node: Node) -> str:
        data = "".join(f'<data key="n{i}">{escape(_xml(v))}</data>' for i, v in enumerate(node.values()))
        return f"<node id={_attr(node.iri)}>{data}</node>\n"

    def between(self) -> str:
        return ""

    def edge(self, n: int, edge: Edge) -> str:
        data = "".join(f'<data key="e{i}">{escape(_xml(v))}</data>' for i, v in enumerate(edge.values()))
        return (
            f"<edge id={_attr(edge.predicate)} source={_attr(edge.source)} target={_attr(edge.target)}>{data}</edge>\n"
        )

    def tail(self) -> str:
        return "</graph>\n</graphml>\n"


class _GEXF:
    def head(self) -> str:
        attributes = [
            f'<attributes class="{kind}" mode="static">'
            + "".join(f'<attribute id="{i}" title="{name}" type="{type_}"/>' for i, (name, type_) in enumerate(fields))
            + "</attributes>"
            for kind, fields in (("node", NODE_FIELDS), ("edge", EDGE_FIELDS))
        ]
        return (
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n'
            '<graph defaultedgetype="directed" mode="static">\n' + "\n".join(attributes) + "\n<nodes>\n"
        )

    def node(self, node: Node) -> str:
        values = "".join(f'<attvalue for="{i}" value={_attr(v)}/>' for i, v in enumerate(node.values()))
        return f"<node id={_attr(node.iri)} label={_attr(node.label)}><attvalues>{values}</attvalues></node>\n"

    def between(self) -> str:
        return "</nodes>\n<edges>\n"

    def edge(self, n: int, edge: Edge) -> str:
        values = "".join(f'<attvalue for="{i}" value={_attr(v)}/>' for i, v in enumerate(edge.values()))
        return (
            f'<edge id="{n}" source={_attr(edge.source)} target={_attr(edge.target)} label={_attr(edge.label)}>'
            f"<attvalues>{values}</attvalues></edge>\n"
        )

    def tail(self) -> str:
        return "</edges>\n</graph>\n</gexf>\n"


def _csv_line(row: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    return out.getvalue()


_NODE_COLUMNS = [name for name, _ in NODE_FIELDS if name not in ("iri", "label")]


def _csv_node(node: Node) -> str:
    return _csv_line([node.iri, node.label, *[getattr(node, name) for name in _NODE_COLUMNS]])


def _csv_paths(path: Path) -> tuple[Path, Path]:
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    return stem.with_name(stem.name + "-nodes.csv"), stem.with_name(stem.name + "-edges.csv")


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _open(path: Path) -> IO[str]:
    return path.open("w", encoding="utf-8", newline="")


def write_network(store: Store, fmt: str, path: str | os.PathLike) -> list[Path]:
    """Write the network in ``fmt`` (a key of :data:`NETWORK_FORMATS`) at ``path``; return the files written."""
    if fmt not in NETWORK_FORMATS:
        raise UsageError(f"unknown network format '{fmt}': choose one of {', '.join(NETWORK_FORMATS)}")
    target = Path(path)
    files: tuple[Path, ...] = _csv_paths(target) if fmt == "csv" else (target,)
    for file in files:  # before anything is written: of two CSV files, neither or both are replaced
        if file.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(file))
    target.parent.mkdir(parents=True, exist_ok=True)
    network = _Network(store)
    if fmt == "csv":
        nodes_path, edges_path = _csv_paths(target)
        try:
            with _open(_part(edges_path)) as out:
                out.write(_csv_line(["Source", "Target", "Type", *[name for name, _ in EDGE_FIELDS]]))
                for edge in network.edges():
                    out.write(_csv_line([edge.source, edge.target, "Directed", *edge.values()]))
            with _open(_part(nodes_path)) as out:
                out.write(_csv_line(["Id", "Label", *_NODE_COLUMNS]))
                for iri in sorted(network.nodes):
                    out.write(_csv_node(network.nodes[iri]))
            os.replace(_part(nodes_path), nodes_path)
            os.replace(_part(edges_path), edges_path)
        except BaseException:
            for written in (nodes_path, edges_path):
                _part(written).unlink(missing_ok=True)
            raise
        return [nodes_path, edges_path]
    writer = _GraphML() if fmt == "graphml" else _GEXF()
    edges_part = target.with_name(target.name + ".edges.part")
    try:
        with _open(edges_part) as out:
            for n, edge in enumerate(network.edges()):
                out.write(writer.edge(n, edge))
        with _open(_part(target)) as out:
            out.write(writer.head())
            for iri in sorted(network.nodes):
                out.write(writer.node(network.nodes[iri]))
            out.write(writer.between())
            with edges_part.open(encoding="utf-8", newline="") as edges:
                shutil.copyfileobj(edges, out, 1 << 20)
            out.write(writer.tail())
        os.replace(_part(target), target)
    except BaseException:
        _part(target).unlink(missing_ok=True)
        raise
    finally:
        edges_part.unlink(missing_ok=True)
    return [target]
