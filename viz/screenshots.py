"""Screenshots of the site for people to look at: the map, an entity page, a document page, the documents table.

Usage: python viz/screenshots.py SITE_DIR OUT_DIR [--entity id/NAME.html] [--document doc/NAME.html] [--store STORE]

Also documents.png (the documents table's review-due view), map-ego.png (the map's ego view of
the --entity, two links out, at 1400×1000), phone-map.png and phone-map-ego.png (the map and that
ego view at 390×844, as on a phone, with its details as a sheet). With --store, a server over that
store (loopback, a free port) gives query-completion.png: the query page's editor offering entity
names after "kgid:acc", and query-chart.png: a count of documents per entity shown as the query
page's bar chart.

Drives Debian's headless Chromium (through chromedriver, as the tests do),
waits for the map to be drawn, and writes map.png, entity.png and
document.png. The document shown by default is the one with the most
relations found, so the picture has evidence in it.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import start_chrome, stop_chrome  # noqa: E402


def richest_document(site: Path) -> str:
    """The document page with the most highlighted evidence (``<mark>``)."""
    pages = sorted((site / "doc").glob("*.html"))
    if not pages:
        raise SystemExit(f"{site} has no document pages: build it with 'kg site {site}' first")
    best = max(pages, key=lambda p: len(re.findall("<mark", p.read_text(encoding="utf-8"))))
    return f"doc/{best.name}"


def save_full_page(driver, path: Path, max_height: int = 4000) -> None:
    """The whole page (up to ``max_height`` CSS pixels), not just the window."""
    import base64

    width = driver.execute_script("return document.documentElement.scrollWidth")
    height = min(max_height, driver.execute_script("return document.documentElement.scrollHeight"))
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--entity", default="id/accountable-care-organisation.html")
    parser.add_argument("--document", default=None)
    parser.add_argument("--store", default=None, help="a store for the query page's screenshot (served on 127.0.0.1)")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not (site / "index.html").exists():
        print(f"error: {site} is not a site: build it with 'kg site {args.site}' first", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    shots = {"map.png": "map.html", "entity.png": args.entity, "document.png": args.document or richest_document(site)}
    driver = start_chrome(width=1400, height=1000)
    try:
        for name, page in shots.items():
            driver.get((site / page).as_uri())
            if page == "map.html":
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not driver.execute_script("return !!window.kgMapReady"):
                    time.sleep(0.2)
                time.sleep(0.5)
                driver.save_screenshot(str(args.out / name))
            else:
                save_full_page(driver, args.out / name)
            print(f"wrote {args.out / name} ({page})")
        driver.get((site / "documents.html").as_uri())
        time.sleep(0.5)
        driver.find_element("id", "doc-review-due").click()
        time.sleep(0.3)
        save_full_page(driver, args.out / "documents.png", 1400)
        print(f"wrote {args.out / 'documents.png'} (documents.html, due for review)")
        if args.store:
            query_page(driver, args.store, args.out / "query-completion.png")
        ego = map_view(driver, site, args.entity)
        driver.save_screenshot(str(args.out / "map-ego.png"))
        print(f"wrote {args.out / 'map-ego.png'} (map.html{ego})")
        # a phone: 390 CSS pixels wide (a headless window is at least 500 wide, so the screen is emulated)
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
        )
        map_view(driver, site, None)
        driver.save_screenshot(str(args.out / "phone-map.png"))
        print(f"wrote {args.out / 'phone-map.png'} (map.html at 390×844)")
        map_view(driver, site, args.entity, hops=1)
        driver.save_screenshot(str(args.out / "phone-map-ego.png"))
        print(f"wrote {args.out / 'phone-map-ego.png'} (map.html{ego.replace('hops=2', 'hops=1')} at 390×844)")
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    finally:
        stop_chrome(driver)
    return 0


def map_view(driver, site: Path, entity_page: str | None, hops: int = 2) -> str:
    """Open the map (the ego view of the entity whose page is ``entity_page``), wait until drawn; return the #fragment."""
    from urllib.parse import quote

    def wait() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not driver.execute_script("return !!window.kgMapReady"):
            time.sleep(0.2)
        time.sleep(0.5)

    driver.get("about:blank")
    driver.get((site / "map.html").as_uri())
    wait()
    if entity_page is None:
        return ""
    iri = driver.execute_script(
        "const n = kgMap.data.nodes.find(n => n.page === arguments[0]); return n ? n.id : null", entity_page
    )
    if iri is None:
        raise SystemExit(f"{entity_page} is not on the map")
    fragment = f"#node={quote(iri, safe='')}&hops={hops}"
    driver.get("about:blank")
    driver.get((site / "map.html").as_uri() + fragment)
    wait()
    return fragment


def query_page(driver, store: str, path: Path) -> None:
    """The query page of a server over ``store``, its editor offering completions for ``kgid:acc``."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from kg.web.server import create_app, running

    with running(create_app(store, workers=1)) as url:
        chart(driver, url, path.with_name("query-chart.png"))
        driver.get(url + "/")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and driver.execute_script("return document.body.dataset.ready") != "true":
            time.sleep(0.2)
        driver.find_element("id", "tab-sparql").click()
        driver.find_element("css selector", "#panel-sparql .CodeMirror-lines").click()
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
        ActionChains(driver).send_keys("SELECT ?title WHERE {\n?doc schema:mentions kgid:acc").perform()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not driver.find_elements("css selector", ".CodeMirror-hints li"):
            time.sleep(0.2)
        driver.save_screenshot(str(path))
        print(f"wrote {path} (the query page's completion)")


CHART_QUERY = (
    "# How many documents mention each entity\n"
    "SELECT ?entity ?name (COUNT(DISTINCT ?document) AS ?documents)\nWHERE {\n"
    "  ?document schema:mentions ?entity .\n  ?entity skos:prefLabel ?name .\n}\n"
    "GROUP BY ?entity ?name\nORDER BY DESC(?documents)\nLIMIT 20\n"
)


def chart(driver, url: str, path: Path) -> None:
    """The query page showing a count per entity as its bar chart."""
    from urllib.parse import quote

    driver.get(url + "/?query=" + quote(CHART_QUERY))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not driver.find_elements(
        "css selector", "#result-views button[data-view='bars']"
    ):
        time.sleep(0.2)
    driver.find_element("css selector", "#result-views button[data-view='bars']").click()
    time.sleep(0.3)
    driver.execute_script("document.getElementById('results').scrollIntoView()")
    driver.save_screenshot(str(path))
    print(f"wrote {path} (the query page's bar chart)")


if __name__ == "__main__":
    raise SystemExit(main())
