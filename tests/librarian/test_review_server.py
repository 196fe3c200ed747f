"""kg serve --review: the review page over a real loopback server; cross-site POSTs are refused; absent by default."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app as cli
from kg.web.server import create_app, running

from ..conftest import SAMPLE

runner = CliRunner()


@pytest.fixture
def store(tmp_path, editable, monkeypatch) -> Path:
    monkeypatch.setenv("KG_LIBRARIAN", "Sam Lee")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE / "07-department-of-health-and-social-care.txt", folder)
    location = tmp_path / "store"
    assert runner.invoke(cli, ["ingest", "--store", str(location), str(folder)]).exit_code == 0
    return location


def decisions(editable) -> list[str]:
    path = editable[1] / "curation" / "decisions.jsonl"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


class Browser:
    """urllib with a cookie jar, no redirects followed, every status returned."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, form: dict | None = None, headers: dict | None = None) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), dict(exc.headers)


def first_key_and_token(page: str) -> tuple[str, str]:
    key = re.search(r'name="key" value="([0-9a-f]{8})"', page).group(1)
    token = re.search(r'name="csrf" value="([0-9a-f]{64})"', page).group(1)
    return key, token


@pytest.mark.parametrize("with_site", [False, True])
def test_review_is_absent_without_the_option(store, with_site, tmp_path, editable):
    app = create_app(str(store), build_site=with_site, site_dir=tmp_path / "site" if with_site else None, workers=1)
    with running(app) as url:
        browser = Browser(url)
        assert browser.open("/review")[0] == 404
        key = re.search(r"[0-9a-f]{8}", runner.invoke(cli, ["review", "--store", str(store), "-f", "csv"]).stdout)
        status, _, _ = browser.open("/review/decide", {"decision": "reject", "key": key.group(0)}, {"Origin": url})
        # not routed: 404, or 405 from the static site mounted at / (Starlette's StaticFiles answers every POST so)
        assert status == (405 if with_site else 404)
    assert decisions(editable) == []


def test_review_page_decides_and_refuses_cross_site_posts(store, editable):
    app = create_app(str(store), workers=1, review=True)
    with running(app) as url:
        browser = Browser(url)
        status, page, headers = browser.open("/review")
        assert status == 200 and "Review what the extractor claims" in page
        assert "SameSite=strict" in headers["set-cookie"] and "HttpOnly" in headers["set-cookie"]
        key, token = first_key_and_token(page)
        form = {"csrf": token, "key": key, "decision": "reject", "who": "Sam Lee"}

        attacks = [
            ({"Origin": "http://evil.example"}, form, "came from http://evil.example"),
            ({"Sec-Fetch-Site": "cross-site"}, form, "Sec-Fetch-Site: cross-site"),
            ({"Referer": "http://127.0.0.2:9/review"}, form, "not from this server's review page"),
            ({"Host": "rebound.example:80", "Origin": "http://rebound.example:80"}, form, "only on loopback"),
            ({"Origin": url}, {**form, "csrf": "0" * 64}, "token is missing or out of date"),
            ({"Origin": url}, {k: v for k, v in form.items() if k != "csrf"}, "token is missing"),
        ]
        for headers, body, reason in attacks:
            status, text, _ = browser.open("/review/decide", body, headers)
            assert status == 403 and reason in text, (headers, text)
        stranger = Browser(url)  # no cookie: a token copied from the page is worthless
        status, text, _ = stranger.open("/review/decide", form, {"Origin": url})
        assert status == 403 and "token" in text
        assert decisions(editable) == []

        status, _, headers = browser.open("/review/decide", form, {"Origin": url, "Sec-Fetch-Site": "same-origin"})
        assert status == 303 and "done=" in headers["location"]
        (line,) = decisions(editable)
        assert '"decision": "reject"' in line and '"who": "Sam Lee"' in line
        status, page, _ = browser.open(headers["location"].removeprefix(url))
        assert status == 200 and "rejected by Sam Lee" in page and f'value="{key}"' not in page


def test_serve_review_refuses_a_public_host(store):
    result = runner.invoke(cli, ["serve", "--store", str(store), "--review", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "listens on loopback only" in " ".join(result.output.split())
