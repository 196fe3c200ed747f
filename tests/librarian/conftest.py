"""Editable copies of the ontology and data folders, so tests can add terms and decisions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.resources import package_dir


@pytest.fixture
def editable(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """(ontology folder, data folder): copies of the packaged ones, set as KG_ONTOLOGY_DIR and KG_DATA_DIR."""
    ontology, data = tmp_path / "ontology", tmp_path / "data"
    shutil.copytree(package_dir("kg.graph", "ontology"), ontology)
    shutil.copytree(package_dir("kg.ingest", "data"), data)
    monkeypatch.setenv("KG_ONTOLOGY_DIR", str(ontology))
    monkeypatch.setenv("KG_DATA_DIR", str(data))
    return ontology, data
