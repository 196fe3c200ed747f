"""Input formats: HTML pages, PDF files and web addresses, read from real files and a real local server."""

from __future__ import annotations

import io
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pypdf
import pytest

from kg import run_query
from kg.errors import SourceError
from kg.graph import namespaces as ns
from kg.graph.evidence import parse_span
from kg.ingest import ingest, sources
from kg.ingest.html_reader import fallback_text
from kg.ingest.parse import parse
from kg.ingest.sources import Source, discover, iter_sources, page_at
from kg.ingest.triples import document_graph

reportlab = pytest.importorskip("reportlab", reason="reportlab builds the test PDFs (pip install -e '.[test]')")
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

ARTICLE_TITLE = "Integrated care systems: a short briefing"
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{ARTICLE_TITLE} | Riverside Health Library</title></head>
<body>
<header><nav class="site-nav"><ul>
  <li><a href="/">Home</a></li><li><a href="/catalogue">Search the catalogue</a></li><li><a href="/contact">Contact the library team</a></li>
</ul></nav></header>
<main><article class="post">
<h1>{ARTICLE_TITLE}</h1>
<p>Integrated care systems (ICSs) became statutory on 1 July 2022, when the Health and Care Act 2022 took effect.
Each system joins up the NHS bodies and local councils that serve one area.</p>
<h2>Who does what</h2>
<ul>
  <li>An integrated care board plans and pays for most NHS services in its area.</li>
  <li>An integrated care partnership writes a strategy for health and wellbeing.</li>
</ul>
<p>NHS England keeps oversight of every board and publishes guidance for them.</p>
</article>
<div class="sharedaddy"><h3>Share this:</h3><ul><li><a href="#">Share on X</a></li><li><a href="#">Share on LinkedIn</a></li></ul></div>
<section id="comments" class="comments-area">
  <h3>3 thoughts on this post</h3>
  <ol class="comment-list">
    <li class="comment"><p>Very handy summary for our induction packs, thank you.</p></li>
    <li class="comment"><p>Could you add a diagram of the boards in the next edition?</p></li>
  </ol>
</section>
<div id="respond" class="comment-respond"><h3 id="reply-title">Leave a Reply</h3>
  <form id="commentform"><p>Your email address will not be published.</p>
  <label for="c">Comment</label><textarea id="c"></textarea><input type="submit" value="Post Comment"></form></div>
