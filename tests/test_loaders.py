"""The raw loaders: shapes, raw values kept, the same answers as wfdb, other roots, and clear errors."""

from __future__ import annotations

import csv
import shutil
import tarfile

import numpy as np
import pandas as pd
import pytest
import wfdb
from conftest import DATA

import heartdata
from heartdata import DataError, challenge2012, mitdb, ptbxl

# ---- PTB-XL ------------------------------------------------------------------------------------------


def test_metadata_is_raw_and_indexed_by_ecg_id():
    meta = ptbxl.load_metadata()
    with open(DATA / "ptbxl" / "ptbxl_database.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert meta.index.name == "ecg_id"
    assert list(meta.index) == [int(r["ecg_id"]) for r in rows]
    assert list(meta.columns) == [c for c in rows[0] if c != "ecg_id"]
    # raw: identifiers still floats, dict literal still text, padded free text untouched
    assert meta["patient_id"].dtype == float
    assert meta.loc[1, "scp_codes"] == rows[0]["scp_codes"]
    assert meta.loc[1, "static_noise"] == rows[0]["static_noise"]


def test_scp_statements_indexed_by_code():
    scp = ptbxl.load_scp_statements()
    assert "NORM" in scp.index and scp.loc["NORM", "diagnostic_class"] == "NORM"


@pytest.mark.parametrize("fs, ids", [(100, [3, 1, 450]), (500, [60, 2])])
def test_signals_match_wfdb_in_millivolts_and_order(fs, ids):
    meta = ptbxl.load_metadata()
    x = ptbxl.load_signals(ids, fs=fs)
    column = ptbxl.FILENAME_COLUMN[fs]
    assert x.shape == (len(ids), 10 * fs, 12)
    for k, ecg_id in enumerate(ids):
        rec = wfdb.rdrecord(str(DATA / "ptbxl" / meta.loc[ecg_id, column]))
        assert rec.sig_name == ptbxl.LEADS and set(rec.units) == {"mV"}
        np.testing.assert_allclose(x[k], rec.p_signal, rtol=0, atol=1e-12)


def test_signals_accept_a_single_id_and_pandas_index():
    meta = ptbxl.load_metadata()
    assert ptbxl.load_signals(5).shape == (1, 1000, 12)
    assert ptbxl.load_signals(meta.index[:3]).shape == (3, 1000, 12)


def test_unknown_ecg_id_says_which_and_what_exists():
    with pytest.raises(DataError, match=r"unknown ecg_id 99999.*Available ecg_ids \(450\): 1, 2"):
        ptbxl.load_signals([1, 99999])


def test_unknown_sampling_rate():
    with pytest.raises(DataError, match=r"fs=250.*one of \[100, 500\]"):
        ptbxl.load_signals([1], fs=250)


def test_record_absent_at_500_hz_says_what_this_copy_has():
    with pytest.raises(DataError, match=r"ecg_id 61 has no 500 Hz record.*60 records at 500 Hz \(ecg_id 1\.\.60\)"):
        ptbxl.load_signals([61], fs=500)


def _record(root, ecg_id=1):
    return root / "ptbxl" / "records100" / "00000" / f"{ecg_id:05d}_lr"


def test_truncated_dat_is_reported_with_sizes(data_copy):
    dat = _record(data_copy).with_suffix(".dat")
    dat.write_bytes(dat.read_bytes()[:5000])
    with pytest.raises(DataError, match=r"00001_lr\.dat: holds 5,000 bytes.*24,000 bytes \(truncated"):
        ptbxl.load_signals([1], root=data_copy)


def test_damaged_samples_fail_the_checksum(data_copy):
    dat = _record(data_copy).with_suffix(".dat")
    raw = bytearray(dat.read_bytes())
    raw[100] ^= 0xFF
    dat.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"fails its WFDB checksum"):
        ptbxl.load_signals([1], root=data_copy)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("00001_lr 12 100 1000", "00001_lr 12 100 900"), r"holds 24,000 bytes but .* 900 samples"),
        (lambda t: t.replace(" 16 1000.0(0)/mV", " 212 1000.0(0)/mV", 1), r"storage formats \['16', '212'\]"),
        (
            lambda t: "\n".join(t.splitlines()[:-1]).replace("12 100 1000", "11 100 1000"),
            r"leads are .*expected the 12",
        ),
        (lambda t: "this is not a header\n", r"not a valid WFDB header"),
        (lambda t: t.replace("12 100 1000", "12 500 1000"), r"sampling frequency is 500 Hz"),
        (lambda t: t.replace("1000.0(0)/mV", "0.0(0)/mV", 1), r"a lead has a gain of zero or less"),
        (lambda t: t.replace("00001_lr.dat", "00002_lr.dat"), r"signals point at \['00002_lr\.dat'\]"),
        (lambda t: t.replace(" -119 1508 0 I", " -119 1509 0 I"), r"00001_lr\.dat: lead I fails its WFDB checksum"),
        (lambda t: t.replace(" 0 -119 1508 0 I", " 0 -119 1508 0 MLII"), r"leads are \['MLII', 'II'"),
        (lambda t: t.replace("1000.0(0)/mV", "1000.0(x)/mV", 1), r"signal line 1 .* does not have the 9 WFDB"),
        (lambda t: t.replace("00001_lr 12 100 1000", "00001_lr twelve 100 1000"), r"record line .* is not 'name"),
    ],
)
def test_header_that_disagrees_with_its_data(data_copy, edit, message):
    hea = _record(data_copy).with_suffix(".hea")
    hea.write_text(edit(hea.read_text()))
    with pytest.raises(DataError, match=message):
        ptbxl.load_signals([1], root=data_copy)


