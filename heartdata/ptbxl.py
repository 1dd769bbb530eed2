"""PTB-XL: 12-lead, 10-second ECGs and their metadata, returned as shipped.

Wagner et al., PTB-XL, a large publicly available electrocardiography dataset.
Scientific Data 7, 154 (2020). Licence CC BY 4.0.
"""

from __future__ import annotations

import csv
import io
import os
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, as_ids, as_positive_int, missing_file, unknown
from .paths import dataset_dir, is_shipped
from .wfdb_header import Header, parse_header_bytes

#: Lead order of every PTB-XL record (and of the last axis of load_signals).
LEADS = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
#: Sampling rates PTB-XL provides, and the metadata column naming each file.
FILENAME_COLUMN = {100: "filename_lr", 500: "filename_hr"}
N_SAMPLES = {100: 1000, 500: 5000}


def data_dir(root=None) -> Path:
    return dataset_dir("ptbxl", root, marker="ptbxl_database.csv")


def _csv_text(path: Path, what: str, raw: bytes | None = None) -> str:
    """The text of a CSV file (or of ``raw``, its bytes already read), refusing bytes that are not UTF-8 (naming
    the line) and a cut last line."""
    if raw is None:
        if not path.is_file():
            if path.exists():
                raise DataError(path, f"is a folder, not the {what}", "Replace it with PhysioNet's file.")
            raise missing_file(path, what)
        raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}, line {line}",
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 text (saved in another encoding, such as Latin-1?)",
            "PhysioNet's CSV files are UTF-8: replace it with the original, or re-save it as UTF-8.",
        ) from None
    if not text.strip():
        raise DataError(path, "is empty", "Replace it with PhysioNet's file.")
    if not text.endswith("\n"):
        last = text.rsplit("\n", 1)[-1]
        raise DataError(
            f"{path}, line {text.count(chr(10)) + 1}",
            f"the file ends in the middle of a line ({last[:60]!r}...): it is truncated",
            "Download or copy the file again (python -m heartdata download ptbxl --include '*.csv').",
        )
    return text


def _metadata(path: Path, usecols=None, raw: bytes | None = None) -> pd.DataFrame:
    """ptbxl_database.csv (or some of its columns) indexed by ecg_id, refusing what would load wrongly."""
    text = _csv_text(path, "PTB-XL metadata file", raw)
    fix = "Replace it with PhysioNet's ptbxl_database.csv."
    header = next(csv.reader([text.split("\n", 1)[0]]))
    needed = ["ecg_id", *FILENAME_COLUMN.values()]
    missing = [c for c in needed if c not in header]
    if missing:
        raise DataError(
            path,
            f"is not PTB-XL's metadata table: no {', '.join(missing)} column (columns are {header[:6]}...)",
            fix,
        )
    if len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        raise DataError(path, f"has the column {', '.join(dup)} twice", fix)
    try:
        table = pd.read_csv(io.StringIO(text), usecols=usecols)
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(path, f"cannot be read as PTB-XL's metadata table ({exc})".replace("\n", " "), fix) from None
    ids = pd.to_numeric(table["ecg_id"], errors="coerce")
    bad = ids.isna() | (ids != ids.round())
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path}, row {r + 1}", f"ecg_id {table['ecg_id'].iloc[r]!r} is not a whole number", fix)
    dup = ids.duplicated(keep=False)
    if dup.any():
        first = int(ids[dup].iloc[0])
        rows = [int(r) + 1 for r in np.flatnonzero((ids == first).to_numpy())]
        raise DataError(
            path,
            f"lists ecg_id {first} {len(rows)} times (rows {', '.join(map(str, rows[:5]))})",
            "Each ECG has one row: " + fix[0].lower() + fix[1:],
        )
    for column in FILENAME_COLUMN.values():
        if column in table:
            empty = table[column].isna() | table[column].astype(str).str.strip().eq("")
            if empty.any():
                r = int(np.flatnonzero(empty.to_numpy())[0])
                raise DataError(f"{path}, row {r + 1}", f"ecg_id {int(ids.iloc[r])} has no {column}", fix)
    table["ecg_id"] = ids.astype(np.int64)
    return table.set_index("ecg_id")


