"""Shared fixtures: a temporary store, the seed corpus, an ingested store of seeds and sample."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg import Pipeline, Store
from kg.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
GOLD = SHARED / "gold" / "seeds.json"
SAMPLE = ROOT / "data" / "sample"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need_shared() -> None:
    """Skip (or, in CI, fail) when ../shared is not beside the project."""
    if not SEEDS.is_dir():
        if IN_CI:
            pytest.fail(f"CI needs the seed corpus at {SEEDS}")
        pytest.skip(f"the seed corpus is not at {SEEDS} (../shared is not beside the project)")


def need_tool(name: str) -> str:
    """The path of a command-line tool; in CI a missing tool fails instead of skipping."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"CI needs the '{name}' command (install it in .ci/run)")
        pytest.skip(f"'{name}' is not installed")
    return path


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store") as opened:
        yield opened


@pytest.fixture(scope="session")
def seeds_store(tmp_path_factory, pipeline):
    """A store holding the seed corpus (read-only use, please)."""
    need_shared()
    with Store(tmp_path_factory.mktemp("seeds") / "store") as opened:
        report = ingest([SEEDS], opened, pipeline)
        assert not report.failures, report.failures
        yield opened


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory, pipeline):
    """A store holding our own sample corpus."""
    with Store(tmp_path_factory.mktemp("sample") / "store") as opened:
        report = ingest([SAMPLE], opened, pipeline)
        assert not report.failures, report.failures
        yield opened


@pytest.fixture(scope="session")
def both_store(tmp_path_factory, pipeline):
    """The seeds and the sample in one store, as the issue's examples use them (read-only use, please)."""
    need_shared()
    with Store(tmp_path_factory.mktemp("both") / "store") as opened:
        report = ingest([SEEDS, SAMPLE], opened, pipeline)
        assert not report.failures, report.failures
        yield opened


@pytest.fixture(scope="session")
def cli_store(tmp_path_factory):
    """The directory of a store of the sample corpus made by `kg ingest`, for tests of the command."""
    from typer.testing import CliRunner

    from kg.cli import app

    path = tmp_path_factory.mktemp("cli") / "store"
    result = CliRunner().invoke(app, ["ingest", "--store", str(path), str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "documents written" in result.output
    return str(path)


@pytest.fixture(scope="session")
def chrome():
    """One headless Chromium for the session (see tests/browser.py); other hosts are unreachable."""
    from tests.browser import start_chrome, stop_chrome

    driver = start_chrome()
    yield driver
    stop_chrome(driver)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for ``chrome`` is a browser test even where its module forgot ``pytestmark``."""
    for item in items:
        if "chrome" in getattr(item, "fixturenames", ()) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
