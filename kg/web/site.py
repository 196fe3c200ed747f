"""The static, offline site staff browse: ``kg site OUTDIR``.

One page per entity (``id/<name>.html``) and per document
(``doc/<name>.html``), at paths from :func:`kg.web.pages.page_path`, plus the
home page, the map, the vocabulary browser, the timeline and the "why are
these connected?" page. Everything the pages need is in the folder (styles,
scripts, vis-network), so the site opens from disk and asks no other host
for anything. Data comes from :mod:`kg.web.reading` into :mod:`kg.web.readmodel` (a few SPARQL queries over
the whole store); pages are Jinja2 templates in ``viz/site/templates`` with
autoescaping on, so a title or quote containing markup is shown as text.

Rebuilding into the same folder replaces the site's files: a page whose
entity or document has gone is removed (the files of the previous build are
listed in ``.kg-site.json``); other files in the folder are left alone, and
a folder that holds no site of ours loses nothing.

Built for ``kg serve`` (``server=True``), the pages also link to the server's
query page: entity pages to the ready-made questions about the entity
(``/?saved=NAME&p.PARAM=IRI``), document pages to a DESCRIBE of the document
and to the evidence for each relation read from it. A link is offered only
when the saved query exists with that parameter and has something to show.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
import networkx as nx

from kg import resources
from kg.errors import KGError
from kg.graph import linked as ld
from kg.graph import namespaces as ns
from kg.graph import saved as saved_queries
from kg.graph.namespaces import local_name
from kg.graph.predicates import lineage_predicates
from kg.graph.store import Store
from kg.ingest.dates import format_date
from kg.web import derived, incremental, overview, stopping
from kg.web import readmodel as sd
from kg.web.connectfiles import BASE as CONNECT_FILES
from kg.web.connectfiles import connect_files
from kg.web.csp import MAP_META_POLICY, META_POLICY
from kg.web.feeds import all_feeds, atom
from kg.web.linked import page_links, sitemap_xml
from kg.web.mapview import STATIC, script_json
from kg.web.mapview import TITLE as SITE_TITLE
from kg.web.reading import gather

MANIFEST = incremental.MANIFEST
CONNECT_MAX_PATHS = 5
CONNECT_MAX_LENGTH = 4
QUOTED_DOCUMENTS = 60  #: an entity page quotes the newest documents that mention it; older ones are listed by title
DOCUMENTS_PER_PAGE = 100  #: an entity page lists this many documents; more go on pages of their own
LINEAGE_ON_PAGE = 60  #: an entity page shows this many lineage steps, the nearest it; the lineage query has all
CONTENTS_MIN_SECTIONS = 5  #: a page with this many sections has a contents list ...
CONTENTS_MIN_ITEMS = 20  #: ... as has one with three or more sections listing this many items in all

_DATE_NAMES = [
    ("start", "Started"),
    ("end", "Ended"),
    ("founded", "Set up"),
    ("dissolved", "Dissolved"),
    ("issued", "Published"),
]
_FIELD_NAMES = [
    ("format", "Format"),
    ("primaryAudience", "Primary audience"),
    ("responsibleMember", "Group member responsible"),
]
_LONG_FIELDS = [
    ("abstract", "Summary"),
    ("keyFeatures", "Key features"),
    ("libraryImpact", "Impact on library policy or practice"),
]
#: Links an entity page shows in sections of its own (besides lineage) rather than under "Relations".
_CONCEPT_LINKS = {ns.SKOS + "broader", ns.SKOS + "narrower", ns.SKOS + "related"}


@dataclass
class SiteReport:
    pages: int = 0  #: HTML pages written
    entities: int = 0  #: entity pages
    documents: int = 0  #: document pages
    types: int = 0  #: pages listing the entities of a type (``types/``)
    nodes: int = 0  #: nodes of the map
    edges: int = 0  #: links of the map
    rewritten: int = 0  #: files written by this build (the others were as the previous build left them)
    kept: int = 0  #: files kept from the previous build, their inputs unchanged
    removed: int = 0  #: files of the previous build removed (their entity or document has gone)


def iri_quote(iri: str) -> str:
    """An IRI for a URL fragment parameter (``#from=...``): every reserved character escaped."""
    return quote(str(iri), safe="")


def query_page_href(saved: str | None = None, *, sparql: str | None = None, **params: str) -> str:
    """A link to the query page of ``kg serve``, which runs what it says when opened.

    Relative to the site's root (pages put their ``root``, or ``./``, before it), so it works under a path prefix.

    >>> query_page_href("lineage", entity="https://w3id.org/nhs-policy-kg/id/ics")
    '?saved=lineage&p.entity=https%3A%2F%2Fw3id.org%2Fnhs-policy-kg%2Fid%2Fics'
    >>> query_page_href(sparql="DESCRIBE <https://w3id.org/x>")
    '?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fx%3E'
    """
    pairs = (
        [("query", sparql)] if sparql is not None else [("saved", saved), *((f"p.{k}", v) for k, v in params.items())]
    )
    return "?" + urlencode(pairs, quote_via=quote, safe="")


class _Questions:
    """Links to the query page for one build: the saved queries as they are on disk, read once."""

    def __init__(self) -> None:
        try:
            self.saved = saved_queries.load_saved()
        except KGError:  # a broken .rq file: no links to ready-made questions, rather than no site
            self.saved = {}

    def saved_link(self, text: str, name: str, **params: str) -> dict | None:
        """``{"text", "href", "title"}`` for a saved query, or None when it does not exist with these parameters."""
        query = self.saved.get(name)
        if query is None or not set(params) <= {p.name for p in query.params}:
            return None
        return {"text": text, "href": query_page_href(name, **params), "title": query.title}

    @staticmethod
    def describe(text: str, iri: str) -> dict:
        return {
            "text": text,
            "href": query_page_href(sparql=f"DESCRIBE <{iri}>"),
            "title": "Every statement about it, as a graph",
        }

    def entity(self, e: sd.EntityInfo, lineage: list, co_mentioned: list) -> list[dict]:
        read = [link for link in e.links if link.document and link.subject != link.object]
        links = [
            self.saved_link("its profile", "entity-profile", entity=e.iri),
            self.saved_link("documents that mention it", "documents-mentioning", entity=e.iri) if e.mentions else None,
            self.saved_link("entities mentioned with it", "co-mentioned", entity=e.iri) if co_mentioned else None,
            self.saved_link("its lineage", "lineage", entity=e.iri) if lineage else None,
            self.saved_link("relations read with it as subject", "relation-evidence", subject=e.iri)
            if any(link.subject == e.iri for link in read)
            else None,
            self.saved_link("relations read with it as object", "relation-evidence", object=e.iri)
            if any(link.object == e.iri for link in read)
            else None,
            self.describe("everything the graph says about it", e.iri),
        ]
        return [link for link in links if link]

    def document(self, d: sd.DocumentInfo) -> list[dict]:
        return [self.describe("everything the graph says about it", d.iri)]

    def relation(self, r: sd.Link) -> dict | None:
        return self.saved_link(
            "Every document that says so, on the query page",
            "relation-evidence",
            subject=r.subject,
            predicate=r.predicate,
            object=r.object,
        )


def format_time(stamp: str) -> str:
    """An ISO time stamp as people write it.

    >>> format_time("2026-12-02T07:59:21Z")
    '2 December 2026 at 07:59 UTC'
    >>> format_time("not a time")
    'not a time'
    """
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    zone = " UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{format_date(moment.date().isoformat())} at {moment:%H:%M}{zone}"


def environment(data: sd.SiteData | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.templates_dir())),
        autoescape=True,  # every page is HTML: labels, titles and quotes are text, never markup
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # each template compiled once a build, not checked on disk for every page
    )
    env.filters["iriq"] = iri_quote
    env.globals.update(
        fmt_date=format_date, fmt_time=format_time, site_title=SITE_TITLE, csp=META_POLICY, map_csp=MAP_META_POLICY
    )
    if data is not None:
        env.globals.update(
            label=data.label,
            page_of=lambda iri: (
                data.entities[iri].page
                if iri in data.entities
                else data.documents[iri].page
                if iri in data.documents
                else None
            ),
            type_label=data.type_label,
            primary_type=data.primary_type,
            sort_iris=lambda iris: sorted(iris, key=lambda i: data.label(i).lower()),
            homepages=lambda iri: data.entities[iri].homepages if iri in data.entities else [],
            search_text=lambda e: " ".join([e.label, *e.alt_labels]).lower(),
            documents=data.documents,
        )
    return env


