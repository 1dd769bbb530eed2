"""Checks for the exercises of lesson 02 (ECG signals with wfdb): expected values come from the data.

The baseline-wander measure is the one lesson 02 defines: per lead, the range (max - min, mV) of the
100 Hz signal after a 2nd-order Butterworth 0.5 Hz low-pass filter run forwards and backwards, from 0.5 s
to 9.5 s (the filter's edges left out); per ECG, the largest of its 12 leads.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import wfdb
from scipy import signal

from .. import mitdb, ptbxl
from ..feedback import check_number, close, correct, exercise, incorrect, not_attempted
from .lesson00 import as_axes, missing_labels, plotted_xy, same_series

#: Seconds of MIT-BIH record 100 that exercise 1 converts.
CONVERT_SECONDS = 10
#: How many ECGs exercise 3 asks for.
TOP_N = 10
#: Exercise 3 works on the first ECGs by ecg_id (all 450 of the shipped slice), so that on a full copy of PTB-XL
#: it still holds them in memory at once (450 records at 100 Hz: 43 MB) instead of 21,799 (2 GB).
EXERCISE_N_ECGS = 450


def mit_digital(seconds: int = CONVERT_SECONDS) -> wfdb.Record:
    """The first ``seconds`` of MIT-BIH record 100 as digital samples (``d_signal``), read with wfdb."""
    path = str(mitdb.data_dir() / "100")
    fs = wfdb.rdheader(path).fs
    return wfdb.rdrecord(path, sampto=int(seconds * fs), physical=False)


def beat_times(name: str = "100") -> np.ndarray:
    """Times (s) of the beat annotations of a MIT-BIH record, read with wfdb."""
    ann = wfdb.rdann(str(mitdb.data_dir() / name), "atr")
    is_beat = np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS))
    return ann.sample[is_beat] / ann.fs


def wander_by_lead(signals: np.ndarray, fs: float = 100, cutoff: float = 0.5, edge_s: float = 0.5) -> np.ndarray:
    """Range (mV) of the low-passed signal without its first and last ``edge_s`` seconds, per record and lead.

    Input (records, samples, leads) in mV; output (records, leads).
    """
    b, a = signal.butter(2, cutoff, btype="lowpass", fs=fs)
    edge = int(round(edge_s * fs))
    slow = signal.filtfilt(b, a, signals, axis=1)[:, edge : signals.shape[1] - edge]
    return slow.max(axis=1) - slow.min(axis=1)


def exercise_ids() -> pd.Index:
    """The ecg_ids exercise 3 ranks: the first ``EXERCISE_N_ECGS`` of the metadata (all of the shipped slice)."""
    return ptbxl.load_metadata().index[:EXERCISE_N_ECGS]


@cache
def _measures() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(wander per lead, wander without trimming the edges, range of the raw signal), streamed in batches."""
    ids = exercise_ids()
    trimmed, untrimmed, raw = [], [], []
    for _, x in ptbxl.iter_signals(ids, fs=100, batch_size=256):
        trimmed.append(wander_by_lead(x))
        untrimmed.append(wander_by_lead(x, edge_s=0).max(axis=1))
        raw.append((x.max(axis=1) - x.min(axis=1)).max(axis=1))
    return (
        pd.DataFrame(np.concatenate(trimmed), index=ids, columns=ptbxl.LEADS),
        pd.Series(np.concatenate(untrimmed), index=ids),
        pd.Series(np.concatenate(raw), index=ids),
    )


def wander_table() -> pd.DataFrame:
    """The lesson's baseline-wander measure for the exercise's ECGs: one row per ecg_id, one column per lead."""
    return _measures()[0]


def _untrimmed() -> pd.Series:
    return _measures()[1]


def _raw_range() -> pd.Series:
    return _measures()[2]


def top_wander_ids(n: int = TOP_N) -> list[int]:
    """ecg_ids of the n ECGs with the largest measured wander (largest over leads), largest first."""
    return [int(i) for i in wander_table().max(axis=1).nlargest(n).index]


# --- exercise 1: digital to physical ------------------------------------------------------------------


