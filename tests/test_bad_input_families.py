"""The families of bad input of issue 12, each with its neighbours: every one gives a DataError naming the
file or argument, what is wrong and what to do (never a library traceback, never a silently wrong table).
Challenge 2012 (families 1-6), PTB-XL metadata, units and arguments (6-9), MIT-BIH (10). The download
command (11, 12) is in test_download.py, the mortality command (13) in test_mortality_command.py."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from heartdata import DataError, challenge2012, mitdb, ptbxl

# ---- a small Challenge 2012 set, as a folder or an archive ------------------------------------------

FEW = [132539, 132540, 132541, 132543, 132545]


@pytest.fixture(scope="module")
def stay_bytes() -> dict[int, bytes]:
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        return {
            int(m.name.rsplit("/", 1)[-1][:-4]): tar.extractfile(m).read()
            for m in tar
            if m.isfile() and int(m.name.rsplit("/", 1)[-1][:-4]) in FEW
        }


def make_set(root, files: dict[str, bytes], archive: bool = False, name: str = "a"):
    """root/challenge2012/set-<name>/ (or set-<name>.tar.gz) holding ``files`` (member path -> bytes)."""
    folder = root / "challenge2012"
    folder.mkdir(parents=True, exist_ok=True)
    if archive:
        with tarfile.open(folder / f"set-{name}.tar.gz", "w:gz") as tar:
            for rel, body in files.items():
                info = tarfile.TarInfo(rel if "/" in rel else f"set-{name}/{rel}")
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    else:
        for rel, body in files.items():
            path = folder / f"set-{name}" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
    return root


def good_files(stay_bytes) -> dict[str, bytes]:
    return {f"{rid}.txt": body for rid, body in stay_bytes.items()}


def expected_table(stay_bytes) -> pd.DataFrame:
    rows = []
    for rid in sorted(stay_bytes):
        for line in stay_bytes[rid].decode().splitlines()[1:]:
            t, p, v = line.split(",")
            rows.append((rid, int(t[:2]) * 60 + int(t[3:]), p, float(v)))
    return pd.DataFrame(rows, columns=["RecordID", "Time", "Parameter", "Value"]).astype({"Parameter": "str"})


def edit_line(body: bytes, line: int, new: bytes) -> bytes:
    lines = body.split(b"\n")
    lines[line - 1] = new
    return b"\n".join(lines)


# ---- family 1: files in a set that are not stays ---------------------------------------------------------


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "archive"])
@pytest.mark.parametrize(
    "extra",
    ["README.txt", "._132539.txt", "notes.TXT", "132539.txt.bak", "132539 (copy).txt", "x132539.txt", ".DS_Store"],
)
def test_files_that_are_not_stays_are_skipped_alike(tmp_path, stay_bytes, archive, extra):
    files = {**good_files(stay_bytes), extra: b"\x00\x05Mac OS X metadata, not a stay\n"}
    root = make_set(tmp_path, files, archive)
    pd.testing.assert_frame_equal(challenge2012.load_stays("a", root), expected_table(stay_bytes))


def test_a_folder_named_like_a_stay_is_skipped(tmp_path, stay_bytes):
    root = make_set(tmp_path, good_files(stay_bytes))
    (root / "challenge2012" / "set-a" / "999999.txt").mkdir()
    pd.testing.assert_frame_equal(challenge2012.load_stays("a", root), expected_table(stay_bytes))


# ---- family 2: times and values --------------------------------------------------------------------------

BAD_LINES = [
    (b"-1:30,HR,80", r"time '-1:30' is negative"),
    (b"-0:01,HR,80", r"time '-0:01' is negative"),
    (b"-00:01,HR,80", r"time '-00:01' is negative"),
    (b"00:75,HR,80", r"has 75 minutes"),
    (b"00:60,HR,80", r"has 60 minutes"),
    (b"0:30,HR,80", r"time '0:30' is not HH:MM"),
    (b"100:00,HR,80", r"time '100:00' is not HH:MM"),
    (b"00-30,HR,80", r"is not HH:MM"),
    (b" 00:30,HR,80", r"is not HH:MM"),
    (b"00:30,HR,inf", r"value 'inf' is not a finite number"),
    (b"00:30,HR,-inf", r"value '-inf' is not a finite number"),
    (b"00:30,HR,Infinity", r"not a finite number"),
    (b"00:30,HR,NaN", r"value 'NaN' is not a finite number"),
    (b"00:30,HR,nan", r"not a finite number"),
    (b"00:30,HR,1e999", r"not a finite number"),
    (b"00:30,HR,", r"the value is empty"),
    (b"00:30,HR", r"2 fields"),
    (b"00:30,,80", r"the Parameter is empty"),
    (b"00:30,HR,80,1", r"4 fields"),
    (b"00:30;HR;80", r"1 fields"),
    (b"00:30,HR,eighty", r"value 'eighty' is not a number"),
    (b"00:30,HR,8_0", r"value '8_0' is not a number"),
    (b"", r"the line is blank"),
]


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "archive"])
@pytest.mark.parametrize("line, reason", BAD_LINES, ids=[repr(b) for b, _ in BAD_LINES])
def test_a_line_that_is_not_hh_mm_parameter_finite_value_is_named(tmp_path, stay_bytes, archive, line, reason):
    files = good_files(stay_bytes)
    files["132541.txt"] = edit_line(files["132541.txt"], 7, line)
    root = make_set(tmp_path, files, archive)
    with pytest.raises(DataError, match=rf"132541\.txt, line 7: cannot parse .*{reason}") as err:
        challenge2012.load_stays("a", root)
    assert "HH:MM,Parameter,Value" in err.value.fix


def test_the_first_bad_line_is_named_when_several_are_bad(tmp_path, stay_bytes):
    files = good_files(stay_bytes)
    files["132540.txt"] = edit_line(files["132540.txt"], 9, b"00:61,HR,80")
    files["132543.txt"] = edit_line(files["132543.txt"], 3, b"00:00,Age,inf")
    root = make_set(tmp_path, files)
    with pytest.raises(DataError, match=r"132540\.txt, line 9: .*61 minutes"):
        challenge2012.load_stays("a", root)


@pytest.mark.parametrize("time, minutes", [(b"47:59", 2879), (b"48:00", 2880), (b"00:00", 0), (b"09:05", 545)])
def test_good_times_are_minutes(tmp_path, stay_bytes, time, minutes):
    files = good_files(stay_bytes)
    files["132541.txt"] = edit_line(files["132541.txt"], 7, time + b",HR,80")
    table = challenge2012.load_stays("a", make_set(tmp_path, files))
    row = table[table["RecordID"].eq(132541)].iloc[5]
    assert (row["Time"], row["Parameter"], row["Value"]) == (minutes, "HR", 80.0)


@pytest.mark.parametrize("value", [b"1.011e+04", b"-1", b"0.5", b".5", b"5.", b"+5", b"1E3"])
def test_numbers_as_written_are_kept(tmp_path, stay_bytes, value):
    files = good_files(stay_bytes)
    files["132541.txt"] = edit_line(files["132541.txt"], 7, b"00:30,HR," + value)
    table = challenge2012.load_stays("a", make_set(tmp_path, files))
    assert table[table["RecordID"].eq(132541)].iloc[5]["Value"] == float(value)


# ---- family 3: file name against RecordID row, duplicates, header-only files ---------------------------


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "archive"])
def test_a_stay_copied_over_another_is_refused(tmp_path, stay_bytes, archive):
    files = good_files(stay_bytes)
    files["132540.txt"] = files["132539.txt"]
    root = make_set(tmp_path, files, archive)
    with pytest.raises(DataError, match=r"132540\.txt: its RecordID row says 132539 but the file is named for 132540"):
        challenge2012.load_stays("a", root)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda b: b.replace(b"00:00,RecordID,132541\n", b""), r"has 0 RecordID rows"),
        (
            lambda b: b.replace(b"00:00,RecordID,132541\n", b"00:00,RecordID,132541\n00:00,RecordID,132541\n"),
            r"has 2 RecordID rows",
        ),  # fmt: skip
        (lambda b: b.replace(b"00:00,RecordID,132541", b"00:00,RecordID,132541.5"), r"says 132541\.5"),
        (lambda b: b.replace(b"00:00,RecordID,132541", b"00:00,RecordID,-1"), r"says -1"),
    ],
)
def test_the_record_id_row_must_match_the_name(tmp_path, stay_bytes, edit, message):
    files = good_files(stay_bytes)
    files["132541.txt"] = edit(files["132541.txt"])
    with pytest.raises(DataError, match=rf"132541\.txt: (its RecordID row )?{message}"):
        challenge2012.load_stays("a", make_set(tmp_path, files))


@pytest.mark.parametrize("other", ["set-b/132540.txt", "set-a/copy/132540.txt", "132540.txt", "x/0132540.txt"])
def test_a_stay_stored_twice_in_an_archive_is_refused(tmp_path, stay_bytes, other):
    files = {f"set-a/{k}": v for k, v in good_files(stay_bytes).items()}
    files[other if "/" in other else f"extra/{other}"] = stay_bytes[132540]
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: holds RecordID 132540 twice"):
        challenge2012.load_stays("a", make_set(tmp_path, files, archive=True))


def test_a_stay_stored_twice_in_a_folder_is_refused(tmp_path, stay_bytes):
    files = {**good_files(stay_bytes), "0132540.txt": stay_bytes[132540]}
    with pytest.raises(DataError, match=r"holds RecordID 132540 twice"):
        challenge2012.load_stays("a", make_set(tmp_path, files))


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "archive"])
@pytest.mark.parametrize("body", [b"Time,Parameter,Value\n", b"Time,Parameter,Value", b"Time,Parameter,Value\r\n"])
def test_a_header_only_stay_file_is_refused(tmp_path, stay_bytes, archive, body):
    files = {**good_files(stay_bytes), "132543.txt": body}
    with pytest.raises(DataError, match=r"132543\.txt: holds only its header line"):
        challenge2012.load_stays("a", make_set(tmp_path, files, archive))


@pytest.mark.parametrize("body", [b"", b"\n", b"Time,Value\n00:00,1\n", b"\xef\xbb\xbfTime,Parameter,Value\n"])
def test_a_stay_file_without_its_header_is_refused(tmp_path, stay_bytes, body):
    files = {**good_files(stay_bytes), "132543.txt": body}
    with pytest.raises(DataError, match=r"132543\.txt: line 1 is"):
        challenge2012.load_stays("a", make_set(tmp_path, files))


# ---- family 4: a set folder and its archive both present --------------------------------------------------


def test_folder_and_archive_that_agree_load_once(tmp_path, stay_bytes):
    root = make_set(tmp_path, good_files(stay_bytes))
    make_set(tmp_path, good_files(stay_bytes), archive=True)
    pd.testing.assert_frame_equal(challenge2012.load_stays("a", root), expected_table(stay_bytes))


@pytest.mark.parametrize(
    "folder_files, message",
    [
        (lambda f: dict(list(f.items())[:2]), r"the folder holds 2 stays, the archive 5; 3 only in the archive"),
        (lambda f: {**f, "999999.txt": f["132539.txt"].replace(b"132539", b"999999")}, r"1 only in the folder"),
        (
            lambda f: {**f, "132540.txt": f["132540.txt"].replace(b"00:00,Age,", b"00:00,Age,1")},
            r"1 in both but different \(RecordID 132540\)",
        ),  # fmt: skip
        (lambda f: {}, r"the folder holds 0 stays"),
    ],
    ids=["half-unpacked", "extra", "edited", "empty"],
)
def test_folder_and_archive_that_disagree_are_refused(tmp_path, stay_bytes, folder_files, message):
    root = make_set(tmp_path, good_files(stay_bytes), archive=True)
    (root / "challenge2012" / "set-a").mkdir()
    make_set(tmp_path, folder_files(good_files(stay_bytes)))
    with pytest.raises(DataError, match=rf"set-a: and set-a\.tar\.gz are both here and disagree: .*{message}") as err:
        challenge2012.load_stays("a", root)
    assert "Keep one of them" in err.value.fix


def test_a_file_named_like_a_set_folder(tmp_path, stay_bytes):
    root = make_set(tmp_path, good_files(stay_bytes), archive=True)
    (root / "challenge2012" / "set-a").write_text("not a folder")
    with pytest.raises(DataError, match=r"set-a: is a file, not a set folder"):
        challenge2012.load_stays("a", root)


# ---- family 5: outcomes files -------------------------------------------------------------------------------

OUTCOMES = "RecordID,SAPS-I,SOFA,Length_of_stay,Survival,In-hospital_death\n132539,6,1,5,-1,0\n132540,16,8,8,-1,0\n"


@pytest.mark.parametrize(
    "text, message",
    [
        (OUTCOMES + OUTCOMES, r"line 4: repeats the header line \(two files joined\?\)"),
        (OUTCOMES + "abc,1,1,1,1,0\n", r"line 4: has RecordID 'abc', not a whole number"),
        (OUTCOMES + "132541.5,1,1,1,1,0\n", r"line 4: has RecordID '132541.5', not a whole number"),
        (OUTCOMES + "132541,1,1,1,1,\n", r"line 4: has In-hospital_death '', not a number"),
        (OUTCOMES + "132541,1,inf,1,1,0\n", r"line 4: has SOFA 'inf', not a number"),
        (OUTCOMES + "132541,1,NaN,1,1,0\n", r"line 4: has SOFA 'NaN'"),
        (OUTCOMES + "132541,1\n", r"line 4: has SOFA ''"),
        (OUTCOMES + "132541,1,1,1,1,0,7\n", r"line 4: does not have the 6 columns"),
        (OUTCOMES + "132539,6,1,5,-1,0\n", r"lists RecordID 132539 on lines 2, 4"),
        (OUTCOMES.replace("RecordID,", "recordid,"), r"columns are .*missing \['RecordID'\]"),
        ("", r"columns are \[\]"),
        (OUTCOMES + "\n132541,1,1,1,1,0\n", r"line 4: is blank"),
    ],
)
def test_outcomes_that_would_load_wrongly_are_refused(tmp_path, text, message):
    folder = tmp_path / "challenge2012"
    folder.mkdir()
    (folder / "Outcomes-a.txt").write_text(text)
    with pytest.raises(DataError, match=rf"Outcomes-a\.txt[,:] {message}"):
        challenge2012.load_outcomes("a", tmp_path)


@pytest.mark.parametrize("edit", [lambda t: "\ufeff" + t, lambda t: t.replace("\n", "\r\n")], ids=["BOM", "CRLF"])
def test_outcomes_from_editors_that_add_a_bom_or_crlf(tmp_path, edit):
    folder = tmp_path / "challenge2012"
    folder.mkdir()
    (folder / "Outcomes-a.txt").write_bytes(edit(OUTCOMES).encode())
    assert list(challenge2012.load_outcomes("a", tmp_path).index) == [132539, 132540]


def test_stays_with_crlf_line_ends_give_the_same_table(tmp_path, stay_bytes):
    files = {k: v.replace(b"\n", b"\r\n") for k, v in good_files(stay_bytes).items()}
    pd.testing.assert_frame_equal(challenge2012.load_stays("a", make_set(tmp_path, files)), expected_table(stay_bytes))


def test_good_outcomes_keep_their_integers(tmp_path):
    folder = tmp_path / "challenge2012"
    folder.mkdir()
    (folder / "Outcomes-a.txt").write_text(OUTCOMES)
    out = challenge2012.load_outcomes("a", tmp_path)
    assert list(out.index) == [132539, 132540] and out.index.dtype == np.int64
    assert (out.dtypes == np.int64).all() and out.loc[132540, "SAPS-I"] == 16


# ---- family 6: bytes that are not UTF-8 ---------------------------------------------------------------------


@pytest.mark.parametrize("archive", [False, True], ids=["folder", "archive"])
@pytest.mark.parametrize("line", ["00:30,Temp,37°".encode("latin-1"), "00:30,Temp°,37".encode("latin-1"), b"\xff\xfe"])
def test_latin1_bytes_in_a_stay_are_named(tmp_path, stay_bytes, archive, line):
    files = good_files(stay_bytes)
    files["132545.txt"] = edit_line(files["132545.txt"], 4, line)
    with pytest.raises(DataError, match=r"132545\.txt, line 4: byte 0x.. in .* is not UTF-8 text"):
        challenge2012.load_stays("a", make_set(tmp_path, files, archive))


def test_utf8_text_in_a_stay_is_kept_as_written(tmp_path, stay_bytes):
    files = good_files(stay_bytes)
    files["132545.txt"] = edit_line(files["132545.txt"], 4, "00:30,Temp°,37".encode())
    table = challenge2012.load_stays("a", make_set(tmp_path, files))
    assert "Temp°" in set(table["Parameter"])


def test_latin1_bytes_in_outcomes_are_named(tmp_path):
    folder = tmp_path / "challenge2012"
    folder.mkdir()
    (folder / "Outcomes-a.txt").write_bytes((OUTCOMES + "132541,1,1,1,1,0 °\n").encode("latin-1"))
    with pytest.raises(DataError, match=r"Outcomes-a\.txt, line 4: byte 0xb0 is not UTF-8"):
        challenge2012.load_outcomes("a", tmp_path)


# ---- PTB-XL: a private copy of the metadata and a few records ------------------------------------------


@pytest.fixture
def ptb(tmp_path):
    """root/ptbxl with the full metadata table and records 1-5 at 100 Hz."""
    folder = tmp_path / "ptbxl"
    (folder / "records100" / "00000").mkdir(parents=True)
    for name in ("ptbxl_database.csv", "scp_statements.csv"):
        shutil.copy(DATA / "ptbxl" / name, folder)
    for i in range(1, 6):
        for ext in ("hea", "dat"):
            shutil.copy(DATA / "ptbxl" / "records100" / "00000" / f"{i:05d}_lr.{ext}", folder / "records100" / "00000")
    return tmp_path


def _meta_path(root):
    return root / "ptbxl" / "ptbxl_database.csv"


def test_latin1_bytes_in_the_metadata_are_named(ptb):
    path = _meta_path(ptb)
    lines = path.read_bytes().split(b"\n")
    lines[5] = lines[5].replace(b",", "ä,".encode("latin-1"), 1)  # row 5 (line 6), ecg_id 5 becomes '5ä'
    path.write_bytes(b"\n".join(lines))
    for load in (ptbxl.load_metadata, lambda r: ptbxl.load_signals([1], root=r)):
        with pytest.raises(DataError, match=r"ptbxl_database\.csv, line 6: byte 0xe4 is not UTF-8 text"):
            load(ptb)


@pytest.mark.parametrize("renamed", ["ECG_ID", "ecg id", "id", "ecg_id "])
def test_a_renamed_ecg_id_column(ptb, renamed):
    path = _meta_path(ptb)
    text = path.read_text()
    path.write_text(text.replace("ecg_id,", f"{renamed},", 1))
    for load in (
        ptbxl.load_metadata,
        lambda r: ptbxl.load_signals([1], root=r),
        lambda r: ptbxl.iter_signals(1, root=r),
    ):
        with pytest.raises(DataError, match=r"ptbxl_database\.csv: is not PTB-XL's metadata table: no ecg_id column"):
            load(ptb)


@pytest.mark.parametrize("copy_row", [1, 3])
def test_a_duplicated_ecg_id_row(ptb, copy_row):
    path = _meta_path(ptb)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(10, lines[copy_row])
    path.write_text("".join(lines))
    for load in (
        ptbxl.load_metadata,
        lambda r: ptbxl.load_signals([1, 2, 3], root=r),
        lambda r: list(ptbxl.iter_signals([1, 2, 3], batch_size=2, root=r)),
    ):
        with pytest.raises(DataError, match=rf"lists ecg_id {copy_row} 2 times"):
            load(ptb)


@pytest.mark.parametrize("column, fs", [("filename_lr", 100), ("filename_hr", 500)])
@pytest.mark.parametrize("value", ["", " ", '""'])
def test_an_empty_filename(ptb, column, fs, value):
    path = _meta_path(ptb)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[1, column] = value  # ecg_id 2
    table.to_csv(path, index=False)
    message = r"ecg_id 2: .*which is not record" if value.strip() else r"row 2: ecg_id 2 has no"
    with pytest.raises(DataError, match=rf"ptbxl_database\.csv, {message}"):
        ptbxl.load_signals([1, 2], fs=fs, root=ptb)
    if not value.strip():
        with pytest.raises(DataError, match=rf"ptbxl_database\.csv, row 2: ecg_id 2 has no {column}"):
            ptbxl.load_metadata(ptb)


@pytest.mark.parametrize(
    "value",
    ["records100/00000/00003_lr", "records100/00000/00002_hr", "records100/00000/00002_lr.dat", "../00002_lr",
     "/tmp/00002_lr", "records100/00000/../../../ptbxl/records100/00000/00003_lr"],
)  # fmt: skip
def test_a_filename_pointing_at_another_record(ptb, value):
    path = _meta_path(ptb)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[1, "filename_lr"] = value  # ecg_id 2
    table.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"ecg_id 2: filename_lr is .*which is not record 00002_lr"):
        ptbxl.load_signals([2], root=ptb)
    assert ptbxl.load_signals([1], root=ptb).shape == (1, 1000, 12), "the other records still load"


@pytest.mark.parametrize("cut", [10, 0.5, -3, -1])
def test_a_truncated_metadata_file(ptb, cut):
    path = _meta_path(ptb)
    raw = path.read_bytes()
    at = int(len(raw) * cut) if isinstance(cut, float) else (cut if cut > 0 else len(raw) + cut)
    if raw[at - 1 : at] == b"\n":
        at -= 2
    path.write_bytes(raw[:at])
    with pytest.raises(DataError, match=r"ptbxl_database\.csv, line \d+: the file ends in the middle of a line"):
        ptbxl.load_metadata(ptb)


def test_a_non_numeric_ecg_id(ptb):
    path = _meta_path(ptb)
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = "four" + lines[4][lines[4].index(",") :]
    path.write_text("".join(lines))
    with pytest.raises(DataError, match=r"row 4: ecg_id 'four' is not a whole number"):
        ptbxl.load_metadata(ptb)


# ---- family 8: units and gain ----------------------------------------------------------------------------


@pytest.mark.parametrize("units", ["uV", "V", "mv", "nV", "NU"])
def test_a_lead_not_in_millivolts_is_refused(ptb, units):
    hea = ptb / "ptbxl" / "records100" / "00000" / "00003_lr.hea"
    lines = hea.read_text().splitlines()
    lines[3] = lines[3].replace("/mV", f"/{units}")  # the third lead
    hea.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=rf"00003_lr\.hea: lead III is in '{units}', not mV"):
        ptbxl.load_signals([1, 3], root=ptb)


def test_the_header_names_its_own_record(ptb):
    hea = ptb / "ptbxl" / "records100" / "00000" / "00003_lr.hea"
    hea.write_text(hea.read_text().replace("00003_lr 12", "00004_lr 12", 1))
    with pytest.raises(DataError, match=r"its record line names record '00004_lr', not '00003_lr'"):
        ptbxl.load_signals([3], root=ptb)


# ---- family 9: arguments ---------------------------------------------------------------------------------

BAD_IDS = [2.7, True, False, "1.0", "1", b"1", None, pd.DataFrame({"ecg_id": [1]}), [1, 2.5], [1, None], [[1, 2]],
           np.array([[1, 2]]), {1: 2}, [], np.array([1.5]), float("nan"), [True], [1, "2"], np.array([], dtype=int),
           np.float64(np.inf), pd.Series([1.0, np.nan]), object(), [1 + 2j], [np.str_("1")], np.array(["1"]),
           pd.array([1, None], dtype="Int64"), [__import__("decimal").Decimal("1.5")], np.array(2.5)]  # fmt: skip


@pytest.mark.parametrize("ids", BAD_IDS, ids=[type(v).__name__ + repr(v)[:20] for v in BAD_IDS])
def test_bad_ecg_ids_name_the_argument(ids):
    for load in (ptbxl.load_signals, ptbxl.iter_signals):
        with pytest.raises(DataError, match=r"^ecg_ids="):
            load(ids)


@pytest.mark.parametrize("ids", BAD_IDS, ids=[type(v).__name__ + repr(v)[:20] for v in BAD_IDS])
def test_bad_record_ids_name_the_argument(ids):
    if ids is None:
        pytest.skip("record_ids=None means every stay")
    with pytest.raises(DataError, match=r"^record_ids="):
        challenge2012.load_stays("a", record_ids=ids)


@pytest.mark.parametrize(
    "ids, expected",
    [(np.int64(5), [5]), ([np.int64(1), 2], [1, 2]), (pd.Index([3, 1]), [3, 1]), (3.0, [3]), ({2, 1}, [1, 2]),
     (range(1, 3), [1, 2]), (pd.Series([4, 2]), [4, 2]), (np.array([1.0, 2.0]), [1, 2]), (np.array(3), [3]),
     ((i for i in [2, 1]), [2, 1]), (pd.array([1, 2], dtype="Int64"), [1, 2]), (np.array([1], dtype=np.uint64), [1])],
)  # fmt: skip
def test_good_ecg_ids(ids, expected):
    np.testing.assert_array_equal(ptbxl.load_signals(ids), ptbxl.load_signals(sorted(expected) if isinstance(ids, set)
                                                                              else expected))  # fmt: skip


@pytest.mark.parametrize(
    "fs, message",
    [("100", r"is a str, not a number"), (True, r"is a bool, not a number"), (None, r"is a NoneType, not a number"),
     ([100], r"is a list, not a number"), ("500 Hz", r"is a str"), (100.5, r"PTB-XL has no such sampling rate"),
     (250, r"PTB-XL has no such sampling rate"), (np.nan, r"PTB-XL has no such sampling rate")],
)  # fmt: skip
def test_bad_fs(fs, message):
    for load in (ptbxl.load_signals, ptbxl.iter_signals):
        with pytest.raises(DataError, match=rf"^fs=.*: {message}"):
            load([1], fs=fs)


def test_fs_given_as_a_float_or_numpy_number():
    x = ptbxl.load_signals([1], fs=100)
    np.testing.assert_array_equal(ptbxl.load_signals([1], fs=100.0), x)
    np.testing.assert_array_equal(ptbxl.load_signals([1], fs=np.int64(100)), x)


@pytest.mark.parametrize("batch_size", [2.5, "2", True, 0, -1, None, 2.0, [2]])
def test_bad_batch_size(batch_size):
    with pytest.raises(DataError, match=r"^batch_size="):
        ptbxl.iter_signals([1, 2, 3], batch_size=batch_size)


@pytest.mark.parametrize("root", [123, True, 1.5, ["/tmp"], "", "   ", b"/tmp"[:0]])
def test_bad_root(root):
    for load in (ptbxl.load_metadata, challenge2012.load_outcomes, mitdb.load_record):
        with pytest.raises(DataError, match=r"^root="):
            load(root=root)


def test_heartdata_dir_naming_a_file(monkeypatch, tmp_path):
    f = tmp_path / "a-file"
    f.write_text("x")
    monkeypatch.setenv("HEARTDATA_DIR", str(f))
    with pytest.raises(DataError, match=r"a-file: is a file, not a folder \(\$HEARTDATA_DIR="):
        ptbxl.load_metadata()
    with pytest.raises(DataError, match=r"a-file: is a file, not a folder \(root="):
        challenge2012.load_stays("a", root=f)


def test_a_dataset_folder_that_is_a_file(tmp_path):
    (tmp_path / "ptbxl").write_text("x")
    with pytest.raises(DataError, match=r"ptbxl: is a file, not the ptbxl/ folder"):
        ptbxl.load_metadata(tmp_path)


@pytest.mark.parametrize("set_name", [1, None, "a/../a", "", ["a"], "A B", True])
def test_bad_set_names(set_name):
    for load in (challenge2012.load_stays, challenge2012.load_outcomes):
        with pytest.raises(DataError, match=r"^set_name="):
            load(set_name)


# ---- family 10: MIT-BIH ------------------------------------------------------------------------------------


@pytest.fixture(params=[False, True], ids=["no-sums", "with-sums"])
def mit(tmp_path, request):
    """root/mitdb as shipped; with the course's SHA256SUMS beside it or without any checksum list."""
    shutil.copytree(DATA / "mitdb", tmp_path / "mitdb")
    if request.param:
        shutil.copy(DATA / "SHA256SUMS", tmp_path / "SHA256SUMS")
    return tmp_path


