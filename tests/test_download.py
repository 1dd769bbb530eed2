"""heartdata.download against a local HTTP server on 127.0.0.1 laid out as PhysioNet serves files/:
a good copy, a file whose checksum does not match, a connection that drops half-way, and no server."""

from __future__ import annotations

import hashlib
import shutil
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from conftest import DATA

from heartdata import DataError, download, ptbxl
from heartdata.__main__ import main
from heartdata.physionet import PhysioNetUnreachable

PTBXL_FILES = [
    "LICENSE.txt",
    "ptbxl_database.csv",
    "scp_statements.csv",
    *(f"records100/00000/{i:05d}_lr.{ext}" for i in (1, 2, 3) for ext in ("hea", "dat")),
]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Handler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        rel = self.path.split("/ptb-xl/1.0.3/", 1)[-1]
        if self.server.drops.get(rel, 0) > 0:  # announce the whole file, send half, hang up
            self.server.drops[rel] -= 1
            body = (self.server.mirror / self.path.lstrip("/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        super().do_GET()


@pytest.fixture
def physionet(tmp_path):
    """A mirror of PhysioNet's files/ on 127.0.0.1 with PTB-XL's SHA256SUMS.txt and a few of its files."""
    mirror = tmp_path / "mirror"
    folder = mirror / "ptb-xl" / "1.0.3"
    lines = []
    for rel in PTBXL_FILES:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / "ptbxl" / rel, folder / rel)
        lines.append(f"{_sha((folder / rel).read_bytes())} {rel}")
    (folder / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(mirror)))
    server.mirror, server.requests, server.drops = mirror, [], {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/ptb-xl/1.0.3/"
    server.folder = folder
    yield server
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_good_copy_is_verified_and_loads(physionet, tmp_path, capfd):
    folder = download("ptbxl", tmp_path / "full", base_url=physionet.url)
    assert folder == (tmp_path / "full" / "ptbxl").resolve()
    for rel in PTBXL_FILES:
        assert (folder / rel).read_bytes() == (DATA / "ptbxl" / rel).read_bytes()
    assert (folder / "SHA256SUMS.txt").read_bytes() == (physionet.folder / "SHA256SUMS.txt").read_bytes()
    assert not [p for p in folder.rglob("*") if p.name.startswith("tmp")], "no temporary file left behind"
    err = capfd.readouterr().err
    assert "9/9" in err and "file" in err, "a progress bar counts the files"
    np.testing.assert_array_equal(ptbxl.load_signals([1, 2, 3], root=folder.parent), ptbxl.load_signals([1, 2, 3]))


def test_a_second_run_resumes_and_replaces_only_what_is_wrong(physionet, tmp_path):
    folder = download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    physionet.requests.clear()
    download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    assert physionet.requests == ["/ptb-xl/1.0.3/SHA256SUMS.txt"], "verified files are not fetched again"
    damaged = folder / "records100/00000/00002_lr.dat"
    damaged.write_bytes(damaged.read_bytes()[:100])
    physionet.requests.clear()
    download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    assert physionet.requests == ["/ptb-xl/1.0.3/SHA256SUMS.txt", "/ptb-xl/1.0.3/records100/00000/00002_lr.dat"]
    assert damaged.read_bytes() == (DATA / "ptbxl/records100/00000/00002_lr.dat").read_bytes()


def test_include_fetches_only_matching_files(physionet, tmp_path):
    folder = download("ptbxl", tmp_path, base_url=physionet.url, include=["*.csv"], progress=False)
    assert sorted(p.name for p in folder.iterdir()) == ["SHA256SUMS.txt", "ptbxl_database.csv", "scp_statements.csv"]
    with pytest.raises(DataError, match=r"matches none of the 9 files"):
        download("ptbxl", tmp_path, base_url=physionet.url, include="records500/*", progress=False)


def test_checksum_mismatch_is_refused_and_nothing_is_left_in_place(physionet, tmp_path):
    served = physionet.folder / "records100/00000/00003_lr.dat"
    raw = bytearray(served.read_bytes())
    raw[10] ^= 0xFF  # the server now holds a damaged copy; the list still has PhysioNet's hash
    served.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"00003_lr\.dat: does not match PhysioNet's published SHA-256.*nothing was"):
        download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    folder = tmp_path / "ptbxl"
    assert not (folder / "records100/00000/00003_lr.dat").exists()
    assert not [p for p in (folder / "records100/00000").iterdir() if not p.name.startswith(("0000",))]
    assert (folder / "records100/00000/00002_lr.dat").is_file(), "files verified before the bad one are kept"


def test_dropped_connection_is_retried(physionet, tmp_path):
    physionet.drops["records100/00000/00001_lr.dat"] = 1
    folder = download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    assert physionet.requests.count("/ptb-xl/1.0.3/records100/00000/00001_lr.dat") == 2
    assert (folder / "records100/00000/00001_lr.dat").read_bytes() == (
        DATA / "ptbxl/records100/00000/00001_lr.dat"
    ).read_bytes()


def test_connection_that_keeps_dropping_leaves_no_half_file(physionet, tmp_path):
    physionet.drops["records100/00000/00001_lr.dat"] = 99
    with pytest.raises(DataError, match=r"00001_lr\.dat: the connection failed or dropped .* 3 times; no partial file"):
        download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
    records = tmp_path / "ptbxl/records100/00000"
    assert sorted(p.name for p in records.iterdir()) == ["00001_lr.hea"], "no .dat, not even a temporary part"


def test_offline_says_physionet_cannot_be_reached_and_the_subset_is_in_use(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HEARTDATA_PHYSIONET_URL", f"http://127.0.0.1:{_closed_port()}/")
    with pytest.raises(PhysioNetUnreachable, match=r"PhysioNet cannot be reached.*subset shipped in data/"):
        download("mitdb", tmp_path / "full", progress=False)
    assert not (tmp_path / "full").exists(), "nothing is created when offline"
    assert main(["download", "ptbxl", "--dest", str(tmp_path / "full"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Offline: http://127.0.0.1:") and "ptb-xl/1.0.3/" in err and "shipped" in err
    assert ptbxl.load_signals([1]).shape == (1, 1000, 12), "the shipped subset still loads"


def test_command_line_download(physionet, tmp_path, capsys):
    assert main(["download", "ptbxl", "--dest", str(tmp_path), "--base-url", physionet.url, "--quiet"]) == 0
    assert f"HEARTDATA_DIR={tmp_path.resolve()}" in capsys.readouterr().out
    assert (tmp_path / "ptbxl" / "ptbxl_database.csv").is_file()


def test_download_never_writes_into_the_shipped_data(physionet):
    with pytest.raises(DataError, match=r"shipped data folder, which code never writes"):
        download("ptbxl", DATA, base_url=physionet.url, progress=False)


def test_bad_requests_are_named(physionet, tmp_path):
    with pytest.raises(DataError, match=r"dataset='ptb-xl': no such dataset.*ptbxl, challenge2012, mitdb"):
        download("ptb-xl", tmp_path)
    with pytest.raises(DataError, match=r"dest=None: no destination folder"):
        download("ptbxl")
    with pytest.raises(DataError, match=r"SHA256SUMS\.txt: the server answered 404"):
        download("ptbxl", tmp_path, base_url=physionet.url + "nowhere/", progress=False)
    (physionet.folder / "SHA256SUMS.txt").write_text("this is not a checksum list\n")
    with pytest.raises(DataError, match=r"SHA256SUMS\.txt, line 1: is not '<sha256> <path>'"):
        download("ptbxl", tmp_path, base_url=physionet.url, progress=False)