@exercise
def physical(answer):
    rec = mit_digital()
    d = rec.d_signal.astype(float)
    gain, base = np.asarray(rec.adc_gain, float), np.asarray(rec.baseline, float)
    expected = (d - base) / gain
    ref = wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=d.shape[0]).p_signal
    arr = np.asarray(answer, dtype=float)
    if arr.shape == expected.shape[:1] and np.allclose(arr, expected[:, 0]):
        return close(
            f"that is the first signal ({rec.sig_name[0]}) only. Convert both columns of `d_signal`; "
            "each has its own gain and baseline in the header (they happen to be equal here)."
        )
    if arr.shape != expected.shape:
        return incorrect(
            f"expected an array of shape {expected.shape} (samples x signals), like `d_signal`; got shape {arr.shape}."
        )
    if np.allclose(arr, expected, atol=1e-9) and np.allclose(arr, ref, atol=1e-9):
        return correct(f"well done: your millivolts match wfdb's `p_signal` for all {arr.size:,} values.")
    mistakes = [
        (
            d / gain,
            "you divided by the gain but did not subtract the baseline first "
            f"(the baseline is {rec.baseline[0]} digital steps, not 0).",
        ),
        (d - base, "you subtracted the baseline but did not divide by the gain: these are still digital steps."),
        ((d - base) * gain, "you multiplied by the gain; the gain is steps per millivolt, so divide by it."),
        (d / gain - base, "subtract the baseline from the digital values BEFORE dividing by the gain."),
    ]
    for wrong, message in mistakes:
        if np.allclose(arr, wrong):
            return close(message)
    return incorrect("the values do not match wfdb's. Use physical = (digital - baseline) / gain, per signal.")


# --- exercise 2: heart rate ---------------------------------------------------------------------------


@exercise
def heart_rate(answer):
    path = str(mitdb.data_dir() / "100")
    ann = wfdb.rdann(path, "atr")
    t = beat_times()
    rr = np.diff(t)
    all_rr = np.diff(ann.sample / ann.fs)
    return check_number(
        answer,
        60 / rr.mean(),
        mistakes=[
            (
                60 / np.diff(t * ann.fs).mean(),
                f"your RR intervals are in samples; divide by the sampling frequency ({ann.fs:g} Hz) to get seconds.",
            ),
            (1 / rr.mean(), "that is beats per second; the exercise asks for beats per minute."),
            (
                60 / all_rr.mean(),
                "you used every annotation, including the rhythm label `+`, which is not "
                "a beat. Keep only the beat symbols (`heartdata.mitdb.BEAT_SYMBOLS`).",
            ),
            (rr.mean(), "that is the mean RR interval in seconds; heart rate is 60 divided by it."),
            (
                (60 / rr).mean(),
                "you averaged the beat-by-beat rates (60 / RR). Short intervals weigh more that way; "
                "the exercise asks for 60 / mean RR, the number of beats per minute over the record.",
            ),
        ],
        what="a heart rate in beats per minute",
        hint="Take the beat annotations' times in seconds, their differences (RR intervals), and 60 / mean RR.",
    )


# --- exercise 3: the ECGs with the largest measured baseline wander -----------------------------------


def _as_id_set(answer) -> set[int] | None:
    if isinstance(answer, (pd.Series, pd.DataFrame)):
        answer = answer.index
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__iter__"):
        return None
    ids = list(answer)
    if not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in ids):
        return None
    return {int(i) for i in ids}