@pytest.mark.parametrize("name", ["100", "100.hea", "100.dat", "100.atr", 100, np.int64(100), " 100 "])
def test_mitdb_record_names(name):
    assert mitdb.load_record(name).record_name == "100"
    assert len(mitdb.load_annotations(name)) == 2274


@pytest.mark.parametrize("name", [True, None, 100.0, "../100", "", "100/", ["100"]])
def test_bad_mitdb_record_names(name):
    with pytest.raises(DataError, match=r"^name="):
        mitdb.load_record(name)


@pytest.mark.parametrize("ext, load, message", [
    ("atr", mitdb.load_annotations, r"100\.atr: annotation file not found"),
    ("dat", mitdb.load_record, r"100\.dat: WFDB signal file not found"),
])  # fmt: skip
def test_mitdb_missing_files(mit, ext, load, message):
    (mit / "mitdb" / f"100.{ext}").unlink()
    with pytest.raises(DataError, match=message):
        load("100", root=mit)


@pytest.mark.parametrize("keep", [0, 1, 2, 1001, 2000, 4557, 4556, 4554])
def test_mitdb_cut_or_empty_annotations(mit, keep):
    atr = mit / "mitdb" / "100.atr"
    atr.write_bytes(atr.read_bytes()[:keep])
    with pytest.raises(DataError, match=r"100\.atr: (is empty|is cut short|does not match)"):
        mitdb.load_annotations("100", root=mit)