def build_site(
    store: Store, outdir: str | os.PathLike, *, server: bool = False, base_url: str | None = None
) -> SiteReport:
    """Write the whole site for ``store`` into ``outdir``; our files from an earlier build are replaced.

    ``base_url`` is where the site is published (its sitemap and VoID name pages under it); without
    it, the base of the IRIs. Each entity and document page has its description beside it
    (``NAME.ttl``, ``NAME.jsonld``), linked from the page and embedded in it as JSON-LD.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    data = gather(store)
    _mark_sentences(data)
    env = environment(data)
    writer = incremental.SiteWriter(outdir)
    report = SiteReport()
    common = {"server": server, "site_title": SITE_TITLE}
    questions = _Questions() if server else None
    prints = incremental.Fingerprints(data, _salt(data, server, questions))

    def page(template: str, relative: str, nav: str | None, key: str | None = None, **context: object) -> None:
        root = "../" * relative.count("/")
        html = env.get_template(template).render(root=root, nav=nav, **common, **context)
        writer.text(relative, html, key)
        report.pages += 1

    # map first: its data file and page, and the counts for the report
    graph, map_js, map_files = _map(data)
    report.nodes, report.edges = (graph.number_of_nodes(), graph.number_of_edges()) if graph is not None else (0, 0)
    writer.text("map-data.js", map_js)
    for name, text in map_files.items():
        writer.text("map/" + name, text)
    page("map.html", "map.html", "map", map_nodes=report.nodes, map_edges=report.edges)

    trees = derived.vocabulary_trees(data)
    scheme_anchor = {}
    for tree in trees:
        tree["anchor"] = "scheme-" + (local_name(tree["iri"]).removeprefix("scheme-") if tree["iri"] else "none")
        scheme_anchor[tree["iri"]] = tree["anchor"]

    feeds = all_feeds(data)
    feeds_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for feed in feeds:
        writer.text(feed.path, atom(feed, data, SITE_TITLE).decode("utf-8"))
        if feed.page and feed.page != "index.html":
            feeds_of[feed.page].append((feed.title, feed.path))

    listings = overview.type_listings(data)
    type_pages = {listing.cls: listing.page for listing in listings}
    # entity and document pages: those whose inputs are as the previous build had them are kept
    todo: list[tuple[str, str, str, dict]] = []  # (template, page, key, context)
    for entity in stopping.checked(data.entities.values(), 200):
        if not entity.page:
            continue
        report.entities += 1
        context = _entity_context(data, entity, scheme_anchor, trees, questions, type_pages)
        context["page_feeds"] = feeds_of.get(entity.page, [])
        for number, listed in context.pop("document_pages"):
            relative = documents_page(entity.page, number)
            shown = [(d.iri, d.page, d.title, d.issued) for d in listed]  # what the page shows of each document
            key = prints.of("entity-documents", relative, entity.iri, entity.label, shown, context["document_count"])
            if not writer.unchanged([relative], key):
                page(
                    "entity-documents.html",
                    relative,
                    None,
                    key,
                    e=entity,
                    listed=listed,
                    number=number,
                    pages=context["document_page_count"],
                    per_page=DOCUMENTS_PER_PAGE,
                    previous=documents_page(entity.page, number - 1) if number > 2 else entity.page,
                    following=documents_page(entity.page, number + 1)
                    if number < context["document_page_count"]
                    else None,
                )
            else:
                report.pages += 1
        todo.append(("entity.html", entity.page, prints.of("entity.html", entity.page, entity, context), context))
    for doc in stopping.checked(data.documents.values(), 200):
        if not doc.page:
            continue
        report.documents += 1
        context = _document_context(data, doc, questions)
        todo.append(("document.html", doc.page, prints.of("document.html", doc.page, doc, context), context))
    fresh = [item for item in todo if not writer.unchanged([item[1], *_beside(item[1])], item[2])]
    report.pages += len(todo) - len(fresh)
    subject = {item[1]: item[3]["e"].iri if "e" in item[3] else item[3]["d"].iri for item in fresh}
    rdf = ld.for_site(store, dump=not server)  # VoID's counts, the dump (kg serve streams its own), descriptions
    for template, relative, key, context in fresh:
        linked = _described(rdf, store.base, writer, subject[relative], relative, key)
        page(template, relative, None, key, linked=linked, **context)

    from kg.web.finding import DOCUMENTS_FILE, names_data, names_documents

    writer.text("names-data.js", "window.KG_NAMES = " + script_json(names_data(data)) + ";\n")
    writer.text(DOCUMENTS_FILE, "window.KG_NAME_DOCUMENTS = " + script_json(names_documents(data)) + ";\n")
    page("index.html", "index.html", "home", **overview.home_context(data, listings))
    for listing in listings:
        page("type.html", listing.page, None, **overview.type_context(data, listing))
        report.types += 1
    from kg.web.catalogue import catalogue_data

    page(
        "documents.html",
        "documents.html",
        "documents",
        catalogue_json=script_json(catalogue_data(data)),
        lists_all=overview.lists_every_document(data),
    )
    page("vocabulary.html", "vocabulary.html", "vocabulary", trees=trees)
    page("timeline.html", "timeline.html", "timeline", **overview.timeline_context(data))
    connect, evidence = connect_files(derived.connect_data(data))
    connect["maxPaths"], connect["maxLength"] = CONNECT_MAX_PATHS, CONNECT_MAX_LENGTH
    writer.text("connect-data.js", "window.KG_CONNECT = " + script_json(connect) + ";\n")
    for name, text in evidence.items():
        writer.text(CONNECT_FILES + name, text)
    page("connect.html", "connect.html", "connect", max_paths=CONNECT_MAX_PATHS, max_length=CONNECT_MAX_LENGTH)

    _assets(writer)
    _linked_data(rdf, store.base, writer, base_url)
    writer.finish()
    report.rewritten, report.kept, report.removed = writer.rewritten, writer.kept, writer.removed
    return report


def documents_page(page: str, number: int) -> str:
    """The path of an entity's list of documents, page ``number`` (2 and up; 1 is the entity's page).

    >>> documents_page("id/nhs-england.html", 2)
    'id/nhs-england/documents-2.html'
    """
    return f"{page.removesuffix('.html')}/documents-{number}.html"


def _beside(page: str) -> list[str]:
    """The description files written beside a page."""
    folder = page.rsplit("/", 1)[0] + "/"
    return [folder + name for key, name in page_links(page).items() if key in ("turtle", "jsonld")]


def _mark_sentences(data: sd.SiteData) -> None:
    """The quotes of statements read from documents are sentences (shown as fragments when they are none)."""
    for doc in data.documents.values():
        for link in doc.relations:
            if link.quote is not None:
                link.quote.sentence = True


def _salt(data: sd.SiteData, server: bool, questions: _Questions | None) -> str:
    """What every page of a build depends on besides its own data: templates, tool, settings, saved queries."""
    from kg import __version__

    templates = incremental.files_key(p for p in Path(resources.templates_dir()).glob("*") if p.is_file())
    saved = sorted((q.name, [p.name for p in q.params]) for q in questions.saved.values()) if questions else []
    return json.dumps([__version__, templates, server, data.base, data.class_labels, SITE_TITLE, saved], default=str)


def _described(
    rdf: ld.SiteData, base: str, writer: incremental.SiteWriter, iri: str, page: str, key: str
) -> dict[str, str]:
    """Write the description of ``iri`` beside its page; the links and the embedded JSON-LD for the page."""
    triples = rdf.describe(iri)
    files = page_links(page)
    folder = page.rsplit("/", 1)[0] + "/"
    writer.text(folder + files["turtle"], ld.serialise(triples, "TURTLE", ns.prefixes(base)).decode("utf-8"), key)
    writer.text(folder + files["jsonld"], ld.serialise(triples, "JSON_LD").decode("utf-8"), key)
    return {**files, "data": script_json(ld.json_ld(triples))}


def _linked_data(rdf: ld.SiteData, base: str, writer: incremental.SiteWriter, base_url: str | None) -> None:
    """``void.ttl``, ``sitemap.xml``, the dump ``dump.nq`` the VoID description links to (not in ``kg serve``'s
    builds: it streams its own), the JSON-LD context."""
    from kg.graph import jsonld

    root = base_url or base
    void = ld.void_triples(rdf.counts, root, None, base)
    writer.text("void.ttl", ld.serialise(void, "TURTLE", ld.void_prefixes(base)).decode("utf-8"))
    if rdf.dump is not None:  # kg serve answers /dump.nq itself, streamed from the store
        writer.stream(ld.DUMP_PATHS[0], rdf.dump)
    writer.text(jsonld.CONTEXT_NAME, jsonld.context_text())
    pages = sorted(p for p in writer.written if p.endswith(".html"))
    writer.text("sitemap.xml", sitemap_xml(root, pages))


def _map(data: sd.SiteData) -> tuple[nx.MultiDiGraph, str, dict[str, str]]:
    """The map's graph, its ``map-data.js`` text and the files under ``map/`` it loads on demand."""
    from kg.web import mapview as view
    from kg.web.mapfiles import bundle

    graph = view.graph_of(data)
    first, files = bundle(graph, physics_limit=view.PHYSICS_LIMIT, base="map/")
    return graph, view.map_data_js(first), files


