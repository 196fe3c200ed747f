"""Exploring the map in a real browser: ego views, opening nodes, a link's evidence, the view in the address, scale.

Headless Chromium at 1400×1000 (and 390×844 for a phone), file:// pages, every other host unreachable.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import networkx as nx
import pytest

from kg.web.mapfiles import bundle
from kg.web.mapview import PHYSICS_LIMIT, render_map
from tests.browser import console_errors, foreign_requests
from tests.web.test_map_browser import (
    ACO,
    ICS,
    count,
    count_text,
    expected_edges,
    open_map,
    shown,
    wait_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def wide():
    """A browser at 1400×1000, the size the issue measures labels at."""
    from tests.browser import start_chrome, stop_chrome

    driver = start_chrome(width=1400, height=1000)
    yield driver
    stop_chrome(driver)


def ego_url(site, iri: str, hops: int) -> str:
    return (site / "map.html").as_uri() + f"#node={quote(iri, safe='')}&hops={hops}"


def positions(driver, iris: list[str]) -> dict[str, tuple[float, float]]:
    at = driver.execute_script(
        "const ids = arguments[0].map(i => kgMap.indexOf(i)); const p = kgMap.network.getPositions(ids);"
        "return arguments[0].map((iri, k) => [iri, p[ids[k]].x, p[ids[k]].y]);",
        iris,
    )
    return {iri: (x, y) for iri, x, y in at}


def legend(driver, fieldset: str) -> dict[str, int]:
    return driver.execute_script(
        "const out = {}; document.querySelectorAll('#' + arguments[0] + ' input').forEach(c => {"
        "out[c.value] = Number(c.parentNode.querySelector('.kg-n').getAttribute('data-shown')); }); return out;",
        fieldset,
    )


def test_ego_view_opens_fitted_with_readable_labels_and_its_own_legend(wide, map_site, graph):
    undirected = graph.to_undirected(as_view=True)
    open_map(wide, ego_url(map_site, ICS, 2))
    two = set(nx.ego_graph(undirected, ICS, radius=2))
    assert shown(wide) == two and count(wide) == count_text(len(two), expected_edges(graph, two))
    # fitted: every node of the neighbourhood is on the canvas
    inside = wide.execute_script(
        """const net = kgMap.network, box = document.getElementById('kg-network');
        return kgMap.shownIris().every(iri => { const i = kgMap.indexOf(iri);
            const p = net.canvasToDOM(net.getPositions([i])[i]);
            return p.x >= 0 && p.y >= 0 && p.x <= box.clientWidth && p.y <= box.clientHeight; });"""
    )
    assert inside
    # the ego and the nodes one link away have labels of at least 11 px on screen
    one = set(nx.ego_graph(undirected, ICS, radius=1))
    featured = set(wide.execute_script("return kgMap.featuredIris()"))
    assert one <= featured
    for iri in one:
        assert wide.execute_script("return kgMap.labelPixels(arguments[0])", iri) >= 11, iri
    drawn = wide.execute_script("return kgMap.nodes.get(kgMap.indexOf(arguments[0])).font.size", ICS)
    assert drawn * wide.execute_script("return kgMap.network.getScale()") >= 11
    # vis-network never draws a label smaller than 11 px: smaller ones are left out until a zoom makes them readable
    threshold = wide.execute_script("return kgMap.data.options.nodes.scaling.label.drawThreshold")
    assert threshold - 1 >= 11
    # the legend counts what the ego view shows
    by_type: dict[str, int] = {}
    for iri in two:
        by_type[graph.nodes[iri]["type"]] = by_type.get(graph.nodes[iri]["type"], 0) + 1
    assert {k: v for k, v in legend(wide, "kg-types").items() if v} == by_type
    mentions = sum(1 for a, b, k in graph.edges(keys=True) if k == "mentions" and a in two and b in two)
    assert legend(wide, "kg-relations")["mentions"] == mentions
    assert "of" in wide.find_element("css selector", "#kg-types .kg-n").text or len(two) == graph.number_of_nodes()
    assert console_errors(wide) == []


def test_opening_a_node_adds_its_neighbours_and_keeps_the_rest_in_place(wide, map_site, graph):
    from selenium.webdriver.common.action_chains import ActionChains

    undirected = graph.to_undirected(as_view=True)
    open_map(wide, ego_url(map_site, ACO, 1))
    before = shown(wide)
    # a node of the view with neighbours the view does not show yet
    node = max((n for n in before if n != ACO), key=lambda n: (len(set(undirected[n]) - before), n))
    added = set(undirected[node]) - before
    assert added
    places = positions(wide, sorted(before))
    # double-click it on the canvas
    at = wide.execute_script(
        "const net = kgMap.network, i = kgMap.indexOf(arguments[0]); return net.canvasToDOM(net.getPositions([i])[i]);",
        node,
    )
    canvas = wide.find_element("css selector", "#kg-network canvas")
    size = canvas.size
    ActionChains(wide).move_to_element_with_offset(
        canvas, int(at["x"] - size["width"] / 2), int(at["y"] - size["height"] / 2)
    ).double_click().perform()
    wait_for(wide, "return kgMap.shownIris().length === arguments[0]".replace("arguments[0]", str(len(before | added))))
    assert shown(wide) == before | added
    after = positions(wide, sorted(before))
    assert all(after[n] == pytest.approx(places[n], abs=1) for n in before)  # the rest is not redrawn elsewhere
    assert "open=" + quote(node, safe="") in wide.execute_script("return location.hash")
    assert "added" in wide.find_element("id", "kg-note").text
    # C on the canvas takes them away again, E adds them back: the keyboard way
    wide.execute_script("kgMap.network.selectNodes([kgMap.indexOf(arguments[0])])", node)
    network = wide.find_element("id", "kg-network")
    network.send_keys("c")
    wait_for(wide, f"return kgMap.shownIris().length === {len(before)}")
    assert shown(wide) == before
    network.send_keys("e")
    wait_for(wide, f"return kgMap.shownIris().length === {len(before | added)}")
    # the panel's button does the same, and Reset view takes every opened node's neighbours away
    assert wide.execute_script("return kgMap.select(arguments[0])", node)
    assert "Remove" in wide.find_element("id", "kg-expand").text
    wide.find_element("id", "kg-view-reset").click()
    wait_for(wide, f"return kgMap.shownIris().length === {len(before)}")
    assert shown(wide) == before and "open=" not in wide.execute_script("return location.hash")
    assert console_errors(wide) == []


def _quoted_relation(graph):
    for a, b, k, d in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        if k not in ("mentions", "publisher") and d["quotes"]:
            return a, b, k, d
    raise AssertionError("no relation with a quoted sentence")


def test_a_links_panel_shows_its_quoted_sentences_beside_the_graph(wide, map_site, graph):
    a, b, key, d = _quoted_relation(graph)
    open_map(wide, (map_site / "map.html").as_uri())
    j = wide.execute_script("return kgMap.edgeOf(arguments[0], arguments[1], arguments[2])", a, b, key)
    assert j is not None
    wide.execute_script("kgMap.openLink(arguments[0])", j)
    wait_for(wide, "return document.querySelector('#kg-evidence .kg-quote') !== null")
    doc, first = d["quotes"][0]
    evidence = wide.find_element("id", "kg-evidence")
    assert " ".join(first.exact.split()) in evidence.find_element("css selector", "mark").text
    cite = evidence.find_element("css selector", ".kg-cite a")
    assert cite.text == graph.nodes[doc]["label"]
    assert cite.get_attribute("href") == (map_site / graph.nodes[doc]["page"]).as_uri()
    assert "Backed by" in evidence.text and "quoted sentence" in evidence.text
    # the panel is beside the canvas, not over it
    overlap = wide.execute_script(
        """const a = document.getElementById('kg-network').getBoundingClientRect(),
                 b = document.getElementById('kg-panel').getBoundingClientRect();
        return Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) *
               Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));"""
    )
    assert overlap == 0
    # a node's panel lists its links; each opens that link's panel (a way without the mouse on the canvas)
    assert wide.execute_script("return kgMap.select(arguments[0])", a)
    button = next(
        x for x in wide.find_elements("css selector", "#kg-panel [data-edge]") if int(x.get_attribute("data-edge")) == j
    )
    button.click()
    wait_for(wide, "return document.querySelector('#kg-evidence .kg-quote') !== null")
    assert wide.find_element("id", "kg-panel-title").text.startswith(graph.nodes[a]["label"])
    assert console_errors(wide) == [] and foreign_requests(wide) == []


def test_the_view_is_in_the_address_and_back_and_forward_step_through_it(wide, map_site, graph):
    from selenium.webdriver.support.ui import Select

    page = (map_site / "map.html").as_uri()
    open_map(wide, page)
    wide.find_element("id", "kg-type-CareModel").click()
    wait_for(wide, "return location.hash.includes('hide=CareModel')")
    wide.find_element("id", "kg-rel-mentions").click()
    wait_for(wide, "return location.hash.includes('unlink=mentions')")
    Select(wide.find_element("id", "kg-publisher")).select_by_value("NHS England")
    wait_for(wide, "return location.hash.includes('publisher=NHS')")
    view, url = shown(wide), wide.current_url
    counted = count(wide)
    # Back undoes one step at a time, Forward redoes it
    wide.back()
    wait_for(wide, "return !location.hash.includes('publisher=')")
    wait_for(wide, "return document.getElementById('kg-publisher').value === ''")
    wide.back()
    wait_for(wide, "return document.getElementById('kg-rel-mentions').checked")
    assert "hide=CareModel" in wide.current_url and not wide.find_element("id", "kg-type-CareModel").is_selected()
    wide.forward()
    wait_for(wide, "return !document.getElementById('kg-rel-mentions').checked")
    wide.forward()
    wait_for(wide, "return document.getElementById('kg-publisher').value === 'NHS England'")
    assert shown(wide) == view
    # the same address in a fresh page gives the same view
    open_map(wide, url)
    assert shown(wide) == view and count(wide) == counted
    assert not wide.find_element("id", "kg-type-CareModel").is_selected()
    assert not wide.find_element("id", "kg-rel-mentions").is_selected()
    assert Select(wide.find_element("id", "kg-publisher")).first_selected_option.get_attribute("value") == "NHS England"
    # an ego view with a filter: both in the address
    open_map(wide, ego_url(map_site, ICS, 2) + "&hide=Document")
    assert not wide.find_element("id", "kg-type-Document").is_selected()
    assert all(graph.nodes[n]["type"] != "Document" for n in shown(wide)) and ICS in shown(wide)
    assert console_errors(wide) == []


def test_on_a_phone_the_panel_is_a_sheet_below_the_selection(wide, map_site):
    wide.set_window_size(390, 844)
    try:
        open_map(wide, ego_url(map_site, ICS, 1))
        canvas_top = wide.execute_script("return document.getElementById('kg-network').getBoundingClientRect().top")
        assert canvas_top < 844 / 2  # the canvas comes above the fold
        sheet = wide.execute_script(
            "const p = document.getElementById('kg-panel'), r = p.getBoundingClientRect();"
            "return [getComputedStyle(p).position, r.top, r.bottom, window.innerHeight];"
        )
        assert sheet[0] == "fixed" and abs(sheet[2] - sheet[3]) < 2 and sheet[1] > sheet[3] / 2
        # the ego node is on the canvas above the sheet
        at = wide.execute_script(
            "const net = kgMap.network, i = kgMap.indexOf(arguments[0]), r = document.getElementById('kg-network')"
            ".getBoundingClientRect(); const p = net.canvasToDOM(net.getPositions([i])[i]); return r.top + p.y;",
            ICS,
        )
        assert 0 < at < sheet[1]
        assert console_errors(wide) == []
    finally:
        wide.set_window_size(1400, 1000)


@pytest.fixture(scope="module")
def overview_page(graph, tmp_path_factory):
    """The sample's map written as a big one is: a 20-node overview, the rest in files beside the page."""
    folder = tmp_path_factory.mktemp("overview")
    data, files = bundle(graph, physics_limit=PHYSICS_LIMIT, full_limit=50, overview=20, base="big-files/")
    (folder / "big-files").mkdir()
    for name, text in files.items():
        (folder / "big-files" / name).write_text(text, encoding="utf-8")
    page = folder / "big.html"
    page.write_text(render_map(data), encoding="utf-8")
    return page, data


