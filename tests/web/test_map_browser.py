"""The map in a real browser (headless Chromium, file:// pages, other hosts unreachable)."""

from __future__ import annotations

import json
from urllib.parse import quote

import networkx as nx
import pytest

from kg.web.mapview import map_data, render_map, write_map
from tests.browser import console_errors, foreign_requests, requested_urls

pytestmark = pytest.mark.browser  # make quick leaves these out

BASE = "https://w3id.org/nhs-policy-kg/"
ICS = BASE + "id/integrated-care-system"
ACO = BASE + "id/accountable-care-organisation"
US_ACO = BASE + "id/medicare-accountable-care-organization"

#: a script: node arguments[0] is on the canvas, outside the details panel, at a readable zoom
ON_SCREEN_NOT_UNDER_PANEL = """
    const net = kgMap.network, i = kgMap.indexOf(arguments[0]);
    const p = net.canvasToDOM(net.getPositions([i])[i]);
    const box = document.getElementById('kg-network'), panel = document.getElementById('kg-panel');
    const r = box.getBoundingClientRect(), q = panel.getBoundingClientRect();
    const x = r.left + p.x, y = r.top + p.y;
    const underPanel = !panel.hidden && x >= q.left && x <= q.right && y >= q.top && y <= q.bottom;
    return net.getScale() >= 0.99 && p.x > 0 && p.y > 0 && p.x < box.clientWidth && p.y < box.clientHeight
        && y < window.innerHeight && !underPanel;"""


def open_map(driver, url: str, timeout: float = 60) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    console_errors(driver)  # drain what earlier pages logged
    requested_urls(driver)
    driver.get("about:blank")
    driver.get(url)
    WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return !!window.kgMapReady"))


def wait_for(driver, script: str, timeout: float = 10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def count_text(n: int, m: int) -> str:
    return f"{n} {'node' if n == 1 else 'nodes'}, {m} {'link' if m == 1 else 'links'}"


def shown(driver) -> set[str]:
    return set(driver.execute_script("return kgMap.shownIris()"))


def count(driver) -> str:
    return driver.find_element("id", "kg-count").text


def expected_edges(graph, nodes: set[str]) -> int:
    return sum(1 for a, b in graph.edges() if a in nodes and b in nodes)


def test_map_page_loads_offline_and_counts(chrome, map_site, graph):
    open_map(chrome, (map_site / "map.html").as_uri())
    assert console_errors(chrome) == []
    assert foreign_requests(chrome) == []
    assert count(chrome) == count_text(graph.number_of_nodes(), graph.number_of_edges())
    assert chrome.execute_script("return kgMap.network.body.nodeIndices.length") == graph.number_of_nodes()
    types = {d["type"] for _, d in graph.nodes(data=True)}
    boxes = chrome.find_elements("css selector", "#kg-types input[type=checkbox]")
    assert {b.get_attribute("value") for b in boxes} == types
    # the legend shows shape and colour, not colour alone
    assert all(b.find_element("xpath", "following-sibling::label//*[local-name()='svg']") for b in boxes)


def test_search_by_acronym_selects_focuses_and_opens_the_panel(chrome, map_site):
    from selenium.webdriver.common.keys import Keys

    open_map(chrome, (map_site / "map.html").as_uri())
    box = chrome.find_element("id", "kg-search")
    box.send_keys("ics")
    wait_for(chrome, "return !document.getElementById('kg-suggestions').hidden")
    first = chrome.find_element("css selector", "#kg-suggestions [role=option]")
    assert "Integrated Care System" in first.text and box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ENTER)
    assert chrome.execute_script("return kgMap.selectedIris()") == [ICS]
    panel = chrome.find_element("id", "kg-panel")
    assert panel.is_displayed() and panel.get_attribute("aria-live") == "polite"
    assert chrome.find_element("id", "kg-panel-title").text == "Integrated Care System"
    assert "ICS" in panel.text and "Care model" in panel.text
    link = panel.find_element("css selector", "a.kg-page-link")
    assert link.get_attribute("href") == (map_site / "id" / "integrated-care-system.html").as_uri()
    # the view is zoomed in on the node, which is on screen and not under the panel
    wait_for(chrome, ON_SCREEN_NOT_UNDER_PANEL.replace("arguments[0]", json.dumps(ICS)))
    box.send_keys(Keys.ESCAPE)
    assert not panel.is_displayed()
    assert console_errors(chrome) == []


def test_acronym_shared_by_two_entities_lists_both(chrome, map_site):
    open_map(chrome, (map_site / "map.html").as_uri())
    found = chrome.execute_script("return kgMap.search('aco')")
    assert found[0] == ACO and US_ACO in found
    assert chrome.execute_script("return kgMap.search('integrated care SYSTEM')")[0] == ICS
    assert chrome.execute_script("return kgMap.search('zzzz-nothing')") == []