def load_metadata(root=None) -> pd.DataFrame:
    """ptbxl_database.csv indexed by ecg_id, every column as pandas parses it (no cleaning).

    Refused, with the line: bytes that are not UTF-8, a file cut in the middle of a line, no ecg_id
    column, an ecg_id that is not a whole number or appears twice, a row without its file names.
    """
    return _metadata(data_dir(root) / "ptbxl_database.csv")


#: PTB-XL release 1.0.3 as its PhysioNet page counts it: the release the course ships a slice of.
RELEASE = {"records": 21_799, "patients": 18_869}
#: What a lesson calls the PTB-XL data it loaded (see ``loaded_name``).
SHIPPED_SLICE, WHOLE_RELEASE, DATA_LOADED = "the shipped slice", "the release", "the data loaded"


def loaded_name(n_ecgs: int, n_patients: int, shipped: bool) -> str:
    """What to call loaded PTB-XL metadata in a sentence, from what was loaded.

    ``"the shipped slice"`` for the course's own data/ (the first records by ``ecg_id``); ``"the release"`` when
    the copy holds at least release 1.0.3's 21,799 ECGs *and* 18,869 patients; ``"the data loaded"`` otherwise (a
    partial copy, or a test copy that repeats the shipped records under new ids, so that it has the release's row
    count but not its patients).
    """
    if shipped:
        return SHIPPED_SLICE
    if n_ecgs >= RELEASE["records"] and n_patients >= RELEASE["patients"]:
        return WHOLE_RELEASE
    return DATA_LOADED


def describe_loaded(meta: pd.DataFrame, root=None) -> str:
    """``loaded_name`` of ``meta`` (``load_metadata(root)``'s table): its ECGs, its patients, and whether ``root``
    (or $HEARTDATA_DIR) is the shipped data."""
    return loaded_name(len(meta), int(meta["patient_id"].nunique()), is_shipped(data_dir(root)))


def load_scp_statements(root=None) -> pd.DataFrame:
    """scp_statements.csv: the SCP-ECG statement dictionary, indexed by statement code."""
    path = data_dir(root) / "scp_statements.csv"
    text = _csv_text(path, "SCP-ECG statement dictionary")
    try:
        table = pd.read_csv(io.StringIO(text), index_col=0)
    except (ValueError, pd.errors.ParserError) as exc:
        problem = f"cannot be read ({exc})".replace("\n", " ")
        raise DataError(path, problem, "Replace it with PhysioNet's file.") from None
    if table.index.duplicated().any():
        code = table.index[table.index.duplicated()][0]
        raise DataError(path, f"lists the statement {code!r} twice", "Replace it with PhysioNet's file.")
    return table


