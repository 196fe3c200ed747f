"""Every skipped or failed input is named with its reason, in one line, and the rest goes in."""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import threading

import pytest

from kg import Store
from kg.ingest import ingest, sources
from tests.conftest import SAMPLE


class _Hostile(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(50 * 1024**3))
            self.end_headers()
            self.wfile.write(b"Title\n\n")

    def log_message(self, *args):
        pass


@pytest.fixture
def hostile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections (the kernel does) and never answers
    yield f"http://127.0.0.1:{server.server_address[1]}", f"http://127.0.0.1:{silent.getsockname()[1]}/"
    server.shutdown()
    silent.close()


def test_hostile_files_in_a_folder_are_each_named_and_the_rest_ingested(tmp_path, pipeline):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    (folder / "nul.html").write_bytes(b"\0" * 4096)
    (folder / "nul-body.html").write_bytes(b"<html><body>" + b"\0" * 200 + b"</body></html>")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    (folder / "nowhere.txt").symlink_to(folder / "missing.txt")
    os.mkfifo(folder / "pipe.txt")  # reading it would wait for a writer forever
    with Store(tmp_path / "s") as store:
        report = ingest([folder, "http://[::1"], store, pipeline, jobs=2)
    said = {
        p.location if "://" in p.location else os.path.basename(p.location): p.reason
        for p in [*report.failures, *report.skipped]
    }
    assert said["nul.html"] == "the file holds no readable text (4096 of its 4096 bytes are NUL)"
    assert said["nul-body.html"].startswith("the file holds no readable text")
    assert said["photo.png"].startswith("images are not read")
    assert said["loop-a.txt"] == said["loop-b.txt"] == "a symbolic link that loops"
    assert said["nowhere.txt"] == "a symbolic link that points to nothing"
    assert said["pipe.txt"] == "a named pipe, not a file"
    assert said["http://[::1"] == "not a valid web address (Invalid IPv6 URL)"
    assert len({iri for iri, _ in report.written}) == 11  # the whole sample


def test_a_named_pipe_given_by_name_does_not_block(tmp_path, pipeline):
    os.mkfifo(tmp_path / "pipe.txt")
    with Store(tmp_path / "s") as store:
        report = ingest([tmp_path / "pipe.txt", SAMPLE / "05-health-and-care-act-2022.txt"], store, pipeline)
    assert [s.reason for s in report.skipped] == ["a named pipe, not a file"]
    assert [t for _, t in report.written] == ["Health and Care Act 2022"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_unreadable_file_is_named(tmp_path, pipeline):
    locked = tmp_path / "locked.txt"
    locked.write_text("A title\n\nText.\n")
    locked.chmod(0)
    with Store(tmp_path / "s") as store:
        report = ingest([locked], store, pipeline)
    assert [f.reason for f in report.failures] == ["Permission denied"]


def test_addresses_that_loop_never_answer_or_claim_a_huge_length_are_each_one_line(
    tmp_path, pipeline, hostile_server, monkeypatch
):
    served, silent = hostile_server
    monkeypatch.setattr(sources, "TIMEOUT", 1)
    with Store(tmp_path / "s") as store:
        report = ingest(
            [f"{served}/loop", f"{served}/huge", silent, SAMPLE / "05-health-and-care-act-2022.txt"], store, pipeline
        )
    said = {f.location: f.reason for f in report.failures}
    assert said[f"{served}/loop"].startswith("HTTP 3")  # urllib gives up on the redirect loop
    assert said[f"{served}/huge"] == "the response is 51200 MB, over the 20 MB limit"
    assert said[silent] == "timed out after 1 s"
    assert [t for _, t in report.written] == ["Health and Care Act 2022"]
