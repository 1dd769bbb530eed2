"""PTB-XL: 12-lead, 10-second ECGs and their metadata, returned as shipped.

Wagner et al., PTB-XL, a large publicly available electrocardiography dataset.
Scientific Data 7, 154 (2020). Licence CC BY 4.0.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, missing_file, unknown
from .paths import dataset_dir
from .wfdb_header import Header, parse_header_bytes

#: Lead order of every PTB-XL record (and of the last axis of load_signals).
LEADS = ["I", "II", "III", "AVR", "AVL", "AVF", "V1", "V2", "V3", "V4", "V5", "V6"]
#: Sampling rates PTB-XL provides, and the metadata column naming each file.
FILENAME_COLUMN = {100: "filename_lr", 500: "filename_hr"}
N_SAMPLES = {100: 1000, 500: 5000}


def data_dir(root=None) -> Path:
    return dataset_dir("ptbxl", root, marker="ptbxl_database.csv")


def load_metadata(root=None) -> pd.DataFrame:
    """ptbxl_database.csv indexed by ecg_id, every column as pandas parses it (no cleaning)."""
    path = data_dir(root) / "ptbxl_database.csv"
    if not path.is_file():
        raise missing_file(path, "PTB-XL metadata file")
    return pd.read_csv(path, index_col="ecg_id")


def load_scp_statements(root=None) -> pd.DataFrame:
    """scp_statements.csv: the SCP-ECG statement dictionary, indexed by statement code."""
    path = data_dir(root) / "scp_statements.csv"
    if not path.is_file():
        raise missing_file(path, "SCP-ECG statement dictionary")
    return pd.read_csv(path, index_col=0)


def _check_header(h: Header, dat: Path, fs: int) -> None:
    def bad(problem: str) -> DataError:
        return DataError(h.path, problem, "Replace the record's .hea and .dat with PhysioNet's originals.")

    if h.names != LEADS:
        raise bad(f"leads are {h.names}, expected the 12 standard leads {LEADS}")
    if h.fs != fs:
        raise bad(f"sampling frequency is {h.fs:g} Hz, expected {fs} Hz for a records{fs} file")
    if any(s.fmt != "16" for s in h.signals):
        raise bad(f"storage formats {sorted({s.fmt for s in h.signals})}, expected format 16 for every lead")
    if len({s.file for s in h.signals}) != 1 or h.signals[0].file != dat.name:
        raise bad(f"signals point at {sorted({s.file for s in h.signals})}, expected {dat.name}")
    if any(s.gain <= 0 for s in h.signals):
        raise bad("a lead has a gain of zero or less")


def _as_id_list(ecg_ids) -> list[int]:
    if np.isscalar(ecg_ids):
        ecg_ids = [ecg_ids]
    return [int(i) for i in ecg_ids]


def _check_fs(fs) -> None:
    if fs not in FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", f"Use one of {sorted(FILENAME_COLUMN)} (Hz).")


def _record_files(ids: list[int], fs: int, root) -> tuple[Path, list[str]]:
    """The dataset folder and each ecg_id's record path (relative, no suffix), from the metadata."""
    folder = data_dir(root)
    path = folder / "ptbxl_database.csv"
    if not path.is_file():
        raise missing_file(path, "PTB-XL metadata file")
    column = FILENAME_COLUMN[fs]
    try:  # two columns only: on the full 21,799-row table this is several times faster than load_metadata
        files = pd.read_csv(path, usecols=["ecg_id", column], index_col="ecg_id")[column]
    except ValueError as exc:
        raise DataError(
            path, f"is not PTB-XL's metadata table ({exc})", "Replace it with PhysioNet's ptbxl_database.csv."
        ) from None
    wanted = pd.Index(ids)
    missing = [i for i in ids if i not in files.index] if not wanted.isin(files.index).all() else []
    if missing:
        raise unknown("ecg_id", missing, list(files.index), path)
    return folder, list(files.loc[wanted])


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
    gain = np.empty((len(ids), n_leads))
    baseline = np.empty((len(ids), n_leads))
    checksum = np.empty((len(ids), n_leads), dtype=np.int64)
    top = str(folder)
    for k, (ecg_id, rel) in enumerate(zip(ids, rels, strict=True)):
        base = os.path.join(top, rel)
        hea, dat = base + ".hea", Path(base + ".dat")
        try:
            with open(hea, "rb") as f:
                text = f.read()
        except FileNotFoundError:
            raise _absent(folder, hea, ecg_id, fs) from None
        h = parse_header_bytes(text, Path(hea))
        _check_header(h, dat, fs)
        try:
            f = open(dat, "rb")
        except FileNotFoundError:
            raise missing_file(dat, "WFDB signal file") from None
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
        for j, s in enumerate(h.signals):
            gain[k, j], baseline[k, j], checksum[k, j] = s.gain, s.baseline, s.checksum
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

    Every header is parsed and checked against its data file (leads, format,
    sampling rate, gain, sample count, each lead's WFDB checksum) before the
    samples are converted to physical units, ``(digital - baseline) / gain``,
    exactly as wfdb does. The whole array is held in memory (8 bytes per value:
    all 21,799 records take 2.1 GB at 100 Hz, 10.5 GB at 500 Hz); use
    :func:`iter_signals` to work through a full copy in batches.
    """
    _check_fs(fs)
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
    _check_fs(fs)
    if int(batch_size) < 1:
        raise DataError(f"batch_size={batch_size!r}", "a batch must hold at least one record", "Pass batch_size >= 1.")
    ids = _as_id_list(ecg_ids)
    folder, rels = _record_files(ids, fs, root)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for i in range(0, len(ids), int(batch_size)):
            chunk = ids[i : i + int(batch_size)]
            yield np.asarray(chunk, dtype=np.int64), _read_batch(folder, chunk, rels[i : i + int(batch_size)], fs)

    return batches()