def test_type_filter_hides_nodes_and_updates_the_count(chrome, map_site, graph):
    open_map(chrome, (map_site / "map.html").as_uri())
    chrome.find_element("id", "kg-type-CareModel").click()
    keep = {n for n, d in graph.nodes(data=True) if d["type"] != "CareModel"}
    assert shown(chrome) == keep
    assert count(chrome) == count_text(len(keep), expected_edges(graph, keep))
    hidden = chrome.execute_script("return kgMap.nodes.get({filter: n => n.hidden}).map(n => kgMap.iriOf(n.id))")
    assert set(hidden) == set(graph.nodes) - keep
    assert chrome.execute_script("return kgMap.network.body.nodeIndices.length") == len(keep)
    chrome.find_element("css selector", "#kg-types [data-all]").click()
    assert count(chrome) == count_text(graph.number_of_nodes(), graph.number_of_edges())
    # looking for a node the filters hide shows it anyway, and says the filters were reset
    chrome.find_element("css selector", "#kg-types [data-none]").click()
    assert count(chrome) == count_text(0, 0)
    assert chrome.execute_script("return kgMap.select(arguments[0])", ICS)
    assert ICS in shown(chrome) and "reset" in chrome.find_element("id", "kg-note").text
    assert count(chrome) == count_text(graph.number_of_nodes(), graph.number_of_edges())


def test_relation_filter_hides_links(chrome, map_site, graph):
    open_map(chrome, (map_site / "map.html").as_uri())
    chrome.find_element("id", "kg-rel-mentions").click()
    others = sum(1 for *_, k in graph.edges(keys=True) if k != "mentions")
    assert count(chrome) == count_text(graph.number_of_nodes(), others)


def _documents_filter(graph, passes) -> set[str]:
    """What the map should show when only documents passing ``passes`` stay."""
    docs = {n for n, d in graph.nodes(data=True) if d["document"] and passes(d)}
    keep = set(docs)
    for n, d in graph.nodes(data=True):
        if d["document"]:
            continue
        linked = [m for m in nx.all_neighbors(graph, n) if graph.nodes[m]["document"]]
        if not linked or any(m in docs for m in linked):
            keep.add(n)
    return keep


def test_date_and_publisher_filters(chrome, map_site, graph):
    from selenium.webdriver.support.ui import Select

    open_map(chrome, (map_site / "map.html").as_uri())
    for field, year in (("kg-from", 2017), ("kg-to", 2018)):
        box = chrome.find_element("id", field)
        box.clear()
        box.send_keys(str(year))
    keep = _documents_filter(graph, lambda d: not d["issued"] or 2017 <= int(d["issued"][:4]) <= 2018)
    assert keep != set(graph.nodes)
    assert shown(chrome) == keep
    assert count(chrome) == count_text(len(keep), expected_edges(graph, keep))
    chrome.find_element("id", "kg-undated").click()
    keep = _documents_filter(graph, lambda d: d["issued"] and 2017 <= int(d["issued"][:4]) <= 2018)
    assert shown(chrome) == keep
    chrome.find_element("id", "kg-reset").click()
    assert shown(chrome) == set(graph.nodes)
    Select(chrome.find_element("id", "kg-publisher")).select_by_value("UK Parliament")
    keep = _documents_filter(graph, lambda d: d["publisher"] == "UK Parliament")
    assert shown(chrome) == keep and len([n for n in keep if graph.nodes[n]["document"]]) == 1
    assert count(chrome) == count_text(len(keep), expected_edges(graph, keep))


def test_neighbourhood_from_an_entity_page_link(chrome, map_site, graph):
    from selenium.webdriver.support.ui import Select

    undirected = graph.to_undirected(as_view=True)
    open_map(chrome, (map_site / "map.html").as_uri() + f"#node={quote(ICS, safe='')}&hops=1")
    one = set(nx.ego_graph(undirected, ICS, radius=1))
    assert shown(chrome) == one and len(one) < graph.number_of_nodes()
    assert count(chrome) == count_text(len(one), expected_edges(graph, one))
    assert chrome.find_element("id", "kg-ego").is_displayed()
    assert "Integrated Care System" in chrome.find_element("id", "kg-ego-text").text
    assert chrome.execute_script("return kgMap.selectedIris()") == [ICS]
    assert chrome.find_element("id", "kg-panel-title").text == "Integrated Care System"
    Select(chrome.find_element("id", "kg-hops")).select_by_value("2")
    two = set(nx.ego_graph(undirected, ICS, radius=2))
    wait_for(chrome, "return location.hash.endsWith('hops=2')")
    assert shown(chrome) == two and len(two) > len(one)
    chrome.find_element("id", "kg-ego-exit").click()
    assert count(chrome) == count_text(graph.number_of_nodes(), graph.number_of_edges())
    assert not chrome.find_element("id", "kg-ego").is_displayed()
    # a node the map does not have: the whole map and a note saying so
    open_map(
        chrome, (map_site / "map.html").as_uri() + "#node=" + quote(BASE + "id/no-such-thing", safe="") + "&hops=1"
    )
    assert len(shown(chrome)) == graph.number_of_nodes()
    assert "not on the map" in chrome.find_element("id", "kg-ego-text").text
    assert console_errors(chrome) == []