@pytest.mark.parametrize("at", [0, 1000, 975_000, 1_949_999])
def test_mitdb_flipped_signal_byte(mit, at):
    dat = mit / "mitdb" / "100.dat"
    raw = bytearray(dat.read_bytes())
    raw[at] ^= 0x10
    dat.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"100\.dat: (signal \w+ fails its WFDB checksum|does not match its SHA-256)"):
        mitdb.load_record("100", root=mit)


@pytest.mark.parametrize("size", [0, 1_000_000, 1_949_999, 1_950_001])
def test_mitdb_dat_of_the_wrong_size(mit, size):
    dat = mit / "mitdb" / "100.dat"
    raw = dat.read_bytes()
    dat.write_bytes((raw + b"\0\0")[:size])
    with pytest.raises(DataError, match=rf"100\.dat: holds {size:,} bytes but its header announces 650,000 samples"):
        mitdb.load_record("100", root=mit)


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("212 200", "212 200/uV", 1), r"signal MLII is in 'uV', not mV"),
    (lambda t: t.replace("100.dat 212", "100.dat 311", 1), r"storage formats \['212', '311'\]"),
    (lambda t: t.replace("100.dat 212", "101.dat 212"), r"signals point at \['101\.dat'\]"),
    (lambda t: t.replace("100 2 360", "101 2 360"), r"record line names record '101'"),
    (lambda t: t.replace("100 2 360 650000", "100 2 360 640000"), r"100\.dat: holds 1,950,000 bytes"),
    (lambda t: t.replace("-22131", "-22130"), r"signal MLII fails its WFDB checksum"),
    (lambda t: "garbage\n", r"not a valid WFDB header"),
])  # fmt: skip
def test_mitdb_header_checked_against_its_data(mit, edit, message):
    hea = mit / "mitdb" / "100.hea"
    hea.write_text(edit(hea.read_text()))
    if (mit / "SHA256SUMS").exists():
        (mit / "SHA256SUMS").unlink()  # the header's own checks, not the checksum list
    with pytest.raises(DataError, match=message):
        mitdb.load_record("100", root=mit)