def test_missing_dat_file(data_copy):
    _record(data_copy).with_suffix(".dat").unlink()
    with pytest.raises(DataError, match=r"00001_lr\.dat: WFDB signal file not found"):
        ptbxl.load_signals([1], root=data_copy)


# ---- Challenge 2012 ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stays():
    return challenge2012.load_stays("a")


def _raw_stay_rows(record_id: int) -> list[list[str]]:
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        text = tar.extractfile(f"set-a/{record_id}.txt").read().decode()
    return [line.split(",") for line in text.splitlines()[1:]]


def test_stays_keep_every_row_of_every_file(stays):
    assert list(stays.columns) == ["RecordID", "Time", "Parameter", "Value"]
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        n_lines = sum(tar.extractfile(m).read().count(b"\n") - 1 for m in tar if m.isfile())
    assert len(stays) == n_lines
    assert stays["RecordID"].nunique() == 4000


def test_one_stay_is_exactly_its_file(stays):
    rid = 132539
    rows = _raw_stay_rows(rid)
    one = stays[stays["RecordID"].eq(rid)]
    assert list(one["Parameter"]) == [r[1] for r in rows]
    assert list(one["Value"]) == [float(r[2]) for r in rows]
    assert list(one["Time"]) == [int(r[0][:2]) * 60 + int(r[0][3:]) for r in rows]


def test_stays_are_raw_sentinels_kept(stays):
    heights = stays[stays["Parameter"].eq("Height")]["Value"]
    assert (heights == -1).sum() > 0, "-1 means 'not recorded' and must not be cleaned away by the loader"


def test_set_folder_and_archive_give_the_same_table(tmp_path, stays):
    root = tmp_path / "challenge2012"
    root.mkdir()
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        tar.extractall(root, filter="data")
    shutil.copy(DATA / "challenge2012" / "Outcomes-a.txt", root)
    pd.testing.assert_frame_equal(challenge2012.load_stays("a", root=tmp_path), stays)


def test_record_ids_select_stays(stays):
    some = challenge2012.load_stays("a", record_ids=[132540, 132539])
    assert set(some["RecordID"]) == {132539, 132540}
    pd.testing.assert_frame_equal(
        some.reset_index(drop=True), stays[stays["RecordID"].isin([132539, 132540])].reset_index(drop=True)
    )


def test_unknown_record_id_and_set_name():
    with pytest.raises(DataError, match=r"unknown RecordID 1\b.*Available RecordIDs \(4000\)"):
        challenge2012.load_stays("a", record_ids=[1])
    with pytest.raises(DataError, match=r"unknown set name 'z'.*Available set names \(1\): a"):
        challenge2012.load_stays("z")
    with pytest.raises(DataError, match=r"unknown outcomes set name 'z'"):
        challenge2012.load_outcomes("z")


