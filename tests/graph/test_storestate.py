"""The store folder's cheap signature (kg.graph.storestate) against a full listing, on a real folder."""

import os

import kg.graph.storestate as storestate
from kg.graph.storestate import StoreState, store_signature


def test_a_table_file_that_left_the_folder_time_as_it_was_is_seen_with_the_manifests_change(tmp_path, monkeypatch):
    # a new table file whose folder time is the one already listed (two changes in one tick of the folder's
    # clock, made here by setting the time back) is found because the manifest that records it changed
    monkeypatch.setattr(storestate, "SETTLE", 0.0)
    (tmp_path / "000010.sst").write_bytes(b"t" * 10)
    manifest = tmp_path / "MANIFEST-000005"
    manifest.write_bytes(b"m")
    old = os.stat(tmp_path)
    state = StoreState(str(tmp_path))
    assert state.signature() == store_signature(str(tmp_path)) and state.listings == 1
    assert state.signature() == store_signature(str(tmp_path)) and state.listings == 1, "nothing changed: no listing"
    (tmp_path / "000011.sst").write_bytes(b"u" * 20)
    with manifest.open("ab") as edit:
        edit.write(b"+000011")
    os.utime(tmp_path, ns=(old.st_atime_ns, old.st_mtime_ns))
    assert os.stat(tmp_path).st_mtime_ns == old.st_mtime_ns
    assert state.signature() == store_signature(str(tmp_path)) and state.listings == 2
    assert any(name == "000011.sst" for name, _, _ in state.signature())
    assert state.listings == 2, "the change seen, the new listing is reused until something moves again"
