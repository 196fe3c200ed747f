"""Fixtures of the map's tests (test_map_browser.py, test_map_explore_browser.py): the sample's map and its site."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def graph(sample_store):
    """The sample store's map graph (kg.web.mapview.map_graph)."""
    from kg.web.mapview import map_graph

    return map_graph(sample_store)


@pytest.fixture(scope="module")
def map_site(sample_store, tmp_path_factory):
    """The sample's site as `kg site` writes it: map.html, map-data.js, assets/ and the pages the map links to."""
    from kg.web.site import build_site

    out = tmp_path_factory.mktemp("site")
    build_site(sample_store, out)
    return out


@pytest.fixture
def core_dumps_on():
    """Core dumps allowed for this process and its children (as ``ulimit -c unlimited`` on some CI machines)."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    if hard == 0:
        pytest.skip("this system allows no core dumps at all")
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    yield
    resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
