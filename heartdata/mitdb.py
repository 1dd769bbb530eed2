"""MIT-BIH Arrhythmia Database: two-lead ambulatory ECG with beat annotations, via wfdb.

Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng in Med
and Biol 20(3):45-50 (2001). Licence ODC-By 1.0.

Before wfdb reads a record, its header is parsed and checked against its files, as for
PTB-XL: two signals in format 212 (or 16) and mV, the .dat size the header announces, each
signal's WFDB checksum; an .atr must be whole (an even number of bytes ending in the WFDB
end-of-file word) and its annotations inside the record. When the folder (or the folder above
it, as in the course's data/) holds a SHA-256 list naming a file, the file must match it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import wfdb
from wfdb.io.annotation import ann_label_table, is_qrs

from .errors import DataError, missing_file, unknown
from .paths import dataset_dir
from .wfdb_header import Header, parse_header

#: Annotation symbols that mark a heartbeat (QRS complex), as wfdb's label table defines them.
BEAT_SYMBOLS = frozenset(
    sym for sym, code in zip(ann_label_table["symbol"], ann_label_table["label_store"], strict=True) if is_qrs[code]
)
_NAME = re.compile(r"[A-Za-z0-9_-]+")
#: bytes per sample and signal of the storage formats this loader reads
_BYTES = {"212": 1.5, "16": 2}
_REPLACE = "Replace the record's files with PhysioNet's originals (python -m heartdata download mitdb)."


def data_dir(root=None) -> Path:
    return dataset_dir("mitdb", root, marker="100.hea")


def _record_name(name) -> str:
    if isinstance(name, bool) or not isinstance(name, str | int | np.integer):
        raise DataError(f"name={name!r}"[:120], f"is a {type(name).__name__}, not a record name", "Pass name='100'.")
    text = str(name).strip()
    for suffix in (".hea", ".dat", ".atr"):
        text = text.removesuffix(suffix)  # '100.hea' names record 100
    if not _NAME.fullmatch(text):
        raise DataError(f"name={name!r}", "is not a record name", "Pass the record's name, such as '100'.")
    return text


def _record_base(name, root) -> Path:
    name = _record_name(name)
    folder = data_dir(root)
    base = folder / name
    if not base.with_suffix(".hea").is_file():
        raise unknown("record", [repr(name)], sorted(p.stem for p in folder.glob("*.hea")), folder)
    return base


def _listed_sha256(path: Path) -> str | None:
    """The SHA-256 a checksum list beside the dataset gives for ``path``, if one names it."""
    for listing, rel in ((path.parent / "SHA256SUMS.txt", path.name), (path.parent.parent / "SHA256SUMS", None)):
        if not listing.is_file():
            continue
        key = rel or f"{path.parent.name}/{path.name}"
        try:
            lines = listing.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split(maxsplit=1)
            if len(parts) == 2 and parts[1].strip().lstrip("*") == key:
                return parts[0].lower()
    return None


def _check_sha256(path: Path, raw: bytes) -> None:
    listed = _listed_sha256(path)
    if listed is not None and hashlib.sha256(raw).hexdigest() != listed:
        raise DataError(path, "does not match its SHA-256 in the dataset's checksum list (damaged or edited)", _REPLACE)


def _check_header(base: Path) -> Header:
    h = parse_header(base.with_suffix(".hea"))

    def bad(problem: str) -> DataError:
        return DataError(h.path, problem, _REPLACE)

    if h.record != base.name:
        raise bad(f"its record line names record {h.record!r}, not {base.name!r}")
    if not h.signals:
        raise bad("it lists no signals")
    fmts = sorted({s.fmt for s in h.signals})
    if len(fmts) != 1 or fmts[0] not in _BYTES:
        raise bad(f"storage formats {fmts}, expected one of {sorted(_BYTES)} for every signal")
    files = sorted({s.file for s in h.signals})
    if files != [base.name + ".dat"]:
        raise bad(f"signals point at {files}, expected {base.name}.dat")
    if any(s.gain <= 0 for s in h.signals):
        raise bad("a signal has a gain of zero or less")
    units = [s.units for s in h.signals]
    if any(u != "mV" for u in units):
        j = next(i for i, u in enumerate(units) if u != "mV")
        raise bad(f"signal {h.signals[j].name} is in {units[j]!r}, not mV")
    if h.n_samples < 1 or h.fs <= 0:
        raise bad(f"it announces {h.n_samples} samples at {h.fs:g} Hz")
    return h


def _read_dat(base: Path, h: Header) -> bytes:
    dat = base.with_suffix(".dat")
    if not dat.is_file():
        raise missing_file(dat, "WFDB signal file")
    raw = dat.read_bytes()
    n_sig = len(h.signals)
    expected = int(np.ceil(h.n_samples * n_sig * _BYTES[h.signals[0].fmt]))
    if len(raw) != expected:
        raise DataError(
            dat,
            f"holds {len(raw):,} bytes but its header announces {h.n_samples:,} samples x {n_sig} signals in format "
            f"{h.signals[0].fmt} = {expected:,} bytes (truncated or wrong file)",
            _REPLACE,
        )
    return raw


def load_record(name: str = "100", root=None) -> wfdb.Record:
    """The record as wfdb reads it: ``.p_signal`` in mV, ``.fs``, ``.sig_name``, ``.units``...

    The header, the .dat size and every signal's WFDB checksum are checked first (DataError if not).
    """
    base = _record_base(name, root)
    h = _check_header(base)
    raw = _read_dat(base, h)
    try:
        rec = wfdb.rdrecord(str(base), physical=False)
    except Exception as exc:  # wfdb raises many kinds on damaged files; a DataError names the record
        problem = f"wfdb cannot read it ({exc.__class__.__name__}: {exc})"
        raise DataError(base.with_suffix(".dat"), problem, _REPLACE) from None
    sums = rec.d_signal.sum(axis=0, dtype=np.int64) & 0xFFFF
    for j, s in enumerate(h.signals):
        if int(sums[j]) != s.checksum & 0xFFFF:
            raise DataError(
                base.with_suffix(".dat"),
                f"signal {s.name} fails its WFDB checksum (header {s.checksum}, data {int(sums[j])}): "
                "the samples are damaged or do not belong to this header",
                _REPLACE,
            )
    _check_sha256(base.with_suffix(".dat"), raw)
    rec.dac(inplace=True)  # digital -> mV, exactly as wfdb.rdrecord(physical=True) does
    return rec


def load_annotations(name: str = "100", root=None) -> pd.DataFrame:
    """The reference annotations (``.atr``), one row each: sample, time_s, symbol, description, aux_note.

    A missing, empty or cut .atr, or annotations outside the record, raise DataError.
    """
    base = _record_base(name, root)
    h = _check_header(base)
    atr = base.with_suffix(".atr")
    if not atr.is_file():
        raise missing_file(atr, "annotation file")
    raw = atr.read_bytes()
    if len(raw) < 2 or len(raw) % 2 or raw[-2:] != b"\0\0":
        why = "is empty (0 bytes)" if not raw else f"is cut short ({len(raw):,} bytes, no WFDB end-of-file word)"
        raise DataError(atr, why, _REPLACE)
    try:
        ann = wfdb.rdann(str(base), "atr")
    except Exception as exc:  # wfdb raises many kinds on damaged files; a DataError names the file
        raise DataError(atr, f"wfdb cannot read it ({exc.__class__.__name__}: {exc})", _REPLACE) from None
    sample = np.asarray(ann.sample, dtype=np.int64)
    if sample.size and (sample.min() < 0 or sample.max() >= h.n_samples or (np.diff(sample) < 0).any()):
        raise DataError(
            atr, f"its annotations are not in order inside the record's {h.n_samples:,} samples (damaged)", _REPLACE
        )
    _check_sha256(atr, raw)
    fs = ann.fs or h.fs
    meaning = dict(zip(ann_label_table["symbol"], ann_label_table["description"], strict=True))
    return pd.DataFrame(
        {
            "sample": ann.sample,
            "time_s": ann.sample / fs,
            "symbol": ann.symbol,
            "description": [meaning.get(s, "") for s in ann.symbol],
            "aux_note": [a.rstrip("\x00") for a in ann.aux_note],
        }
    )
