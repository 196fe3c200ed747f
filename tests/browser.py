"""Headless Chromium for tests: Debian's ``chromium`` driven by Selenium through ``chromedriver``.

Every page is loaded with other hosts unreachable (the resolver maps every
name but the loopback to nothing), and the browser's own log of requests
is kept, so a test can assert that a page asked no other host for anything
and wrote nothing to the console at error level.

Use the ``chrome`` fixture (see conftest.py)::

    def test_map(chrome, site):
        chrome.get(site.as_uri() + "/map.html")
        assert console_errors(chrome) == []
        assert foreign_requests(chrome) == []
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("KG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("KG_CHROMEDRIVER", "/usr/bin/chromedriver")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", ""}
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "chrome-error", "devtools"}


def start_chrome(width: int = 1280, height: int = 900):
    """A new headless Chromium; fails in CI and skips elsewhere when it is not installed."""
    from tests.conftest import IN_CI

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.exists(p) or shutil.which(p))]
    if missing:
        message = f"headless Chromium needs {', '.join(missing)} (Debian packages chromium and chromium-driver)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="kg-chrome-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--allow-file-access-from-files",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        # every host but the loopback resolves to nothing: a page that needs the network fails visibly
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("prefs", {"download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver._kg_profile = profile  # removed by stop_chrome
    return driver


def stop_chrome(driver) -> None:
    profile = getattr(driver, "_kg_profile", None)
    try:
        driver.quit()
    finally:
        if profile:
            shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> list[str]:
    """Console messages at error level since the last call (the log is drained by reading it)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def requested_urls(driver) -> list[str]:
    """Every URL the browser asked for since the last call (drains the performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def foreign_requests(driver) -> list[str]:
    """Requested URLs that leave this machine (anything but file:, data:, blob: and the loopback)."""
    foreign = []
    for url in requested_urls(driver):
        parts = urlparse(url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if parts.scheme in ("http", "https", "ws", "wss") and (parts.hostname or "") in LOCAL_HOSTS:
            continue
        foreign.append(url)
    return foreign


def allow_downloads(driver, folder: str) -> None:
    """Let headless Chromium save downloads into ``folder`` without asking."""
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder, "eventsEnabled": True}
    )
