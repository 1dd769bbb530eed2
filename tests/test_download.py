"""heartdata.download against a local HTTP server on 127.0.0.1 laid out as PhysioNet serves files/:
a good copy, a file whose checksum does not match, a connection that drops half-way, and no server."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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


# ---- issue 12, family 11: the download command's bad input, one line and exit code 2 ----------------------


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("layout", ["below-a-file", "deep-below-a-file", "dataset-is-a-file", "dest-is-a-file"])
def test_destinations_that_cannot_hold_the_dataset(physionet, tmp_path, capsys, layout):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    dest = {"below-a-file": a_file / "sub", "deep-below-a-file": a_file / "a" / "b", "dest-is-a-file": a_file,
            "dataset-is-a-file": tmp_path / "d"}[layout]  # fmt: skip
    if layout == "dataset-is-a-file":
        dest.mkdir()
        (dest / "ptbxl").write_text("x")
    assert main(["download", "ptbxl", "--dest", str(dest), "--base-url", physionet.url, "--quiet"]) == 2
    line = _one_line(capsys)
    assert line.startswith("Download failed: ") and ("a-file" in line or "ptbxl" in line)
    assert "--dest" in line or "Move it" in line
    assert physionet.requests == [], "refused before anything was fetched"


def test_destination_not_writable(physionet, tmp_path, capsys, monkeypatch):
    import heartdata.physionet as hp

    monkeypatch.setattr(hp.os, "access", lambda *a, **k: False)
    assert main(["download", "ptbxl", "--dest", str(tmp_path / "new"), "--base-url", physionet.url, "--quiet"]) == 2
    assert "is not writable by you" in _one_line(capsys)


def test_destination_that_cannot_be_created(physionet, tmp_path, capsys, monkeypatch):
    def read_only(self, *a, **k):
        raise OSError(30, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert main(["download", "ptbxl", "--dest", str(tmp_path / "new"), "--base-url", physionet.url, "--quiet"]) == 2
    assert "cannot be created (Read-only file system)" in _one_line(capsys)


@pytest.mark.parametrize(
    "url, message",
    [("physionet.org/files/ptb-xl/1.0.3/", "has no scheme"), ("ftp://physionet.org/files/ptb-xl/1.0.3/", "uses ftp://"),
     ("file:///etc/", "uses file://"), ("http://127.0.0.1:99999/x/", "is not a valid URL"),
     ("http://127.0.0.1:port/x/", "is not a valid URL"), ("http://127.0.0.1:0/x/", "port 0"),
     ("http:///x/", "names no server"), ("https://", "names no server"), ("", "is not a URL"), ("   ", "is not a URL"),
     ("//physionet.org/x", "no scheme")],
)  # fmt: skip
def test_base_urls_that_cannot_work(tmp_path, capsys, url, message):
    assert main(["download", "ptbxl", "--dest", str(tmp_path), "--base-url", url, "--quiet"]) == 2
    line = _one_line(capsys)
    assert "base_url=" in line and message in line and "https://" in line
    assert not (tmp_path / "ptbxl").exists()


def test_a_mirror_variable_that_cannot_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HEARTDATA_PHYSIONET_URL", "ftp://mirror.example/files/")
    assert main(["download", "mitdb", "--dest", str(tmp_path), "--quiet"]) == 2
    assert "$HEARTDATA_PHYSIONET_URL='ftp://mirror.example/files/': uses ftp://" in _one_line(capsys)


@pytest.mark.parametrize("args", [["download"], ["download", "ptb-xl"], ["upload", "ptbxl"], []])
def test_usage_errors_are_one_line(capsys, args):
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2
    assert "--help" in _one_line(capsys)


@pytest.mark.parametrize("existed", [False, True], ids=["new", "resumed"])
@pytest.mark.parametrize("after", [0, 1, 4])
def test_ctrl_c_gives_one_line_and_leaves_no_empty_folder(physionet, tmp_path, capsys, monkeypatch, after, existed):
    import pooch

    real, calls = pooch.Pooch.fetch, []

    def interrupted(self, *a, **k):
        calls.append(1)
        if len(calls) > after:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(pooch.Pooch, "fetch", interrupted)
    dest = tmp_path / "new" / "deeper"
    if existed:  # a second run into a folder a user made (kept, even empty)
        (dest / "ptbxl").mkdir(parents=True)
    assert main(["download", "ptbxl", "--dest", str(dest), "--base-url", physionet.url, "--quiet"]) == 2
    assert _one_line(capsys).startswith("Interrupted: files already verified are kept")
    if after == 0 and existed:
        assert sorted(p.name for p in (tmp_path / "new").rglob("*")) == ["deeper", "ptbxl"], "kept, nothing added"
    elif after == 0:
        assert not (tmp_path / "new").exists(), "the folders made for the download are removed again"
    else:
        kept = [p for p in (dest / "ptbxl").rglob("*") if p.is_file()]
        assert len(kept) == after, "the files verified before Ctrl-C are kept"
        assert not [p for p in kept if p.name.startswith("tmp")], "no partial file"
        assert not [d for d in (dest / "ptbxl").rglob("*") if d.is_dir() and not any(d.iterdir())], "no empty folder"


# ---- issue 12, family 12: no path, however linked, writes under data/ --------------------------------------


def _data_state():
    return {p: (p.stat().st_size, p.stat().st_mtime_ns, _sha(p.read_bytes())) for p in sorted(DATA.rglob("*"))
            if p.is_file()}  # fmt: skip


@pytest.fixture
def newer_mirror(physionet):
    """The mirror now serves a LICENSE.txt that differs from the shipped one (as PhysioNet's current files may):
    a download that followed a link into data/ would overwrite the shipped file."""
    (physionet.folder / "LICENSE.txt").write_text("a newer licence text\n")
    lines = [f"{_sha((physionet.folder / rel).read_bytes())} {rel}" for rel in PTBXL_FILES]
    (physionet.folder / "SHA256SUMS.txt").write_text("\n".join(lines) + "\n")
    return physionet


def _link(path, target):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


LINKS = {
    "dataset folder": lambda d: _link(d / "ptbxl", DATA / "ptbxl"),
    "destination": lambda d: _link(d, DATA),
    "a link to a link": lambda d: (_link(d.parent / "hop", DATA / "ptbxl"), _link(d / "ptbxl", d.parent / "hop")),
    "a subfolder": lambda d: _link(d / "ptbxl" / "records100", DATA / "ptbxl" / "records100"),
    "a deeper subfolder": lambda d: _link(d / "ptbxl" / "records100" / "00000", DATA / "ptbxl/records100/00000"),
    "one file": lambda d: _link(d / "ptbxl" / "LICENSE.txt", DATA / "ptbxl" / "LICENSE.txt"),
    "the checksum list": lambda d: _link(d / "ptbxl" / "SHA256SUMS.txt", DATA / "ptbxl" / "SHA256SUMS.txt"),
    "relative link": lambda d: _link(d / "ptbxl", os.path.relpath(DATA / "ptbxl", d)),
}


@pytest.mark.parametrize("how", list(LINKS))
def test_no_link_leads_a_download_into_data(newer_mirror, tmp_path, capsys, how):
    dest = tmp_path / "dest"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if how != "destination":
        dest.mkdir()
    LINKS[how](dest)
    before = _data_state()
    with pytest.raises(DataError, match=r"shipped data folder, which code never writes"):
        download("ptbxl", dest, base_url=newer_mirror.url, progress=False)
    assert main(["download", "ptbxl", "--dest", str(dest), "--base-url", newer_mirror.url, "--quiet"]) == 2
    assert "shipped data folder" in _one_line(capsys)
    assert _data_state() == before, "nothing under data/ changed"
    assert not [r for r in newer_mirror.requests if not r.endswith("SHA256SUMS.txt")], "no data file was fetched"


@pytest.mark.parametrize("spelling", [lambda: DATA / "ptbxl" / "..", lambda: DATA / "mitdb" / ".." / "ptbxl",
                                      lambda: os.path.relpath(DATA, Path.cwd())])  # fmt: skip
def test_data_spelled_another_way_is_refused(physionet, spelling):
    with pytest.raises(DataError, match=r"shipped data folder"):
        download("ptbxl", spelling(), base_url=physionet.url, progress=False)


def test_a_link_elsewhere_is_followed(physionet, tmp_path):
    """Links that do not lead into data/ are fine: the guard is about data/, not about links."""
    (tmp_path / "real").mkdir()
    (tmp_path / "dest").mkdir()
    (tmp_path / "dest" / "ptbxl").symlink_to(tmp_path / "real")
    download("ptbxl", tmp_path / "dest", base_url=physionet.url, progress=False)
    assert (tmp_path / "real" / "ptbxl_database.csv").read_bytes() == (DATA / "ptbxl/ptbxl_database.csv").read_bytes()


@pytest.mark.parametrize(
    "kwargs, message",
    [({"include": [1]}, r"include=\[1\]: is not a list of file patterns"), ({"include": []}, r"include=\[\]"),
     ({"include": 5}, r"include=5"), ({"timeout": 0}, r"timeout=0: must be a positive"),
     ({"timeout": "60"}, r"timeout='60'"), ({"timeout": float("nan")}, r"timeout=nan"),
     ({"dest": 123}, r"dest=123: is a int, not a folder path"), ({"dataset": None}, r"dataset=None: no such dataset"),
     ({"base_url": 5}, r"base_url=5: is not a URL")],
)  # fmt: skip
def test_bad_download_arguments_are_named_before_anything_is_fetched(physionet, tmp_path, kwargs, message):
    args = {"dataset": "ptbxl", "dest": tmp_path, "base_url": physionet.url, "progress": False, **kwargs}
    with pytest.raises(DataError, match=message):
        download(args.pop("dataset"), args.pop("dest"), **args)
    assert physionet.requests == []
