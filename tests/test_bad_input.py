"""Bad input the loaders answer with a specific DataError (file, what is wrong, what to do), beyond the
cases in test_loaders.py; full-dataset layouts (sets b and c, batches); and data/ is never written."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import stat
import sys
import tarfile

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from heartdata import DataError, challenge2012, mitdb, ptbxl


def _record(root, ecg_id=1):
    return root / "ptbxl" / "records100" / "00000" / f"{ecg_id:05d}_lr"


# ---- missing files -----------------------------------------------------------------------------------


def test_missing_metadata_file(data_copy):
    (data_copy / "ptbxl" / "ptbxl_database.csv").unlink()
    with pytest.raises(DataError, match=r"ptbxl_database\.csv: PTB-XL metadata file not found.*laid out"):
        ptbxl.load_signals([1], root=data_copy)
    with pytest.raises(DataError, match=r"ptbxl_database\.csv: PTB-XL metadata file not found"):
        ptbxl.load_metadata(root=data_copy)


def test_missing_header_file_says_what_the_copy_has(data_copy):
    _record(data_copy, 7).with_suffix(".hea").unlink()
    with pytest.raises(DataError, match=r"00007_lr\.hea: ecg_id 7 has no 100 Hz record.*449 records at 100 Hz"):
        ptbxl.load_signals([6, 7], root=data_copy)


def test_missing_outcomes_file(data_copy):
    (data_copy / "challenge2012" / "Outcomes-a.txt").unlink()
    with pytest.raises(DataError, match=r"Outcomes-a\.txt: Challenge 2012 outcomes file not found"):
        challenge2012.load_outcomes("a", root=data_copy)


def test_metadata_without_the_filename_column(data_copy):
    path = data_copy / "ptbxl" / "ptbxl_database.csv"
    pd.read_csv(path).drop(columns="filename_lr").to_csv(path, index=False)
    with pytest.raises(DataError, match=r"ptbxl_database\.csv: is not PTB-XL's metadata table.*filename_lr"):
        ptbxl.load_signals([1], root=data_copy)


# ---- headers that disagree with their data, or are not WFDB -----------------------------------------


def test_binary_file_in_place_of_a_header(data_copy):
    hea = _record(data_copy).with_suffix(".hea")
    hea.write_bytes(_record(data_copy).with_suffix(".dat").read_bytes()[:400])
    with pytest.raises(DataError, match=r"00001_lr\.hea: not a valid WFDB header \(the file is not plain ASCII"):
        ptbxl.load_signals([1], root=data_copy)


def test_dat_longer_than_its_header_says(data_copy):
    dat = _record(data_copy, 2).with_suffix(".dat")
    dat.write_bytes(dat.read_bytes() + b"\0" * 24)
    with pytest.raises(DataError, match=r"00002_lr\.dat: holds 24,024 bytes but .* 1000 samples"):
        ptbxl.load_signals([1, 2], root=data_copy)


def test_a_damaged_record_in_a_later_batch_is_named(data_copy):
    raw = bytearray(_record(data_copy, 300).with_suffix(".dat").read_bytes())
    raw[5000] ^= 0x01
    _record(data_copy, 300).with_suffix(".dat").write_bytes(bytes(raw))
    batches = ptbxl.iter_signals(range(1, 451), batch_size=100, root=data_copy)
    for _ in range(2):
        next(batches)
    with pytest.raises(DataError, match=r"00300_lr\.dat: lead .* fails its WFDB checksum"):
        next(batches)


# ---- archives ----------------------------------------------------------------------------------------


def test_corrupted_archive_fails_its_gzip_check(data_copy):
    archive = data_copy / "challenge2012" / "set-a.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # one flipped byte in the middle of the compressed stream
    archive.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete.*Download set-a"):
        challenge2012.load_stays("a", root=data_copy)


def test_archive_whose_tar_is_cut_inside_a_stay_file(data_copy):
    archive = data_copy / "challenge2012" / "set-a.tar.gz"
    tar_bytes = gzip.decompress(archive.read_bytes())
    archive.write_bytes(gzip.compress(tar_bytes[: len(tar_bytes) // 2 + 100]))  # a valid gzip of half a tar
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete"):
        challenge2012.load_stays("a", root=data_copy)


def test_file_that_is_not_an_archive(data_copy):
    (data_copy / "challenge2012" / "set-a.tar.gz").write_text("Time,Parameter,Value\n")
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete \(BadGzipFile"):
        challenge2012.load_stays("a", root=data_copy)


# ---- Challenge 2012 text files -----------------------------------------------------------------------


def test_outcomes_with_an_extra_column(data_copy):
    path = data_copy / "challenge2012" / "Outcomes-a.txt"
    table = pd.read_csv(path)
    table["Ward"] = 1
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"Outcomes-a\.txt: columns are .*missing \[\], unexpected \['Ward'\]"):
        challenge2012.load_outcomes("a", root=data_copy)


def _edit_stay_in_archive(data_copy, record_id, edit):
    archive = data_copy / "challenge2012" / "set-a.tar.gz"
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar]
    with tarfile.open(archive, "w:gz") as out:
        for m, body in members:
            if m.name == f"set-a/{record_id}.txt":
                body = edit(body)
                m.size = len(body)
            out.addfile(m, io.BytesIO(body) if body is not None else None)


@pytest.mark.parametrize(
    "edit, line, shown",
    [
        (lambda b: b.replace(b"00:00,Age,54\n", b"00:00,Age,54,years\n"), 3, "00:00,Age,54,years"),
        (lambda b: b.replace(b"00:00,Age,54\n", b"00:00,Age,\n"), 3, "00:00,Age,"),
        (lambda b: b.replace(b"00:00,Age,54\n", b"\n"), 3, ""),
        (lambda b: b.replace(b"00:00,Age,54\n", b"0:00,Age,5 4\n"), 3, "0:00,Age,5 4"),
        (lambda b: b.replace(b"00:00,Age,54\n", b"00:00,,54\n"), 3, "00:00,,54"),
    ],
)
def test_stay_line_that_does_not_parse_in_the_archive(data_copy, edit, line, shown):
    _edit_stay_in_archive(data_copy, 132539, edit)
    with pytest.raises(DataError, match=rf"set-a/132539\.txt, line {line}: cannot parse") as err:
        challenge2012.load_stays("a", root=data_copy)
    assert repr(shown.replace(":", ",")) in str(err.value) or repr(shown) in str(err.value)


def test_stay_file_that_is_not_a_stay_file(data_copy):
    _edit_stay_in_archive(data_copy, 132540, lambda b: b.replace(b"Time,Parameter,Value", b"RecordID,Age"))
    with pytest.raises(DataError, match=r"132540\.txt: line 1 is 'RecordID,Age', expected 'Time,Parameter,Value'"):
        challenge2012.load_stays("a", root=data_copy)


# ---- unknown requests --------------------------------------------------------------------------------


def test_unknown_requests_in_the_newer_functions():
    with pytest.raises(DataError, match=r"fs=1000: PTB-XL has no such sampling rate"):
        ptbxl.iter_signals([1], fs=1000)
    with pytest.raises(DataError, match=r"unknown ecg_id 0, 21800"):
        ptbxl.iter_signals([1, 0, 21800])  # reported at once, before any record is read
    with pytest.raises(DataError, match=r"batch_size=0: a batch must hold at least one record"):
        ptbxl.iter_signals([1], batch_size=0)
    with pytest.raises(DataError, match=r"unknown set name 'd'.*Available set names \(1\): a"):
        challenge2012.load_stays("d", record_ids=[132539])


# ---- full-dataset layouts ----------------------------------------------------------------------------


def test_iter_signals_streams_the_same_values_in_batches():
    ids = [5, 450, 1, 2, 3, 60, 61]
    got = list(ptbxl.iter_signals(ids, fs=100, batch_size=3))
    assert [list(b) for b, _ in got] == [[5, 450, 1], [2, 3, 60], [61]]
    np.testing.assert_array_equal(np.concatenate([x for _, x in got]), ptbxl.load_signals(ids))
    (b500, x500), *rest = list(ptbxl.iter_signals(range(1, 61), fs=500, batch_size=64))
    assert not rest and x500.shape == (60, 5000, 12)
    np.testing.assert_array_equal(x500, ptbxl.load_signals(range(1, 61), fs=500))


def test_sets_b_and_c_as_physionet_serves_them(tmp_path, data_copy):
    """Sets b and c come as set-x/ folders or set-x.tar.gz with Outcomes-x.txt; set A's files stand in."""
    folder = data_copy / "challenge2012"
    with tarfile.open(folder / "set-a.tar.gz") as tar, tarfile.open(folder / "set-c.tar.gz", "w:gz") as out:
        for m in tar:
            m.name = m.name.replace("set-a", "set-c")
            out.addfile(m, tar.extractfile(m) if m.isfile() else None)
    with tarfile.open(folder / "set-a.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    (tmp_path / "set-a").rename(folder / "set-b")
    for s in "bc":
        shutil.copy(folder / "Outcomes-a.txt", folder / f"Outcomes-{s}.txt")
    assert challenge2012.available_sets(data_copy) == ["a", "b", "c"]
    a = challenge2012.load_stays("a")
    for s in "bc":
        pd.testing.assert_frame_equal(challenge2012.load_stays(s, root=data_copy), a)
        assert len(challenge2012.load_outcomes(s, root=data_copy)) == 4000
    # root may also be the challenge2012/ folder itself, with only set folders in it
    (folder / "set-a.tar.gz").unlink()
    (folder / "set-c.tar.gz").unlink()
    for s in "abc":
        (folder / f"Outcomes-{s}.txt").unlink()
    assert challenge2012.available_sets(folder) == ["b"]


# ---- data/ is never written --------------------------------------------------------------------------


def _snapshot(root):
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


_WRITES: list[str] = []
_WATCH: dict = {"roots": ()}


def _audit(event, args):
    # open(path, mode, flags): any open of a file under a watched folder that could write is recorded
    if _WATCH["roots"] and event == "open" and isinstance(args[0], str | bytes | os.PathLike):
        path = os.path.abspath(os.fsdecode(args[0]))
        mode, flags = args[1], args[2]
        writes = (mode and any(c in mode for c in "wax+")) or (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes and path.startswith(_WATCH["roots"]):
            _WRITES.append(f"{path} ({mode or flags})")


sys.addaudithook(_audit)


def _run_every_loader(root=None):
    ptbxl.load_metadata(root)
    ptbxl.load_scp_statements(root)
    ptbxl.load_signals(range(1, 451), root=root)
    for _ in ptbxl.iter_signals(range(1, 61), fs=500, batch_size=25, root=root):
        pass
    challenge2012.load_stays("a", root=root)
    challenge2012.load_stays("a", root=root, record_ids=[132539])
    challenge2012.load_outcomes("a", root=root)
    mitdb.load_record("100", root=root)
    mitdb.load_annotations("100", root=root)
    with pytest.raises(DataError):
        ptbxl.load_signals([99999], root=root)


def test_loaders_never_write_under_data(data_copy):
    """data/ itself is watched (every open for writing is recorded, even as root, who ignores file modes);
    a read-only copy of it is loaded too (the shipped folder is not chmodded: tests copy it in parallel)."""
    before = _snapshot(DATA)
    modes = {p: p.stat().st_mode for p in [data_copy, *data_copy.rglob("*")]}
    for p, mode in modes.items():
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    _WATCH["roots"] = (str(DATA) + os.sep, str(data_copy) + os.sep)
    try:
        _run_every_loader()
        _run_every_loader(data_copy)
    finally:
        _WATCH["roots"] = ()
        for p, mode in modes.items():
            p.chmod(mode)
    assert _WRITES == [], f"opened for writing under data/: {_WRITES}"
    assert _snapshot(DATA) == before


def test_the_audit_hook_sees_a_write(tmp_path):
    """The guard above can fail: a write under a watched folder is recorded."""
    probe = tmp_path / "probe.txt"
    _WATCH["roots"] = (str(tmp_path) + os.sep,)
    try:
        probe.write_text("x")
    finally:
        _WATCH["roots"] = ()
    assert _WRITES.pop() == f"{probe} (w)"