def test_mitdb_edited_annotation_caught_by_the_checksum_list(tmp_path):
    shutil.copytree(DATA / "mitdb", tmp_path / "mitdb")
    shutil.copy(DATA / "SHA256SUMS", tmp_path / "SHA256SUMS")
    atr = tmp_path / "mitdb" / "100.atr"
    raw = bytearray(atr.read_bytes())
    raw[2001] ^= 0x04  # one annotation's type bits: the file still parses
    atr.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"100\.atr: does not match its SHA-256"):
        mitdb.load_annotations("100", root=tmp_path)


def test_mitdb_loads_the_same_as_wfdb_from_a_checked_copy(mit):
    import wfdb

    rec = mitdb.load_record("100", root=mit)
    np.testing.assert_array_equal(rec.p_signal, wfdb.rdrecord(str(DATA / "mitdb" / "100")).p_signal)


# ---- the archive reader against gzip damage (neighbours of the shipped-archive tests) ---------------------


@pytest.mark.parametrize("cut", [10, 100, 5000])
def test_archive_cut_anywhere(tmp_path, stay_bytes, cut):
    root = make_set(tmp_path, good_files(stay_bytes), archive=True)
    archive = root / "challenge2012" / "set-a.tar.gz"
    archive.write_bytes(archive.read_bytes()[:cut])
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete"):
        challenge2012.load_stays("a", root)


