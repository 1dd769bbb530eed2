"""PTB-XL: 12-lead, 10-second ECGs and their metadata, returned as shipped.

Wagner et al., PTB-XL, a large publicly available electrocardiography dataset.
Scientific Data 7, 154 (2020). Licence CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, missing_file, unknown
from .paths import dataset_dir
from .wfdb_header import Header, parse_header

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


def _read_record(base: Path, fs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One record's digital int16 samples (n_samples, 12), gains and baselines, checked."""
    hea, dat = base.with_suffix(".hea"), base.with_suffix(".dat")
    if not hea.is_file():
        raise missing_file(hea, "WFDB header")
    h = parse_header(hea)
    _check_header(h, dat, fs)
    if not dat.is_file():
        raise missing_file(dat, "WFDB signal file")
    raw = dat.read_bytes()
    expected = h.n_samples * len(LEADS) * 2
    if len(raw) != expected:
        raise DataError(
            dat,
            f"holds {len(raw):,} bytes but its header announces {h.n_samples} samples x 12 leads x 2 bytes "
            f"= {expected:,} bytes (truncated or wrong file)",
            "Replace the record's .dat with PhysioNet's original.",
        )
    digital = np.frombuffer(raw, dtype="<i2").reshape(h.n_samples, len(LEADS))
    sums = digital.sum(axis=0, dtype=np.int64) & 0xFFFF
    for lead, s, total in zip(LEADS, h.signals, sums, strict=True):
        if int(total) != s.checksum & 0xFFFF:
            raise DataError(
                dat,
                f"lead {lead} fails its WFDB checksum (header {s.checksum}, data {int(total)}): "
                "the samples are damaged or do not belong to this header",
                "Replace the record's .hea and .dat with PhysioNet's originals.",
            )
    gain = np.array([s.gain for s in h.signals])
    baseline = np.array([s.baseline for s in h.signals])
    return digital, gain, baseline


def _as_id_list(ecg_ids) -> list[int]:
    if np.isscalar(ecg_ids):
        ecg_ids = [ecg_ids]
    return [int(i) for i in ecg_ids]


def load_signals(ecg_ids: Iterable[int] | int, fs: int = 100, root=None) -> np.ndarray:
    """ECG signals in millivolts, shaped (records, samples, 12), in the order of ``ecg_ids``.

    Every header is parsed and checked against its data file (leads, format,
    sampling rate, sample count, checksums) before the samples are converted to
    physical units, ``(digital - baseline) / gain``, exactly as wfdb does.
    """
    if fs not in FILENAME_COLUMN:
        raise DataError(f"fs={fs!r}", "PTB-XL has no such sampling rate", f"Use one of {sorted(FILENAME_COLUMN)} (Hz).")
    ids = _as_id_list(ecg_ids)
    folder = data_dir(root)
    meta = load_metadata(root)
    missing = [i for i in ids if i not in meta.index]
    if missing:
        raise unknown("ecg_id", missing, list(meta.index), folder / "ptbxl_database.csv")
    files = meta.loc[ids, FILENAME_COLUMN[fs]]
    out = np.empty((len(ids), N_SAMPLES[fs], len(LEADS)), dtype=np.float64)
    for k, (ecg_id, rel) in enumerate(files.items()):
        base = folder / rel
        if not base.with_suffix(".hea").is_file():
            have = sorted(int(p.name[:5]) for p in folder.glob(f"records{fs}/*/*.hea") if p.name[:5].isdigit())
            span = f"{have[0]}..{have[-1]}" if have else "none"
            raise DataError(
                base.with_suffix(".hea"),
                f"ecg_id {ecg_id} has no {fs} Hz record in this copy",
                f"This copy has {len(have)} records at {fs} Hz (ecg_id {span}). "
                "Ask for those, another sampling rate, or point root= at a full copy.",
            )
        digital, gain, baseline = _read_record(base, fs)
        if digital.shape[0] != out.shape[1]:
            raise DataError(
                base.with_suffix(".hea"),
                f"has {digital.shape[0]} samples, expected {out.shape[1]} for 10 s at {fs} Hz",
                "Replace the record with PhysioNet's original.",
            )
        np.subtract(digital, baseline, out=out[k])
        out[k] /= gain
    return out
