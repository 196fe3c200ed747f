"""Screenshots of the site for people to look at: the map, an entity page and a document page.

Usage: python viz/screenshots.py SITE_DIR OUT_DIR [--entity id/NAME.html] [--document doc/NAME.html]

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
    finally:
        stop_chrome(driver)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