</main>
<footer><p>Riverside Health Library, all rights reserved.</p></footer>
</body></html>
"""
NOT_THE_DOCUMENT = [
    "Search the catalogue",
    "Share on",
    "induction packs",
    "diagram of the boards",
    "Leave a Reply",
    "Post Comment",
    "will not be published",
    "all rights reserved",
]

PDF_TITLE = "Integrated care boards: a guide for library staff"
HEADER = "Riverside Health Library | Briefing series"
PAGES = [
    [
        PDF_TITLE,
        "Integrated care boards took over from clinical commissioning groups in July 2022.",
        "Each board holds the NHS budget for its local population.",
    ],
    [
        "Regulation and oversight",
        "The Care Quality Commission now reviews how well each system works.",
        "NHS England sets the financial rules for the boards.",
    ],
    ["Further reading", "Library staff can find the full guidance on the national website."],
]


def make_pdf(pages: list[list[str]], header: str | None = HEADER, numbers: bool = True) -> bytes:
    """A real PDF with a running header, body lines and "Page N of M" footers."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for number, lines in enumerate(pages, 1):
        if header:
            pdf.drawString(72, 800, header)
        if numbers:
            pdf.drawString(520, 800, str(number))
        y = 740
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 18
        if numbers:
            pdf.drawString(270, 40, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def encrypt(raw: bytes, user_password: str, owner_password: str = "owner-secret") -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(raw))
    writer.encrypt(user_password, owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def only(paths):
    items = list(iter_sources(paths))
    assert len(items) == 1, items
    return items[0]


# ---------------------------------------------------------------- HTML


def test_html_keeps_the_article_and_drops_navigation_sharing_and_comments(tmp_path):
    page = tmp_path / "briefing.html"
    page.write_text(PAGE, encoding="utf-8")
    source = only([page])
    lines = source.text.split("\n")
    assert lines[0] == ARTICLE_TITLE
    assert "Integrated care systems (ICSs) became statutory on 1 July 2022" in source.text
    assert "• An integrated care board plans and pays for most NHS services in its area." in lines
    assert "Who does what" in lines
    for junk in NOT_THE_DOCUMENT:
        assert junk not in source.text, junk
    assert source.encoding == "text/html; charset=utf-8" and source.page_starts == ()
    [document] = parse(source)
    assert document.title == ARTICLE_TITLE


def test_html_fallback_walk_also_skips_page_furniture():
    title, text = fallback_text(PAGE)
    assert title == ARTICLE_TITLE
    assert "NHS England keeps oversight of every board" in text and "• An integrated care board" in text
    for junk in NOT_THE_DOCUMENT:
        assert junk not in text, junk


@pytest.mark.parametrize("declared", [True, False])
def test_windows_1252_html_decodes_pound_signs_and_curly_quotes(tmp_path, declared):
    meta = '<meta charset="windows-1252">' if declared else ""
    body = "The fund was worth \u00a3250m and was called \u201cthe \u2018better care\u2019 fund\u201d \u2013 for pooled budgets."
    page = tmp_path / "cp.htm"
    page.write_bytes(
        f"<html><head>{meta}<title>Pooled budgets</title></head><body><p>{body}</p></body></html>".encode("cp1252")
    )
    source = only([page])
    assert source.text.split("\n")[0] == "Pooled budgets"
    assert body in source.text
    assert source.encoding == "text/html; charset=windows-1252"


def test_an_html_page_without_text_is_reported(tmp_path):
    page = tmp_path / "blank.html"
    page.write_text("<html><head></head><body><nav><a href='/'>Home</a></nav></body></html>")
    error = only([page])
    assert isinstance(error, SourceError) and error.reason == "the page has no readable text"


# ---------------------------------------------------------------- PDF


def test_pdf_text_drops_running_header_and_page_numbers_and_keeps_page_starts(tmp_path):
    path = tmp_path / "guide.pdf"
    path.write_bytes(make_pdf(PAGES))
    source = only([path])
    assert source.encoding == "application/pdf"
    assert HEADER not in source.text and "Page 2 of 3" not in source.text
    assert not any(line.strip().isdigit() for line in source.text.split("\n"))
    assert source.text.startswith(PDF_TITLE)
    assert len(source.page_starts) == 3 and source.page_starts[0] == 0
    for starts_at, lines in zip(source.page_starts, PAGES):
        assert source.text[starts_at:].startswith(lines[0])
    cqc = source.text.index("Care Quality Commission")
    assert page_at(source.page_starts, cqc) == 2 and page_at(source.page_starts, 0) == 1
    [document] = parse(source)
    assert document.title == PDF_TITLE
    assert page_at(document.page_starts, document.text.index("Care Quality Commission")) == 2
    assert page_at(document.page_starts, document.text.index("Further reading")) == 3


def test_pdf_words_broken_across_lines_are_read_whole_and_keep_their_pages(tmp_path, pipeline):
    pages = [
        [
            PDF_TITLE,
            "From July 2022 the new boards took on the duties of the clinical commission-",
            "ing groups in every part of England, and NHS England kept oversight of them.",
        ],
        [
            "Regulation and oversight",
            "Alongside NHS England, the Care Quality Commission reviews how each integ-",
            "rated care system works with the councils and trusts of its area.",
        ],
    ]
    path = tmp_path / "broken.pdf"
    path.write_bytes(make_pdf(pages))
    [document] = parse(only([path]))
    assert "clinical commissioning groups in every part" in document.text
    assert "each integrated care system works" in document.text
    assert page_at(document.page_starts, document.text.index("Care Quality Commission")) == 2
    found = {m.entity for m in pipeline.extract(document).mentions}
    ids = "https://w3id.org/nhs-policy-kg/id/"
    assert {ids + "clinical-commissioning-group", ids + "integrated-care-system"} <= found


def test_pages_follow_each_document_of_a_listing():
    # Two briefings in one paged source: the second starts half-way down page 2 and runs onto page 3.
    pages = [
        "Briefing one on boards\nSource: Riverside Library\nSummary: Boards plan local services.",
        "Audience: library staff\nResponsible: AB\n\nBriefing two on regulators\nSource: Riverside Library",
        "Summary: The Care Quality Commission inspects providers.\nResponsible: CD",
    ]
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + "\n\n"
    source = Source("listing.pdf", text, "0" * 64, "application/pdf", tuple(starts))
    first, second = parse(source)
    assert page_at(first.page_starts, first.text.index("Boards plan")) == 1
    assert page_at(first.page_starts, first.text.index("Audience")) == 2
    assert second.title == "Briefing two on regulators"
    assert page_at(second.page_starts, 0) == 2
    assert page_at(second.page_starts, second.text.index("Care Quality Commission")) == 3


def test_ingest_records_the_page_of_a_mention(tmp_path, store, pipeline):
    path = tmp_path / "guide.pdf"
    path.write_bytes(make_pdf(PAGES))
    report = ingest([path], store, pipeline)
    assert not report.failures and [title for _, title in report.written] == [PDF_TITLE]
    rows = run_query(
        store,
        """
        SELECT ?exact ?span WHERE { ?a oa:exact ?exact ; kg:span ?span }""",
    ).rows
    pages: dict[str, int | None] = {}  # the words of each node -> the page of its first place (the quoted one)
    for exact, place in sorted(((r[0].value, parse_span(r[1].value)) for r in rows), key=lambda r: r[1]):
        pages.setdefault(exact, place[2])
    assert pages["Care Quality Commission"] == 2 and pages["Integrated care boards"] == 1


def test_every_place_of_a_paged_source_has_its_page(tmp_path, pipeline):
    path = tmp_path / "guide.pdf"
    path.write_bytes(make_pdf(PAGES))
    source = only([path])
    [document] = parse(source)
    _, graph = document_graph(document, pipeline.extract(document), [source], "fingerprint")
    quads = graph.quads
    places = [parse_span(q.object.value) for q in quads if q.predicate.value == ns.ONTOLOGY + "span"]
    assert places and all(p is not None and p[2] is not None for p in places)
    assert {p[2] for p in places if p is not None} == {1, 2}


def test_a_text_file_gets_no_page(tmp_path, store, pipeline):
    (tmp_path / "note.txt").write_text("A note on regulators\n\nThe Care Quality Commission inspects services.\n")
    ingest([tmp_path / "note.txt"], store, pipeline)
    assert run_query(store, "SELECT ?t WHERE { ?t kg:page ?p }").rows == []


def test_broken_pdfs_are_reported_and_the_rest_of_the_folder_ingested(tmp_path, store, pipeline):
    folder = tmp_path / "in"
    folder.mkdir()
    good = make_pdf(PAGES)
    (folder / "locked.pdf").write_bytes(encrypt(good, user_password="s3cret"))
    (folder / "cut.pdf").write_bytes(good[: len(good) // 2])
    (folder / "scan.pdf").write_bytes(make_pdf([[], []], header=None, numbers=False))
    (folder / "owner-only.pdf").write_bytes(encrypt(good, user_password=""))  # opens with an empty password
    (folder / "note.md").write_text("Care notes\n\nNHS England wrote about integrated care systems.\n")
    report = ingest([folder], store, pipeline)
    reasons = {Path(f.location).name: f.reason for f in report.failures}
    assert set(reasons) == {"locked.pdf", "cut.pdf", "scan.pdf"}
    assert reasons["locked.pdf"] == "the PDF is encrypted"
    assert reasons["cut.pdf"].startswith("the PDF is damaged or truncated: ")
    assert reasons["scan.pdf"] == "the PDF has no text layer (scanned?)"
    assert sorted(title for _, title in report.written) == ["Care notes", PDF_TITLE]


def test_a_file_called_pdf_that_is_not_one_is_reported(tmp_path):
    (tmp_path / "fake.pdf").write_text("just some words")
    assert only([tmp_path / "fake.pdf"]).reason == "the file is not a PDF (no %PDF- header)"


# ---------------------------------------------------------------- web addresses


class _Site(BaseHTTPRequestHandler):
    routes: dict[str, tuple[str, bytes]] = {}

    def do_GET(self):  # noqa: N802 (the http.server name)
        if self.path == "/slow":
            time.sleep(1.5)  # the client has given up by now
            self.close_connection = True
            return
        if self.path not in self.routes:
            self.send_error(404, "Not Found")
            return
        media, body = self.routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    """A real HTTP server on 127.0.0.1 serving an HTML page, a PDF and a text file; anything else is a 404."""
    _Site.routes = {
        "/briefing": ("text/html; charset=utf-8", PAGE.encode("utf-8")),
        "/files/guide": ("application/pdf", make_pdf(PAGES)),
        "/notes": ("text/plain; charset=utf-8", b"Notes on boards\n\nIntegrated care boards replaced CCGs.\n"),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_web_addresses_are_fetched_and_read_by_media_type(site, store, pipeline):
    urls = [f"{site}/briefing", f"{site}/files/guide", f"{site}/notes", f"{site}/gone"]
    report = ingest(urls, store, pipeline)
    assert [(f.location, f.reason) for f in report.failures] == [(f"{site}/gone", "HTTP 404 Not Found")]
    assert sorted(title for _, title in report.written) == sorted([ARTICLE_TITLE, PDF_TITLE, "Notes on boards"])
    paths = {row[0].value for row in run_query(store, "SELECT ?p WHERE { ?s kg:sourcePath ?p }").rows}
    assert paths == set(urls[:3])
    spans = run_query(store, 'SELECT ?s WHERE { ?a kg:span ?s ; oa:exact "Care Quality Commission" }').rows
    first = min((parse_span(row[0].value) for row in spans), key=lambda p: p[:2])  # the quoted place
    assert first[2] == 2


def test_an_unreachable_address_is_reported_with_the_reason():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = only([f"http://127.0.0.1:{port}/briefing"])
    assert isinstance(error, SourceError) and error.location == f"http://127.0.0.1:{port}/briefing"
    assert error.reason.startswith("could not connect: ")


def test_an_address_that_passed_through_a_path_is_repaired(site):
    # A shell argument turned into pathlib.Path loses one slash of "http://".
    assert list(discover([Path(f"{site}/briefing")])) == [f"{site}/briefing"]
    assert only([Path(f"{site}/briefing")]).text.startswith(ARTICLE_TITLE)


def test_a_slow_server_times_out(site, monkeypatch):
    monkeypatch.setattr(sources, "TIMEOUT", 0.3)
    error = only([f"{site}/slow"])
    assert isinstance(error, SourceError) and error.reason == "timed out after 0.3 s"


def test_a_response_over_the_size_limit_is_refused(site, monkeypatch):
    monkeypatch.setattr(sources, "MAX_BYTES", 1024)
    error = only([f"{site}/files/guide"])
    assert isinstance(error, SourceError) and "over the" in error.reason and "limit" in error.reason


# ---------------------------------------------------------------- Markdown


MARKDOWN = """# Integrated care in the county

*Published by NHS England, 3 March 2023*

## Background

The **Health and Care Act 2022** set up [integrated care boards](https://example.org/icb "ICBs").
They replaced *clinical commissioning groups* on 1 July 2022.

| Body | Became |
|------|--------|
| Monitor | part of `NHS Improvement` |

- NHS Improvement was merged into NHS England.
"""


def test_markdown_is_read_without_its_markup(tmp_path, pipeline):
    from kg.ingest.parse import parse
    from kg.ingest.sources import read

    (tmp_path / "note.md").write_text(MARKDOWN, encoding="utf-8")
    source = read(tmp_path / "note.md")
    assert source.encoding == "text/markdown; charset=utf-8"
    for markup in ("**", "](", "https://example.org", "|---", "`", "# "):
        assert markup not in source.text, markup
    assert "set up integrated care boards." in source.text and "Monitor | part of NHS Improvement" in source.text
    (document,) = parse(source)
    assert document.title == "Integrated care in the county"
    extraction = pipeline.extract(document)
    relations = {(r.subject.rsplit("/", 1)[1], r.predicate, r.object.rsplit("/", 1)[1]) for r in extraction.relations}
    assert ("integrated-care-board", "introducedBy", "health-and-care-act-2022") in relations
    assert ("integrated-care-board", "supersedes", "clinical-commissioning-group") in relations
    assert extraction.publisher == "https://w3id.org/nhs-policy-kg/id/nhs-england"
    assert document.issued and document.issued.value == "2023-03-03"