@exercise
def top_wander(answer):
    ids = _as_id_set(answer)
    if ids is None:
        return incorrect(
            f"expected {TOP_N} ecg_ids (whole numbers), e.g. a list or the index of a Series; "
            f"got {type(answer).__name__}."
        )
    table = wander_table()
    expected = set(top_wander_ids())
    if ids == expected:
        return correct(f"well done: these are the {TOP_N} ECGs whose slow signal travels furthest.")
    if len(ids) != TOP_N:
        return incorrect(f"expected {TOP_N} different ecg_ids, got {len(ids)}.")
    positions = {table.index.get_loc(i) for i in expected}
    if ids == positions or 0 in ids:
        return close(
            "these look like row positions (0, 1, 2, ...), not ecg_ids. Keep the measure in a Series indexed by "
            "`meta.index` (the ecg_ids) and take the index of its largest values."
        )
    per_record = table.max(axis=1)
    mistakes = [
        (
            {int(i) for i in per_record.nsmallest(TOP_N).index},
            "these are the smallest; sort in descending order (or use `nlargest`).",
        ),
        (
            {int(i) for i in table.median(axis=1).nlargest(TOP_N).index},
            "you took the median over the 12 leads; the measure of an ECG is its LARGEST lead.",
        ),
        (
            {int(i) for i in table.mean(axis=1).nlargest(TOP_N).index},
            "you took the mean over the 12 leads; the measure of an ECG is its LARGEST lead.",
        ),
        (
            {int(i) for i in _raw_range().nlargest(TOP_N).index},
            "you measured the range of the raw signal. Low-pass "
            "filter it at 0.5 Hz first, so the QRS peaks do not count.",
        ),
        (
            {int(i) for i in _untrimmed().nlargest(TOP_N).index},
            "you kept the first and last 0.5 s, where the filter "
            "has edge effects; take the range over samples 50 to 949.",
        ),
    ]
    for wrong, message in mistakes:
        if ids == wrong:
            return close(message)
    n_right = len(ids & expected)
    return incorrect(
        f"{n_right} of your {TOP_N} are among the expected ones. Check the filter (2nd-order Butterworth, "
        "0.5 Hz low-pass, `filtfilt` along the time axis) and take the largest range over leads."
    )


# --- exercise 4: how many of them are flagged? -------------------------------------------------------


@exercise
def n_top_flagged(answer):
    all_meta = ptbxl.load_metadata().loc[exercise_ids()]
    meta = all_meta.loc[top_wander_ids()]
    flagged = int(meta["baseline_drift"].notna().sum())
    return check_number(
        answer,
        flagged,
        mistakes=[
            (TOP_N - flagged, "that is how many have NO baseline_drift entry; count the filled ones."),
            (TOP_N, "you counted the rows, empty or not; count only the cells that hold text (`.notna()`)."),
            (
                int(all_meta["baseline_drift"].notna().sum()),
                "that is the count over all ECGs; select the rows of your 10 ECGs first (`meta.loc[top10, ...]`).",
            ),
        ],
        what="a whole number of ECGs (0 to 10)",
        hint="Select the rows of your top ECGs in `meta` and count the non-empty `baseline_drift` cells.",
    )


# --- exercise 5: a figure of the converted signal -----------------------------------------------------


@exercise
def signal_plot(answer):
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes you drew on, got {type(answer).__name__}.")
    rec = mit_digital()
    d = rec.d_signal.astype(float)
    mv = (d - np.asarray(rec.baseline, float)) / np.asarray(rec.adc_gain, float)
    t = np.arange(d.shape[0]) / rec.fs
    samples = np.arange(d.shape[0], dtype=float)
    series = plotted_xy(ax)
    if not series:
        return not_attempted("nothing is plotted on this Axes yet: draw the signal with `ax.plot(t, y)`.")
    for x, y in series:
        if same_series(x, y, t, mv[:, 0]):
            labels = missing_labels(ax, ("(s)", "second"), ("mV", "millivolt"))
            if labels:
                return close(f"the data is right, but {labels}.")
            return correct(f"{rec.sig_name[0]} in millivolts over {t[-1] + 1 / rec.fs:g} s.")
        if same_series(x, y, samples, mv[:, 0]) or same_series(x, y, samples, d[:, 0]):
            return close(
                f"your x values are sample numbers; divide by the sampling frequency ({rec.fs:g} Hz) for seconds."
            )
        if same_series(x, y, t, d[:, 0]):
            return close("your y values are digital steps (`d_signal`); plot the millivolts you computed.")
        if same_series(x, y, t, mv[:, 1]):
            return close(f"that is {rec.sig_name[1]}, the second signal; plot {rec.sig_name[0]} (column 0).")
    return incorrect(
        f"none of the plotted lines holds {rec.sig_name[0]} in mV against time in seconds: "
        f"plot `mv[:, 0]` against `np.arange(len(mv)) / {rec.fs:g}`."
    )