def test_archive_that_is_a_plain_tar(tmp_path, stay_bytes):
    root = make_set(tmp_path, good_files(stay_bytes), archive=True)
    archive = root / "challenge2012" / "set-a.tar.gz"
    archive.write_bytes(gzip.decompress(archive.read_bytes()))
    with pytest.raises(DataError, match=r"set-a\.tar\.gz: the archive is damaged or incomplete"):
        challenge2012.load_stays("a", root)


def test_unreadable_stay_file(tmp_path, stay_bytes, monkeypatch):
    root = make_set(tmp_path, good_files(stay_bytes))
    real = os.open

    def refuse(path, *a, **k):
        if str(path).endswith("132541.txt"):
            raise PermissionError(13, "Permission denied", path)
        return real(path, *a, **k)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(DataError, match=r"132541\.txt: cannot be read \(Permission denied\)"):
        challenge2012.load_stays("a", root)


# ---- headers with numbers that are not finite, and files that are not files ------------------------------


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("1000.0(0)/mV", "nan(0)/mV", 1), r"signal line 1 .* does not have the 9 WFDB fields"),
        (lambda t: t.replace("1000.0(0)/mV", "1e999(0)/mV", 1), r"signal line 1 .* non-numeric field"),
        (lambda t: t.replace("00003_lr 12 100 1000", "00003_lr 12 nan 1000"), r"announces 12 signals at nan Hz"),
        (lambda t: t.replace("00003_lr 12 100 1000", "00003_lr 0 100 1000"), r"announces 0 signals"),
        (lambda t: t.replace("00003_lr 12 100 1000", "00003_lr -12 100 1000"), r"announces -12 signals"),
    ],
)
def test_header_numbers_that_are_not_finite(ptb, edit, message):
    hea = ptb / "ptbxl" / "records100" / "00000" / "00003_lr.hea"
    hea.write_text(edit(hea.read_text()))
    with pytest.raises(DataError, match=rf"00003_lr\.hea: not a valid WFDB header \(.*{message}"):
        ptbxl.load_signals([3], root=ptb)