def _check_header(h: Header, dat: str, fs: int) -> None:
    """The header ``h`` describes a PTB-XL record stored in ``dat`` (a file name): the usual case is one pass
    over the signals; anything unusual is then described by the first check it fails."""
    if h.fs == fs and h.record + ".dat" == dat and len(h.signals) == 12:
        for s, lead in zip(h.signals, LEADS, strict=True):
            if s.name != lead or s.fmt != "16" or s.file != dat or not s.gain > 0 or s.units != "mV":
                break
        else:
            return

    def bad(problem: str) -> DataError:
        return DataError(h.path, problem, "Replace the record's .hea and .dat with PhysioNet's originals.")

    if h.names != LEADS:
        raise bad(f"leads are {h.names}, expected the 12 standard leads {LEADS}")
    if h.fs != fs:
        raise bad(f"sampling frequency is {h.fs:g} Hz, expected {fs} Hz for a records{fs} file")
    if any(s.fmt != "16" for s in h.signals):
        raise bad(f"storage formats {sorted({s.fmt for s in h.signals})}, expected format 16 for every lead")
    if len({s.file for s in h.signals}) != 1 or h.signals[0].file != dat:
        raise bad(f"signals point at {sorted({s.file for s in h.signals})}, expected {dat}")
    if any(s.gain <= 0 for s in h.signals):
        raise bad("a lead has a gain of zero or less")
    units = [s.units for s in h.signals]
    if any(u != "mV" for u in units):
        j = next(i for i, u in enumerate(units) if u != "mV")
        raise bad(
            f"lead {h.signals[j].name} is in {units[j]!r}, not mV: its samples would be returned a thousand times "
            "too large or small"
        )
    if h.record != dat.removesuffix(".dat"):
        raise bad(f"its record line names record {h.record!r}, not {dat.removesuffix('.dat')!r}")


def _as_id_list(ecg_ids) -> list[int]:
    return as_ids(ecg_ids, "ecg_ids")


def _check_fs(fs) -> int:
    if isinstance(fs, bool) or not isinstance(fs, int | float | np.integer | np.floating):
        rates = sorted(FILENAME_COLUMN)
        raise DataError(f"fs={fs!r}", f"is a {type(fs).__name__}, not a number", f"Pass fs= as one of {rates}.")
    if fs not in FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", f"Use one of {sorted(FILENAME_COLUMN)} (Hz).")
    return int(fs)


#: Parsed file-name columns, per metadata file and column: (the file's stat signature, a checksum of its bytes or
#: None once the file has settled, ecg_id -> file name).
_FILES: dict[tuple[str, str], tuple[tuple, int | None, dict[int, str]]] = {}
_FILES_LOCK = threading.Lock()
_FILES_MAX = 8  # tables kept (a few copies of the dataset at two rates); the oldest is dropped first
#: A file written less than this many seconds ago may be written again without its timestamps moving (their
#: granularity): until then its bytes are compared with the parsed ones on every call (cheap, unlike parsing).
_SETTLED_SECONDS = 2.0


