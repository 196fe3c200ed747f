"""Current awareness: every Atom feed parses with feedparser and lists the right documents; the digest names them."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import feedparser
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.web.server import create_app, running

runner = CliRunner()


def select(store: str, query: str) -> list[dict]:
    result = runner.invoke(app, ["query", "--store", store, "-e", query, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def site(sample_store, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("feeds") / "site"
    result = runner.invoke(app, ["site", "--store", sample_store.location, str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author  # RFC 4287 4.1.1
    for entry in feed.entries:
        assert entry.id and entry.title and entry.updated, (path, entry)  # RFC 4287 4.1.2
    return feed


def titles(feed) -> list[str]:
    return [entry.title for entry in feed.entries]


def test_every_feed_parses(site):
    paths = sorted((site / "feeds").rglob("*.xml"))
    assert len(paths) > 20
    for path in paths:
        parse(path)


def test_new_documents_feed_lists_every_document_newest_first(site, sample_store):
    feed = parse(site / "feeds" / "documents.xml")
    rows = select(sample_store.location, "SELECT ?title WHERE { ?d a kg:Document ; dcterms:title ?title }")
    assert sorted(titles(feed)) == sorted(r["title"] for r in rows)
    published = [e.published_parsed for e in feed.entries if "published_parsed" in e]
    assert published == sorted(published, reverse=True)
    first = feed.entries[0]
    assert first.link.startswith("../doc/") and (site / "feeds" / first.link).resolve().is_file()


@pytest.mark.parametrize("name", ["integrated-care-system", "better-care-fund", "nhs-england"])
def test_entity_feed_lists_the_documents_that_mention_it(site, sample_store, name):
    feed = parse(site / "feeds" / "id" / f"{name}.xml")
    rows = select(
        sample_store.location,
        f"SELECT DISTINCT ?title WHERE {{ ?d schema:mentions kgid:{name} ; dcterms:title ?title }}",
    )
    assert sorted(titles(feed)) == sorted(r["title"] for r in rows) and rows


def test_publisher_feed_lists_what_it_published(site, sample_store):
    feed = parse(site / "feeds" / "publisher" / "nhs-england.xml")
    rows = select(
        sample_store.location,
        "SELECT DISTINCT ?title WHERE { ?d dcterms:publisher kgid:nhs-england ; dcterms:title ?title }",
    )
    assert sorted(titles(feed)) == sorted(r["title"] for r in rows) and rows


def test_due_for_review_feed(site, sample_store):
    feed = parse(site / "feeds" / "due-for-review.xml")
    rows = select(sample_store.location, "SELECT ?title ?due WHERE { ?d kg:reviewDue ?due ; dcterms:title ?title }")
    today = dt.date.today().isoformat()
    due = {r["title"] for r in rows if (r["due"] + "-01-01")[:10] <= today}
    assert set(titles(feed)) == due and due


def test_pages_link_their_feeds(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="New documents" href="feeds/documents.xml">' in index
    )
    page = (site / "id" / "integrated-care-system.html").read_text(encoding="utf-8")
    assert (
        'type="application/atom+xml" title="Documents mentioning Integrated Care System" href="../feeds/id/integrated-care-system.xml"'
        in page
    )
    publisher = (site / "id" / "nhs-england.html").read_text(encoding="utf-8")
    assert 'href="../feeds/publisher/nhs-england.xml"' in publisher


def test_served_feeds(sample_store, tmp_path):
    server = create_app(sample_store.location, build_site=True, site_dir=tmp_path / "served", workers=1)
    with running(server) as url:
        with urllib.request.urlopen(url + "/feeds/documents.xml", timeout=120) as response:
            body = response.read()
            assert response.status == 200 and "xml" in response.headers["Content-Type"]
    feed = feedparser.parse(body)
    assert not feed.bozo and len(feed.entries) >= 10


def test_digest_names_every_document_new_or_updated_since_the_date(sample_store, tmp_path):
    since = "2019-01-01"
    result = runner.invoke(
        app, ["digest", "--store", sample_store.location, "--since", since, "-o", str(tmp_path / "d.html")]
    )
    assert result.exit_code == 0, result.output
    html, text = (tmp_path / "d.html").read_text(encoding="utf-8"), (tmp_path / "d.txt").read_text(encoding="utf-8")
    rows = select(
        sample_store.location,
        "SELECT ?title ?issued ?modified WHERE { ?d a kg:Document ; dcterms:title ?title "
        "OPTIONAL { ?d dcterms:issued ?issued } OPTIONAL { ?d dcterms:modified ?modified } }",
    )

    def on_or_after(value):
        return bool(value) and (value + "-01-01")[:10] >= since

    wanted = {r["title"] for r in rows if on_or_after(r.get("issued")) or on_or_after(r.get("modified"))}
    others = {r["title"] for r in rows} - wanted
    assert wanted and others
    import html as html_module

    for title in wanted:
        assert html_module.escape(title, quote=False) in html and title in text, title
    for title in others:
        assert title not in text, title
    assert "By care model" in html and "BY ORGANISATION" in text
    assert f"{len(wanted)} documents published or updated since 1 January 2019" in text


def test_digest_refuses_a_bad_date(sample_store):
    result = runner.invoke(app, ["digest", "--store", sample_store.location, "--since", "last month"])
    assert result.exit_code == 2 and "--since needs a date" in result.output
