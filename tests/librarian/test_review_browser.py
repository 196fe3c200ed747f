"""kg serve --review in headless Chromium: the page's own form decides; a form on another site is refused."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
from typer.testing import CliRunner

from kg.cli import app as cli
from kg.web.server import create_app, running

from ..conftest import SAMPLE

pytestmark = pytest.mark.browser
runner = CliRunner()


def attacker(target: str, key: str, token: str) -> Starlette:
    """Another site (http://localhost:PORT) whose page posts a decision to the review server as soon as it loads."""
    page = f"""<!DOCTYPE html><html><body>
<form id="f" method="post" action="{target}/review/decide">
<input name="csrf" value="{token}"><input name="key" value="{key}"><input name="decision" value="reject">
</form><script>document.getElementById("f").submit();</script></body></html>"""

    async def home(request):
        return HTMLResponse(page)

    return Starlette(routes=[Route("/", home)])


def wait_for(driver, text: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        source = driver.page_source
        if text in source:
            return source
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not on the page:\n{driver.page_source[:2000]}")


def test_a_cross_site_form_is_refused_and_the_review_page_works(chrome, tmp_path, editable, monkeypatch):
    monkeypatch.setenv("KG_LIBRARIAN", "Ana Reviewer")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "07-department-of-health-and-social-care.txt", folder)
    store = tmp_path / "store"
    assert runner.invoke(cli, ["ingest", "--store", str(store), str(folder)]).exit_code == 0
    decisions = Path(editable[1]) / "curation" / "decisions.jsonl"

    with running(create_app(str(store), workers=1, review=True)) as url:
        chrome.get(url + "/review")  # the librarian opens the page: the cookie is set
        forms = chrome.find_elements(By.CSS_SELECTOR, "table.review form")
        key = forms[0].find_element(By.NAME, "key").get_attribute("value")
        token = forms[0].find_element(By.NAME, "csrf").get_attribute("value")

        with running(attacker(url, key, token), host="127.0.0.1") as evil:
            chrome.get(evil.replace("127.0.0.1", "localhost") + "/")  # another site, even with the real token
            source = wait_for(chrome, "refused")
            assert "another site" in source or "came from" in source
        assert not decisions.exists()

        chrome.get(url + "/review")
        chrome.find_elements(By.CSS_SELECTOR, "table.review form")[0].find_element(
            By.CSS_SELECTOR, "button[value=reject]"
        ).click()
        wait_for(chrome, "rejected by Ana Reviewer")
        assert len(decisions.read_text(encoding="utf-8").splitlines()) == 1
