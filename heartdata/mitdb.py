"""MIT-BIH Arrhythmia Database: two-lead ambulatory ECG with beat annotations, via wfdb.

Moody GB, Mark RG. The impact of the MIT-BIH Arrhythmia Database. IEEE Eng in Med
and Biol 20(3):45-50 (2001). Licence ODC-By 1.0.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import wfdb
from wfdb.io.annotation import ann_label_table, is_qrs

from .errors import unknown
from .paths import dataset_dir

#: Annotation symbols that mark a heartbeat (QRS complex), as wfdb's label table defines them.
BEAT_SYMBOLS = frozenset(
    sym for sym, code in zip(ann_label_table["symbol"], ann_label_table["label_store"], strict=True) if is_qrs[code]
)


def data_dir(root=None) -> Path:
    return dataset_dir("mitdb", root, marker="100.hea")


def _record_base(name: str, root) -> Path:
    folder = data_dir(root)
    base = folder / str(name)
    if not base.with_suffix(".hea").is_file():
        raise unknown("record", [repr(name)], sorted(p.stem for p in folder.glob("*.hea")), folder)
    return base


def load_record(name: str = "100", root=None) -> wfdb.Record:
    """The record as wfdb reads it: ``.p_signal`` in mV, ``.fs``, ``.sig_name``, ``.units``..."""
    return wfdb.rdrecord(str(_record_base(name, root)))


def load_annotations(name: str = "100", root=None) -> pd.DataFrame:
    """The reference annotations (``.atr``), one row each: sample, time_s, symbol, description, aux_note."""
    base = _record_base(name, root)
    ann = wfdb.rdann(str(base), "atr")
    fs = ann.fs or wfdb.rdheader(str(base)).fs
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
