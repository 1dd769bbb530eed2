"""The full-size copies tools/bench.py builds (for its scaling rows and for --lessons) are valid datasets:
every loader check passes on them, and they are laid out as PhysioNet serves the full datasets."""

from __future__ import annotations

import sys

import numpy as np
from conftest import REPO

from heartdata import challenge2012, mitdb, ptbxl

sys.path.insert(0, str(REPO / "tools"))
import bench  # noqa: E402


def test_ptbxl_copy_at_both_rates_passes_every_check(tmp_path):
    bench.build_ptbxl(tmp_path / "ptbxl", 70, rates=(100, 500))
    meta = ptbxl.load_metadata(tmp_path)
    assert list(meta.index) == list(range(1, 71))
    x100 = ptbxl.load_signals(meta.index, fs=100, root=tmp_path)
    x500 = ptbxl.load_signals(meta.index, fs=500, root=tmp_path)
    np.testing.assert_array_equal(x100[0], ptbxl.load_signals([1])[0])
    np.testing.assert_array_equal(x500[60], ptbxl.load_signals([1], fs=500)[0])  # record 61 repeats record 1
    assert not list((tmp_path / "ptbxl").glob(".originals*")), "the private copies sit beside the dataset"


def test_challenge_copy_has_three_sets_whose_stays_match_their_names(tmp_path):
    bench.build_challenge_sets(tmp_path / "challenge2012")
    assert challenge2012.available_sets(tmp_path) == ["a", "b", "c"]
    a = challenge2012.load_stays("a", tmp_path)
    for name, offset in (("b", 200_000), ("c", 300_000)):
        s = challenge2012.load_stays(name, tmp_path)
        assert len(s) == len(a) and (s["RecordID"].to_numpy() == a["RecordID"].to_numpy() + offset).all()
        out = challenge2012.load_outcomes(name, tmp_path)
        assert set(out.index) == set(s["RecordID"])


def test_load_note_says_when_the_machine_is_loaded(monkeypatch):
    monkeypatch.setattr(bench.os, "getloadavg", lambda: (9.0, 8.0, 7.0))
    monkeypatch.setattr(bench.os, "cpu_count", lambda: 2)
    assert "LOADED" in bench.load_note() and "CPU-time ratios" in bench.load_note()
    monkeypatch.setattr(bench.os, "getloadavg", lambda: (0.2, 0.1, 0.1))
    assert bench.load_note().endswith("quiet")


def test_mitdb_copy_loads(tmp_path):
    import shutil

    shutil.copytree(bench.DATA / "mitdb", tmp_path / "mitdb")
    assert mitdb.load_record("100", tmp_path).fs == 360
