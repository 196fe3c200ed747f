"""The one-file map of `kg map` under its own Content-Security-Policy, opened from file:// in headless Chromium."""

from __future__ import annotations

import re

import pytest

from kg.web.csp import source_hash
from kg.web.mapview import map_data, map_graph, render_map, write_map
from tests.browser import console_errors, foreign_requests, requested_urls

pytestmark = pytest.mark.browser

INJECTED = '<script>window.kgInjected = "script";</script><img src="data:," onerror="window.kgInjected = \'handler\'">'


def _open(driver, url: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    console_errors(driver)
    requested_urls(driver)
    driver.get("about:blank")
    driver.get(url)
    WebDriverWait(driver, 60).until(lambda d: d.execute_script("return !!window.kgMapReady"))


def _policy(html: str) -> str:
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert found, "the file has no CSP <meta>"
    return found.group(1)


def test_the_policy_names_every_inline_block_and_nothing_remote(sample_store, tmp_path):
    out = tmp_path / "map.html"
    write_map(sample_store, out)
    html = out.read_text(encoding="utf-8")
    policy = _policy(html)
    assert html.index("Content-Security-Policy") < html.index("<script") and html.index("<style")
    assert (
        "default-src 'none'" in policy
        and "'unsafe-inline'" not in policy.replace("style-src-attr 'unsafe-inline'", "")
        and "http" not in policy
    )
    scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    assert len(scripts) >= 3
    for text in scripts:
        assert source_hash(text) in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_the_map_renders_from_file_under_its_policy(chrome, sample_store, tmp_path):
    out = tmp_path / "map.html"
    graph = write_map(sample_store, out)
    _open(chrome, out.as_uri())
    assert console_errors(chrome) == []  # no violation: every inline block (and vis-network's own styles) is allowed
    assert foreign_requests(chrome) == []
    nodes = chrome.execute_script("return document.querySelectorAll('#kg-network canvas').length")
    assert nodes >= 1
    assert str(graph.number_of_nodes()) in chrome.find_element("id", "kg-count").text


def test_a_script_that_got_into_the_file_does_not_run_and_is_reported(chrome, sample_store, tmp_path):
    html = render_map(map_data(map_graph(sample_store)))
    out = tmp_path / "tampered.html"
    out.write_text(html.replace("</main>", INJECTED + "</main>"), encoding="utf-8")
    _open(chrome, out.as_uri())  # the map itself still starts
    assert chrome.execute_script("return window.kgInjected === undefined")
    errors = console_errors(chrome)
    assert any("Content Security Policy" in e for e in errors), errors


def test_markup_in_a_label_stays_text(chrome, sample_store, tmp_path):
    data = map_data(map_graph(sample_store))
    target = next(n for n in data["nodes"] if not n.get("document"))
    target["label"] = "</script>" + INJECTED + " label"
    out = tmp_path / "label.html"
    out.write_text(render_map(data), encoding="utf-8")
    _open(chrome, out.as_uri())
    assert chrome.execute_script("return kgMap.select(arguments[0])", target["id"])
    assert chrome.execute_script("return window.kgInjected === undefined")
    assert "label" in chrome.find_element("id", "kg-panel-title").text