def test_outcomes_indexed_by_record_id_with_raw_values():
    out = challenge2012.load_outcomes("a")
    assert out.index.name == "RecordID" and len(out) == 4000
    assert list(out.columns) == challenge2012.OUTCOME_COLUMNS[1:]
    assert (out["Survival"] == -1).any(), "Survival keeps its -1 code"


def test_outcomes_with_a_missing_column(data_copy):
    path = data_copy / "challenge2012" / "Outcomes-a.txt"
    table = pd.read_csv(path).drop(columns="SOFA")
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"Outcomes-a\.txt: columns are .*missing \['SOFA'\]"):
        challenge2012.load_outcomes("a", root=data_copy)


def _set_dir(data_copy):
    root = data_copy / "challenge2012"
    with tarfile.open(root / "set-a.tar.gz") as tar:
        tar.extractall(root, filter="data")
    (root / "set-a.tar.gz").unlink()
    return root / "set-a"


def test_unparseable_line_reports_file_and_line(data_copy):
    stay = _set_dir(data_copy) / "132541.txt"
    lines = stay.read_text().splitlines()
    lines[9] = "00:31,HR,seventy"
    stay.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"132541\.txt, line 10: cannot parse '00,31,HR,seventy'|132541\.txt, line 10"):
        challenge2012.load_stays("a", root=data_copy)


def test_damaged_archive(data_copy):
    archive = data_copy / "challenge2012" / "set-a.tar.gz"
    archive.write_bytes(archive.read_bytes()[:1_000_000])
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete"):
        challenge2012.load_stays("a", root=data_copy)


# ---- MIT-BIH -----------------------------------------------------------------------------------------


def test_mitdb_record_and_annotations():
    rec = mitdb.load_record("100")
    assert rec.fs == 360 and rec.sig_name == ["MLII", "V5"] and rec.p_signal.shape == (650000, 2)
    ann = mitdb.load_annotations("100")
    raw = wfdb.rdann(str(DATA / "mitdb" / "100"), "atr")
    assert list(ann["sample"]) == list(raw.sample) and list(ann["symbol"]) == raw.symbol
    np.testing.assert_allclose(ann["time_s"], raw.sample / 360)
    assert ann.loc[ann["symbol"].eq("V"), "description"].iloc[0] == "Premature ventricular contraction"
    assert "+" not in mitdb.BEAT_SYMBOLS and {"N", "A", "V"} <= mitdb.BEAT_SYMBOLS


def test_unknown_mitdb_record():
    with pytest.raises(DataError, match=r"unknown record '101'.*Available records \(1\): 100"):
        mitdb.load_annotations("101")


# ---- Where the data comes from -----------------------------------------------------------------------


def test_heartdata_dir_points_at_a_full_copy(monkeypatch, data_copy):
    meta = data_copy / "ptbxl" / "ptbxl_database.csv"
    meta.write_text("\n".join(meta.read_text().splitlines()[:11]) + "\n")  # a "different" copy: 10 ECGs
    monkeypatch.setenv("HEARTDATA_DIR", str(data_copy))
    assert len(ptbxl.load_metadata()) == 10
    assert len(ptbxl.load_metadata(root=DATA)) == 450, "root= wins over the environment variable"
    assert len(ptbxl.load_metadata(root=data_copy / "ptbxl")) == 10, "root may also be the dataset folder itself"


def test_root_that_does_not_exist(tmp_path):
    with pytest.raises(DataError, match=r"folder does not exist"):
        ptbxl.load_metadata(root=tmp_path / "nowhere")
    with pytest.raises(DataError, match=r"no mitdb/ folder here"):
        mitdb.load_record(root=tmp_path)


def test_package_exports():
    assert heartdata.DataError is DataError
    assert issubclass(DataError, ValueError)


def test_package_exports_the_full_data_tools():
    assert callable(heartdata.download) and heartdata.download.__module__ == "heartdata.physionet"
    assert callable(ptbxl.iter_signals)
    assert challenge2012.available_sets() == ["a"]