def _assets(writer: incremental.SiteWriter) -> None:
    """Our styles and scripts, the map's, and vis-network (under the names the map's page asks for)."""
    if STATIC.is_dir():
        for path in sorted(STATIC.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                writer.copy(path, "assets/" + path.relative_to(STATIC).as_posix())
    from kg.web import mapview as view

    for name, source in view.map_assets().items():
        writer.copy(Path(source), "assets/" + name)


# ------------------------------------------------------------------ page contexts


def _entity_context(
    data: sd.SiteData,
    e: sd.EntityInfo,
    scheme_anchor: dict,
    trees: list,
    questions: _Questions | None = None,
    type_pages: dict[str, str] | None = None,
) -> dict:
    labels = {t["iri"]: t["label"] for t in trees}
    pages = type_pages or {}
    schemes = [
        {"anchor": scheme_anchor[s], "label": labels[s]}
        for s in sorted(e.schemes, key=lambda s: labels.get(s, s))
        if s in scheme_anchor
    ]
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    own_sections = _CONCEPT_LINKS | set(lineage_predicates())
    for link in e.links:
        if link.predicate in own_sections or link.subject == link.object:
            continue
        grouped[link.name_from(e.iri)][link.other(e.iri)].append(link)
    relations = [
        (name, sorted(others.items(), key=lambda kv: data.label(kv[0]).lower()))
        for name, others in sorted(grouped.items())
    ]
    newest = data.documents_newest_first(e.mentions)
    first = newest[:DOCUMENTS_PER_PAGE]
    mentions = [(doc, e.mentions[doc.iri]) for doc in first[:QUOTED_DOCUMENTS]]
    more_mentions = first[QUOTED_DOCUMENTS:]
    page_count = max(1, -(-len(newest) // DOCUMENTS_PER_PAGE))
    document_pages = [
        (n, newest[(n - 1) * DOCUMENTS_PER_PAGE : n * DOCUMENTS_PER_PAGE]) for n in range(2, page_count + 1)
    ]
    lineage, lineage_total = data.lineage_of(e.iri, LINEAGE_ON_PAGE)
    co = data.co_mentioned(e.iri, 30)
    suggestions: list[str] = []
    for step in lineage:
        for other in (step.predecessor, step.successor):
            if other != e.iri and other not in suggestions:
                suggestions.append(other)
    for _, others in relations:
        suggestions += [o for o, _ in others if o not in suggestions and o != e.iri]
    suggestions += [o for o, _ in co if o not in suggestions]
    suggestions = [s for s in suggestions if s in data.entities][:6]
    return {
        "e": e,
        "primary_type": data.primary_type(e),
        "type_pages": {t: pages[t] for t in (e.types or [data.primary_type(e)]) if t in pages},
        "schemes": schemes,
        "lineage": lineage,
        "lineage_total": lineage_total,
        "lineage_query": questions.saved_link("the whole lineage", "lineage", entity=e.iri) if questions else None,
        "relations": relations,
        "mentions": mentions,
        "more_mentions": more_mentions,
        "co_mentioned": co,
        "connect_to": suggestions,
        "date_names": _DATE_NAMES,
        "questions": questions.entity(e, lineage, co) if questions else [],
        "document_count": len(newest),
        "document_page_count": page_count,
        "document_pages": document_pages,
        "next_documents": documents_page(e.page, 2) if e.page and page_count > 1 else None,
        "contents": _contents(
            [
                ("about-h", "About"),
                ("concepts-h", "Broader, narrower and related concepts")
                if e.broader or e.narrower or e.related
                else None,
                ("lineage-h", "Lineage") if lineage else None,
                ("relations-h", "Relations") if relations else None,
                ("docs-h", "Documents that mention it"),
                ("co-h", "Mentioned in the same documents") if co else None,
                ("connect-h", "How is this connected to …"),
            ],
            len(lineage) + sum(len(o) for _, o in relations) + len(mentions) + len(more_mentions) + len(co),
        ),
    }


def _contents(sections: list[tuple[str, str] | None], items: int) -> list[tuple[str, str]]:
    """A page's contents list: its sections, when the page is long (many sections or many items)."""
    shown = [s for s in sections if s]
    return shown if len(shown) >= CONTENTS_MIN_SECTIONS or (len(shown) >= 3 and items >= CONTENTS_MIN_ITEMS) else []


def _document_context(data: sd.SiteData, d: sd.DocumentInfo, questions: _Questions | None = None) -> dict:
    groups: dict[str, list] = defaultdict(list)
    for iri, quotes in d.mentions.items():
        if iri in data.entities:
            groups[data.primary_type(data.entities[iri])].append((iri, max(1, len(quotes))))
    ordered = [
        (cls, sorted(items, key=lambda kv: (-kv[1], data.label(kv[0]).lower())))
        for cls, items in sorted(groups.items(), key=lambda kv: data.type_label(kv[0]).lower())
    ]
    mention_list = sorted(((iri, q) for iri, q in d.mentions.items() if q), key=lambda kv: data.label(kv[0]).lower())
    fields = [(key, text) for key, text in _LONG_FIELDS if d.fields.get(key)]
    rules = sorted({r.rule for r in d.relations if r.rule})
    return {
        "d": d,
        "rules": rules,
        "contents": _contents(
            [
                ("meta-h", "About this document"),
                *((f"f-{key}", text) for key, text in fields),
                ("entities-h", "Entities found"),
                ("relations-h", "Relations found"),
                ("quotes-h", "Where each entity is named") if mention_list else None,
            ],
            len(d.mentions) + len(d.relations),
        ),
        "groups": ordered,
        "field_names": _FIELD_NAMES,
        "long_fields": _LONG_FIELDS,
        "mention_list": mention_list,
        "mention_total": sum(1 for _, quotes in mention_list for q in quotes if q.exact),
        "questions": questions.document(d) if questions else [],
        "relation_question": questions.relation if questions else (lambda r: None),
    }
