from kg.errors import SourceError
from kg.ingest.sources import iter_sources


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
