"""``kg site`` at scale: a rebuild writes only the pages whose data changed, removes those of entities and
documents that have gone, and an entity's long list of documents is paged."""

from __future__ import annotations

import json
import shutil

import lxml.html
import pytest

from kg import Store
from kg.ingest import ingest
from kg.web import site as site_module
from kg.web.reading import gather
from kg.web.site import MANIFEST, build_site, documents_page
from tests.conftest import SAMPLE


@pytest.fixture
def own_store(tmp_path, pipeline):
    """A store of the sample of its own, to change."""
    with Store(tmp_path / "store") as opened:
        assert not ingest([SAMPLE], opened, pipeline).failures
        yield opened


def stamps(out):
    """Every file of the site with its inode and modification time (a file written again gets a new inode)."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()
    }


def test_a_rebuild_of_an_unchanged_store_writes_nothing(own_store, tmp_path):
    out = tmp_path / "site"
    first = build_site(own_store, out)
    assert first.rewritten > 0 and first.kept == 0
    before = stamps(out)
    again = build_site(own_store, out)
    assert (again.rewritten, again.removed) == (0, 0)
    assert again.kept == first.rewritten
    assert (again.pages, again.entities, again.documents) == (first.pages, first.entities, first.documents)
    after = stamps(out)
    assert {k: v for k, v in after.items() if k != MANIFEST} == {k: v for k, v in before.items() if k != MANIFEST}
    keys = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["keys"]
    assert set(keys) == set(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"])


def test_removing_a_document_rewrites_only_the_pages_it_touched(own_store, tmp_path):
    out = tmp_path / "site"
    build_site(own_store, out)
    data = gather(own_store)
    gone = next(d for d in data.documents.values() if d.page and len(d.mentions) >= 3)
    touched = {data.entities[e].page for e in gone.mentions if e in data.entities and data.entities[e].page}
    before = stamps(out)
    own_store.replace_graph(gone.iri, [])
    report = build_site(own_store, out)
    after = stamps(out)
    assert not (out / gone.page).exists() and gone.page not in after
    assert report.removed >= 3  # the page and its two descriptions
    changed = {p for p in after if p in before and after[p] != before[p]}
    # pages of entities it mentioned changed (their lists of documents); those of others are as they were
    entity_pages = {p for p in before if p.startswith("id/") and p.endswith(".html")}
    assert touched & changed
    untouched = entity_pages - touched - changed
    assert len(untouched) > len(entity_pages) // 2
    for p in (q for q in data.documents.values() if q.page and q.iri != gone.iri):
        if not set(p.mentions) & set(gone.mentions):
            assert p.page not in changed  # a document sharing no entity with it: its page is not written again
    assert report.rewritten < len(before) // 3


def test_a_changed_template_rewrites_every_page(own_store, tmp_path, monkeypatch):
    out = tmp_path / "site"
    build_site(own_store, out)
    before = stamps(out)
    templates = tmp_path / "templates"
    shutil.copytree(site_module.resources.templates_dir(), templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("Skip to main content", "Skip to the content"), "utf-8")
    monkeypatch.setenv("KG_TEMPLATES_DIR", str(templates))
    build_site(own_store, out)
    after = stamps(out)
    pages = [p for p in before if p.endswith(".html")]
    assert pages and all(after[p] != before[p] for p in pages)  # every page is made from the templates
    page = next((out / "id").glob("*.html"))
    assert "Skip to the content" in page.read_text(encoding="utf-8")


def test_an_entity_with_many_documents_pages_them(sample_store, tmp_path, monkeypatch):
    monkeypatch.setattr(site_module, "DOCUMENTS_PER_PAGE", 2)
    monkeypatch.setattr(site_module, "QUOTED_DOCUMENTS", 1)
    out = tmp_path / "site"
    build_site(sample_store, out)
    data = gather(sample_store)
    entity = max((e for e in data.entities.values() if e.page), key=lambda e: len(e.mentions))
    count = len(entity.mentions)
    assert count >= 5
    newest = [d.iri for d in data.documents_newest_first(entity.mentions)]
    page = lxml.html.parse(str(out / entity.page)).getroot()
    listed = [a.get("href") for a in page.xpath("//section[h2[@id='docs-h']]//li//p[@class='doc-title']/a")]
    listed += [a.get("href") for a in page.xpath("//details[@class='more-mentions']//a")]
    assert len(listed) == 2
    pager = page.xpath("//nav[@class='pager']")[0]
    assert pager.xpath(".//a[@rel='next']/@href") == ["../" + documents_page(entity.page, 2)]
    table = pager.xpath(".//a[contains(@href, 'documents.html#entity=')]/@href")
    assert table and table[0].startswith("../documents.html#entity=")
    # follow "next" to the end: every document once, in order, and "prev" leads back
    seen = [data.documents[i].page for i in newest[:2]]
    number, pages = 2, -(-count // 2)
    while True:
        path = out / documents_page(entity.page, number)
        sub = lxml.html.parse(str(path)).getroot()
        seen += [a.get("href").removeprefix("../../") for a in sub.xpath("//ol[@class='plain']/li/a")]
        prev = sub.xpath("//nav[@class='pager']//a[@rel='prev']/@href")[0]
        assert prev == "../../" + (entity.page if number == 2 else documents_page(entity.page, number - 1))
        following = sub.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        if number == pages:
            assert not following
            break
        assert following[0] == "../../" + documents_page(entity.page, number + 1)
        number += 1
    assert seen == [data.documents[i].page for i in newest]
    assert not (out / documents_page(entity.page, pages + 1)).exists()
