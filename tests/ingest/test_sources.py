from pathlib import Path, PurePosixPath

from kg.errors import SourceError
from kg.ingest.sources import SourceNames, discover, iter_sources, source_name


def read_one(path):
    items = list(iter_sources([path]))
    assert len(items) == 1
    return items[0]


def test_utf8_with_bom_and_windows_1252_decode_without_loss(tmp_path):
    text = "Funding of £10m \u2018pooled\u2019 \u201cbudgets\u201d \u2013 \u2022 bullet"
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    cp = tmp_path / "cp.txt"
    cp.write_bytes(text.encode("cp1252"))
    assert read_one(bom).text == text
    windows = read_one(cp)
    assert windows.text == text and windows.encoding == "windows-1252"


def test_bad_inputs_are_reported_with_path_and_reason(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    (tmp_path / "good.txt").write_text("A title\n\nSome text about NHS England.")
    items = list(iter_sources([tmp_path, tmp_path / "missing.txt"]))
    errors = {item.location.rsplit("/", 1)[-1]: item.reason for item in items if isinstance(item, SourceError)}
    assert errors == {
        "binary.txt": "the file is binary, not text",
        "empty.txt": "the file is empty",
        "missing.txt": "no such file or folder",
    }
    assert [i.location.rsplit("/", 1)[-1] for i in items if not isinstance(i, SourceError)] == ["good.txt"]


def test_folder_readme_is_not_a_document(tmp_path):
    (tmp_path / "README.md").write_text("# About this folder")
    (tmp_path / "brief.md").write_text("A title\n\ntext")
    items = list(iter_sources([tmp_path]))
    assert [i.location.rsplit("/", 1)[-1] for i in items if not isinstance(i, SourceError)] == ["brief.md"]
    (readme,) = [i for i in items if isinstance(i, SourceError)]  # named, with the reason, as not read
    assert readme.location.endswith("README.md") and "describes its folder" in readme.reason


def test_a_50_mb_input_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    item = read_one(big)
    assert isinstance(item, SourceError) and "over the 20 MB limit" in item.reason


def _resolved_name(given, item):
    """What source_name said before SourceNames: every file resolved, and the folder given, one by one."""
    root = Path(given)
    if not root.is_dir():
        return item.name
    return (PurePosixPath(root.resolve().name) / item.resolve().relative_to(root.resolve()).as_posix()).as_posix()


def test_source_names_give_each_file_the_name_resolving_it_gave(tmp_path, monkeypatch):
    real = tmp_path / "library"
    (real / "2019" / "spring").mkdir(parents=True)
    (real / "2020").mkdir()
    for where in ("a.txt", "2019/b.txt", "2019/spring/c.txt", "2020/d.md"):
        (real / where).write_text(f"A briefing, {where}\n\nNHS England met.\n")
    (real / "2020" / "to-b.txt").symlink_to(real / "2019" / "b.txt")  # a file that is a link
    (real / "later").symlink_to(real / "2019" / "spring")  # a folder that is a link, inside the library
    (tmp_path / "shelf").symlink_to(real)  # the folder given through a link
    monkeypatch.chdir(tmp_path / "library" / "2020")
    for given in (real, tmp_path / "shelf", "..", "../2019/../2019", real / "a.txt", "../2020/to-b.txt"):
        names = SourceNames(given)
        found = [item for item in discover([given]) if isinstance(item, Path)]
        assert found and [names(item) for item in found] == [_resolved_name(given, item) for item in found]
        assert [source_name(given, item) for item in found] == [names(item) for item in found]
    assert SourceNames(real)("https://example.org/a.html") == "https://example.org/a.html"