def _file_column(path: Path, column: str) -> dict[int, str]:
    """The ``column`` (``filename_lr``/``filename_hr``) of the metadata table at ``path``: ecg_id -> file name.

    Parsed, with every check of ``_metadata``, once per version of the file, and kept as a dict, so that a call
    looks up only the ids it asks for: a call on one record then costs about the same whatever the size of the
    table (a worker's batches would otherwise parse the whole table again each time, which makes a pass over N
    records grow as N² / batch; and a lookup that scans the table's index, as ``isin`` does, still grows with the
    table: about 13 ms a call at 800,000 rows). The file's inode, size and modification and change
    times identify its version, and a file changed in the last seconds is also compared byte for byte (by checksum),
    so an edited or replaced table is always parsed again; a table that fails a check is never kept, so it fails
    the same way on every call.
    """
    try:
        st = os.stat(path)
        settled = time.time() - st.st_mtime_ns / 1e9 > _SETTLED_SECONDS  # a write sets mtime to now
        key, signature = (str(path), column), (st.st_ino, st.st_dev, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        kept = _FILES.get(key)
        if kept is not None and kept[0] == signature and kept[1] is None:
            return kept[2]
        raw = path.read_bytes()
    except OSError:
        return _read_names(path, column)  # reports the problem as it always has
    checksum = zlib.crc32(raw)
    if kept is not None and kept[0] == signature and kept[1] == checksum:
        files = kept[2]
    else:
        files = _read_names(path, column, raw)
    with _FILES_LOCK:
        _FILES.pop(key, None)
        _FILES[key] = (signature, None if settled else checksum, files)
        while len(_FILES) > _FILES_MAX:
            _FILES.pop(next(iter(_FILES)))
    return files


def _read_names(path: Path, column: str, raw: bytes | None = None) -> dict[int, str]:
    """Parse (with every check of ``_metadata``) only ``ecg_id`` and ``column`` of the table: ecg_id -> file name."""
    files = _metadata(path, usecols=["ecg_id", column], raw=raw)[column]
    return dict(zip(files.index.tolist(), (str(r).strip() for r in files), strict=True))


def _record_files(ids: list[int], fs: int, root) -> tuple[Path, list[str]]:
    """The dataset folder and each ecg_id's record path (relative, no suffix), from the metadata."""
    folder = data_dir(root)
    path = folder / "ptbxl_database.csv"
    if not path.is_file():
        raise missing_file(path, "PTB-XL metadata file")
    column = FILENAME_COLUMN[fs]
    files = _file_column(path, column)
    missing = [i for i in ids if i not in files]  # dict lookups: the cost follows len(ids), not the table
    if missing:
        raise unknown("ecg_id", missing, list(files), path)
    rels = [files[i] for i in ids]
    suffix = "lr" if fs == 100 else "hr"
    for ecg_id, rel in zip(ids, rels, strict=True):
        name = f"{ecg_id:05d}_{suffix}"
        parts = rel.replace("\\", "/").split("/")
        if parts[-1] != name or rel.startswith("/") or ".." in parts:
            raise DataError(
                f"{path}, ecg_id {ecg_id}",
                f"{column} is {rel!r}, which is not record {name} (it would load another record)",
                f"PTB-XL names the file of ecg_id {ecg_id} records{fs}/.../{name}: replace the metadata file with "
                "PhysioNet's ptbxl_database.csv.",
            )
    return folder, rels


def _absent(folder: Path, hea: str, ecg_id: int, fs: int) -> DataError:
    have = sorted(int(p.name[:5]) for p in folder.glob(f"records{fs}/*/*.hea") if p.name[:5].isdigit())
    span = f"{have[0]}..{have[-1]}" if have else "none"
    return DataError(
        hea,
        f"ecg_id {ecg_id} has no {fs} Hz record in this copy",
        f"This copy has {len(have)} records at {fs} Hz (ecg_id {span}). "
        "Ask for those, another sampling rate, or point root= at a full copy.",
    )


def _read_batch(folder: Path, ids: list[int], rels: list[str], fs: int) -> np.ndarray:
    """Records in mV, (len(ids), samples, 12): every header parsed and checked against its data."""
    n = N_SAMPLES[fs]
    n_leads = len(LEADS)
    digital = np.empty((len(ids), n, n_leads), dtype="<i2")
    numbers = []  # (gain, baseline, checksum) of every lead of every record
    top = str(folder)
    for k, (ecg_id, rel) in enumerate(zip(ids, rels, strict=True)):
        base = os.path.join(top, rel)
        hea, dat = base + ".hea", base + ".dat"  # text, not Path: thousands per second
        try:
            with open(hea, "rb") as f:
                text = f.read()
        except FileNotFoundError:
            raise _absent(folder, hea, ecg_id, fs) from None
        except OSError as exc:
            raise DataError(hea, f"cannot be read ({exc.strerror})", "Check the file, or replace it.") from None
        h = parse_header_bytes(text, hea)
        _check_header(h, os.path.basename(dat), fs)
        try:
            f = open(dat, "rb")
        except FileNotFoundError:
            raise missing_file(dat, "WFDB signal file") from None
        except OSError as exc:
            raise DataError(dat, f"cannot be read ({exc.strerror})", "Check the file, or replace it.") from None
        with f:
            size = os.fstat(f.fileno()).st_size
            expected = h.n_samples * n_leads * 2
            if size != expected:
                raise DataError(
                    dat,
                    f"holds {size:,} bytes but its header announces {h.n_samples} samples x 12 leads x 2 bytes "
                    f"= {expected:,} bytes (truncated or wrong file)",
                    "Replace the record's .dat with PhysioNet's original.",
                )
            if h.n_samples != n:
                raise DataError(
                    hea,
                    f"has {h.n_samples} samples, expected {n} for 10 s at {fs} Hz",
                    "Replace the record with PhysioNet's original.",
                )
            got = f.readinto(memoryview(digital[k]).cast("B"))
        if got != expected:
            raise DataError(dat, f"could be read only to byte {got:,} of {expected:,}", "Check the disk or copy.")
        numbers.append([(s.gain, s.baseline, s.checksum) for s in h.signals])
    table = np.array(numbers, dtype=np.float64).reshape(len(ids), n_leads, 3)
    gain, baseline, checksum = table[..., 0], table[..., 1], table[..., 2].astype(np.int64)
    # WFDB checksum: the 16-bit sum of each signal's samples, as written in the header
    sums = digital.sum(axis=1, dtype=np.int64) & 0xFFFF
    wrong = np.argwhere(sums != checksum & 0xFFFF)
    if wrong.size:
        k, j = (int(v) for v in wrong[0])
        raise DataError(
            os.path.join(top, rels[k]) + ".dat",
            f"lead {LEADS[j]} fails its WFDB checksum (header {checksum[k, j]}, data {int(sums[k, j])}): "
            "the samples are damaged or do not belong to this header",
            "Replace the record's .hea and .dat with PhysioNet's originals.",
        )
    out = np.empty(digital.shape, dtype=np.float64)
    np.subtract(digital, baseline[:, None, :], out=out)
    out /= gain[:, None, :]
    return out


def load_signals(ecg_ids: Iterable[int] | int, fs: int = 100, root=None) -> np.ndarray:
    """ECG signals in millivolts, shaped (records, samples, 12), in the order of ``ecg_ids``.

    The metadata must name each record's own files (``filename_lr``/``filename_hr``
    ending in ``NNNNN_lr``/``NNNNN_hr`` for ecg_id NNNNN), and every header is parsed
    and checked against its data file (record name, leads, format, sampling rate,
    gain, units in mV, sample count, each lead's WFDB checksum) before the
    samples are converted to physical units, ``(digital - baseline) / gain``,
    exactly as wfdb does. The whole array is held in memory (8 bytes per value:
    all 21,799 records take 2.1 GB at 100 Hz, 10.5 GB at 500 Hz); use
    :func:`iter_signals` to work through a full copy in batches.
    """
    fs = _check_fs(fs)
    ids = _as_id_list(ecg_ids)
    folder, rels = _record_files(ids, fs, root)
    return _read_batch(folder, ids, rels, fs)


def iter_signals(
    ecg_ids: Iterable[int] | int, fs: int = 100, batch_size: int = 256, root=None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Stream signals in batches: yields ``(ids, signals)`` with ``signals`` as from :func:`load_signals`
    (at most ``batch_size`` records, in the order of ``ecg_ids``).

    Memory stays at about one batch (256 records at 500 Hz: 123 MB), whatever the
    number of records. Unknown ids, a wrong ``fs`` or a missing metadata file are
    reported at once, before any record is read; a damaged record is reported when
    its batch is read. Example::

        for ids, x in ptbxl.iter_signals(meta.index, fs=500, batch_size=512):
            features.append(x.std(axis=1))
    """
    fs = _check_fs(fs)
    if not isinstance(batch_size, bool) and isinstance(batch_size, int | np.integer) and batch_size < 1:
        raise DataError(f"batch_size={batch_size!r}", "a batch must hold at least one record", "Pass batch_size >= 1.")
    batch_size = as_positive_int(batch_size, "batch_size")
    ids = _as_id_list(ecg_ids)
    folder, rels = _record_files(ids, fs, root)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            yield np.asarray(chunk, dtype=np.int64), _read_batch(folder, chunk, rels[i : i + batch_size], fs)

    return batches()
