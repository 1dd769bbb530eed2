"""A small reader for the WFDB header lines PTB-XL uses, so every record can be
checked against its data file without the cost of building a full wfdb.Record.

Reference: the WFDB header format (https://physionet.org/physiotools/wag/header-5.htm).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from .errors import DataError

_GAIN = re.compile(r"^(?P<gain>[-+0-9.eE]+)(\((?P<baseline>-?\d+)\))?(/(?P<units>\S+))?$")


class Signal(NamedTuple):
    """One signal line of a header (a NamedTuple: thousands are built per second)."""

    file: str
    fmt: str
    gain: float
    baseline: int
    units: str
    adc_zero: int
    checksum: int
    name: str


@dataclass(frozen=True)
class Header:
    path: Path
    record: str
    fs: float
    n_samples: int
    signals: tuple[Signal, ...]

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.signals]


def _not_wfdb(path: Path, detail: str) -> DataError:
    return DataError(
        path,
        f"not a valid WFDB header ({detail})",
        "Replace it with the original .hea file from PhysioNet (or re-download the dataset).",
    )


_GAINS: dict[str, tuple[float, int | None, str]] = {}


def _gain_field(text: str) -> tuple[float, int | None, str]:
    """(gain, baseline or None, units) of a 'gain(baseline)/units' field; KeyError if it is not one,
    ValueError if its gain is not a finite number. Remembered: a dataset repeats a handful of them."""
    known = _GAINS.get(text)
    if known is not None:
        return known
    m = _GAIN.match(text)
    if m is None:
        raise KeyError(text)
    gain = float(m["gain"])
    if not math.isfinite(gain):
        raise ValueError(text)
    known = gain, (int(m["baseline"]) if m["baseline"] is not None else None), m["units"] or "mV"
    if len(_GAINS) < 10_000:
        _GAINS[text] = known
    return known


def parse_header(path: Path) -> Header:
    """Parse a single-segment WFDB header. Raises DataError on anything unexpected."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "header file not found", "Check the record name and the data folder.") from None
    return parse_header_bytes(raw, path)


def parse_header_bytes(raw: bytes, path: Path) -> Header:
    """Parse the bytes of a single-segment WFDB header read from ``path``."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        raise _not_wfdb(path, "the file is not plain ASCII text") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise _not_wfdb(path, "it has no record line")
    head = lines[0].split()
    try:
        record, n_sig = head[0], int(head[1])
        fs = float(head[2].split("/")[0])
        n_samples = int(head[3])
    except (IndexError, ValueError):
        raise _not_wfdb(path, f"record line {lines[0][:60]!r} is not 'name n_signals fs n_samples'") from None
    if not math.isfinite(fs) or fs <= 0 or n_sig < 1:
        raise _not_wfdb(path, f"record line {lines[0][:60]!r} announces {n_sig} signals at {fs:g} Hz")
    if len(lines) - 1 < n_sig:
        raise _not_wfdb(path, f"record line announces {n_sig} signals but {len(lines) - 1} signal lines follow")
    signals = []
    for i, line in enumerate(lines[1 : n_sig + 1], start=1):
        f = line.split(maxsplit=8)
        if len(f) < 9:
            raise _not_wfdb(path, f"signal line {i} {line[:60]!r} does not have the 9 WFDB fields")
        try:
            gain, baseline, units = _gain_field(f[2])
            adc_zero = int(f[4])
            signals.append(
                Signal(
                    file=f[0],
                    fmt=f[1],
                    gain=gain,
                    baseline=adc_zero if baseline is None else baseline,
                    units=units,
                    adc_zero=adc_zero,
                    checksum=int(f[6]),
                    name=f[8].strip(),
                )
            )
        except KeyError:
            raise _not_wfdb(path, f"signal line {i} {line[:60]!r} does not have the 9 WFDB fields") from None
        except ValueError:
            raise _not_wfdb(path, f"signal line {i} {line[:60]!r} has a non-numeric field") from None
    return Header(path, record, fs, n_samples, tuple(signals))