def test_keyboard_reaches_every_control(chrome, map_site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_map(chrome, (map_site / "map.html").as_uri())
    chrome.execute_script("document.activeElement && document.activeElement.blur(); document.body.focus()")
    reached = []
    for _ in range(80):
        ActionChains(chrome).send_keys(Keys.TAB).perform()
        reached.append(
            chrome.execute_script(
                "const e = document.activeElement; return e ? (e.id || e.getAttribute('data-all') || e.tagName) : null"
            )
        )
    for control in (
        "kg-search",
        "kg-type-CareModel",
        "kg-rel-mentions",
        "kg-publisher",
        "kg-from",
        "kg-to",
        "kg-undated",
        "kg-reset",
        "kg-zoom-in",
        "kg-fit",
        "kg-network",
    ):
        assert control in reached, (control, reached)
    # focus is visible
    search = chrome.find_element("id", "kg-search")
    search.click()
    outline = chrome.execute_script(
        "const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]"
    )
    assert outline[0] != "none" and outline[1] >= 2
    # search, pick with the arrow keys and Enter, close with Escape: no mouse
    search.send_keys("integrated")
    search.send_keys(Keys.ARROW_DOWN)
    active = search.get_attribute("aria-activedescendant")
    assert active and chrome.find_element("id", active).get_attribute("aria-selected") == "true"
    search.send_keys(Keys.ENTER)
    chosen = chrome.execute_script("return kgMap.selectedIris()")
    assert len(chosen) == 1 and chrome.find_element("id", "kg-panel").is_displayed()
    ActionChains(chrome).send_keys(Keys.ESCAPE).perform()
    assert not chrome.find_element("id", "kg-panel").is_displayed()
    # a filter toggled from the keyboard
    before = chrome.find_element("id", "kg-count").text
    box = chrome.find_element("id", "kg-type-CareModel")
    chrome.execute_script("arguments[0].focus()", box)
    ActionChains(chrome).send_keys(Keys.SPACE).perform()
    assert chrome.find_element("id", "kg-count").text != before and not box.is_selected()


def test_kg_map_file_is_the_same_app_offline(chrome, sample_store, graph, tmp_path):
    out = tmp_path / "map.html"
    write_map(sample_store, out)
    open_map(chrome, out.as_uri())
    assert console_errors(chrome) == []
    assert foreign_requests(chrome) == []
    assert count(chrome) == count_text(graph.number_of_nodes(), graph.number_of_edges())
    assert chrome.execute_script("return kgMap.select(arguments[0])", ICS)
    assert chrome.find_element("id", "kg-panel-title").text == "Integrated Care System"
    # no site beside this file, so no page links
    assert chrome.find_elements("css selector", "#kg-panel a.kg-page-link") == []


def test_big_graph_is_drawn_from_precomputed_positions(chrome, tmp_path):
    g = nx.MultiDiGraph()
    for i in range(360):
        g.add_node(
            f"{BASE}id/e{i}",
            label=f"Entity {i}",
            labels=[f"Entity {i}", f"E{i}X"],
            type=["Concept", "CareModel", "Plan"][i % 3],
            document=False,
            page=f"id/e{i}.html",
            mentions=1,
            degree=0,
        )
    for d in range(40):
        g.add_node(
            f"{BASE}doc/d{d}",
            label=f"Document {d}",
            type="PolicyBriefing",
            document=True,
            issued=f"{2010 + d % 12}",
            publisher="NHS England",
            mentions=9,
            degree=0,
        )
        for k in range(9):
            g.add_edge(
                f"{BASE}doc/d{d}", f"{BASE}id/e{(d * 9 + k) % 360}", key="mentions", predicate="mentions", evidence=1
            )
    data = map_data(g)
    assert data["physics"] is False
    out = tmp_path / "big.html"
    out.write_text(render_map(data), encoding="utf-8")
    open_map(chrome, out.as_uri())
    assert console_errors(chrome) == []
    assert count(chrome) == count_text(g.number_of_nodes(), g.number_of_edges())
    placed = chrome.execute_script("return kgMap.network.getPositions([0, 1, 2, 399])")
    for i in (0, 1, 2, 399):
        assert placed[str(i)] == pytest.approx(
            {"x": data["nodes"][i]["x"], "y": data["nodes"][i]["y"]}, abs=1
        )  # vis rounds
    assert chrome.execute_script("return kgMap.network.physics.options.enabled") is False
    # labels come as a node is looked at
    assert chrome.execute_script("return kgMap.select(arguments[0])", f"{BASE}id/e7")
    label = chrome.execute_script("return kgMap.nodes.get(kgMap.indexOf(arguments[0])).label", f"{BASE}id/e7")
    assert label == "Entity 7"
    assert chrome.execute_script("return kgMap.search('e7x')")[0] == f"{BASE}id/e7"


def test_an_empty_map_still_loads(chrome, tmp_path):
    out = tmp_path / "empty.html"
    data = map_data(nx.MultiDiGraph())
    assert data["dates"] is None and data["types"] == []
    out.write_text(render_map(data), encoding="utf-8")
    open_map(chrome, out.as_uri())
    assert console_errors(chrome) == []
    assert count(chrome) == count_text(0, 0)
    assert not chrome.find_element("id", "kg-documents").is_displayed()