@pytest.mark.parametrize("ext", ["hea", "dat"])
def test_a_folder_where_a_record_file_should_be(ptb, ext):
    path = ptb / "ptbxl" / "records100" / "00000" / f"00004_lr.{ext}"
    path.unlink()
    path.mkdir()
    with pytest.raises(DataError, match=rf"00004_lr\.{ext}: cannot be read"):
        ptbxl.load_signals([4], root=ptb)


def test_mitdb_header_with_a_sampling_rate_that_is_not_a_number(tmp_path):
    shutil.copytree(DATA / "mitdb", tmp_path / "mitdb")
    hea = tmp_path / "mitdb" / "100.hea"
    hea.write_text(hea.read_text().replace("100 2 360 650000", "100 2 nan 650000"))
    for load in (mitdb.load_record, mitdb.load_annotations):
        with pytest.raises(DataError, match=r"100\.hea: not a valid WFDB header \(record line .* at nan Hz"):
            load("100", root=tmp_path)


@pytest.fixture(scope="module")
def full_set_a(tmp_path_factory):
    root = tmp_path_factory.mktemp("full-a")
    with tarfile.open(DATA / "challenge2012" / "set-a.tar.gz") as tar:
        tar.extractall(root / "challenge2012", filter="data")
    return root


@pytest.mark.parametrize("which", [0, 1999, 2000, -1])
@pytest.mark.parametrize("line", [b"00:30,HR,nan", b"00:30,HR,80,1", b"00:30,HR,", b"00:30,,80"])
def test_a_bad_line_anywhere_in_a_large_set_is_named(full_set_a, which, line):
    """A set of 4,000 stays is parsed in parts (one per core): a bad line in any part is found and named."""
    path = sorted((full_set_a / "challenge2012" / "set-a").glob("*.txt"))[which]
    good = path.read_bytes()
    try:
        path.write_bytes(edit_line(good, 4, line))
        with pytest.raises(DataError, match=rf"{path.name}, line 4: cannot parse"):
            challenge2012.load_stays("a", full_set_a)
    finally:
        path.write_bytes(good)
    assert challenge2012.load_stays("a", full_set_a)["RecordID"].nunique() == 4000
