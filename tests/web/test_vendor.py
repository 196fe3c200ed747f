"""The vendored scripts are the files their README names, unchanged (checksums), with their licences beside them."""

from __future__ import annotations

import hashlib
import re

import pytest

from kg.resources import web_dir

VENDOR = web_dir("vendor")
ROWS = re.findall(r"^\| `([\w./-]+)` \| `([0-9a-f]{64})` \|$", (VENDOR / "README.md").read_text(encoding="utf-8"), re.M)
FILES = [(name, digest) for name, digest in ROWS if not name.endswith(".tgz")]


def test_the_readme_lists_every_vendored_script():
    listed = {name for name, _ in FILES}
    shipped = {
        str(path.relative_to(VENDOR))
        for path in VENDOR.rglob("*")
        if path.is_file() and path.suffix in (".js", ".css") and "mode" not in path.parts and "addon" not in path.parts
    }
    every = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file()}
    assert shipped <= listed <= every  # addons may be listed too (the completion list's show-hint)


@pytest.mark.parametrize(("name", "digest"), FILES, ids=[name for name, _ in FILES])
def test_a_vendored_file_matches_its_checksum(name, digest):
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("package", ["codemirror", "vis-network"])
def test_each_vendored_package_carries_its_licence(package):
    assert any(path.name.startswith("LICENSE") for path in (VENDOR / package).iterdir())