def test_a_big_map_opens_on_an_overview_and_loads_the_rest_on_demand(wide, overview_page, graph):
    page, data = overview_page
    undirected = graph.to_undirected(as_view=True)
    open_map(wide, page.as_uri())
    first = {n["id"] for n in data["nodes"]}
    assert shown(wide) == first and wide.execute_script("return kgMap.loadedCount()") == 20
    assert str(graph.number_of_nodes()) in wide.find_element("id", "kg-count").get_attribute("title")
    # an ego view of a node outside the overview: its ids file, its record and its links come from the files
    outside = max((n for n in graph if n not in first and not graph.nodes[n]["document"]), key=graph.degree)
    open_map(wide, page.as_uri() + f"#node={quote(outside, safe='')}&hops=1")
    wait_for(wide, "return kgMap.selectedIris().length === 1")
    assert shown(wide) == set(nx.ego_graph(undirected, outside, radius=1))
    assert wide.find_element("id", "kg-panel-title").text == graph.nodes[outside]["label"]
    assert wide.execute_script("return kgMap.labelPixels(arguments[0])", outside) >= 11
    # opening a node loads its neighbours too
    neighbour = max(set(undirected[outside]), key=lambda n: (len(set(undirected[n])), n))
    assert wide.execute_async_script(
        "const done = arguments[arguments.length - 1]; kgMap.expand(arguments[0]).then(done);", neighbour
    )
    expected = set(nx.ego_graph(undirected, outside, radius=1)) | set(undirected[neighbour])
    assert shown(wide) == expected
    # a relation's quoted sentences come from its evidence file
    a, b, key, d = _quoted_relation(graph)
    open_map(wide, page.as_uri() + f"#node={quote(a, safe='')}&hops=1")
    j = wide.execute_script("return kgMap.edgeOf(arguments[0], arguments[1], arguments[2])", a, b, key)
    wide.execute_script("kgMap.openLink(arguments[0])", j)
    wait_for(wide, "return document.querySelector('#kg-evidence mark') !== null")
    assert " ".join(d["quotes"][0][1].exact.split()) in wide.find_element("css selector", "#kg-evidence mark").text
    assert console_errors(wide) == [] and foreign_requests(wide) == []
    # a node that is in no file: said so, and the overview stays
    open_map(wide, page.as_uri() + "#node=" + quote("https://w3id.org/nhs-policy-kg/id/nothing", safe="") + "&hops=1")
    assert "not on the map" in wide.find_element("id", "kg-ego-text").text and shown(wide) == first
    assert json.dumps(console_errors(wide)) == "[]"
