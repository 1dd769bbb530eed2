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

from .. import feedback, mitdb, ptbxl
from ..feedback import (
    Feedback,
    as_ids,
    check_number,
    close,
    correct,
    describe_axes,
    empty_axes,
    exercise,
    incorrect,
    mistake_at,
    named,
    returned_none,
)
from .lesson00 import as_axes, hidden_by_limits, missing_labels, plotted_xy, same_series

#: Seconds of MIT-BIH record 100 that exercise 1 converts.
CONVERT_SECONDS = 10
#: A header the lesson did not show: three signals, each with its own gain (steps/mV) and baseline, and digital
#: samples of the kind a 12-bit or 16-bit converter writes. Exercise 1's function must convert them too.
OTHER_GAINS, OTHER_BASELINES = (200.0, 1000.0, 400.5), (1024, 0, -12)
#: Exercise 2: the heart rate over the beats of the first two minutes.
HR_WINDOW_S = 120
#: Exercise 5: the stretch of record 100 (seconds) that the figure shows, and its signal (V5, column 1).
PLOT_FROM_S, PLOT_TO_S, PLOT_SIGNAL = 60, 70, 1
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


# --- exercise 1: digital to physical, as a function ----------------------------------------------------------


def other_digital() -> np.ndarray:
    """Digital samples for the header the lesson did not show (OTHER_GAINS, OTHER_BASELINES): 50 samples x 3."""
    rng = np.random.default_rng(2)
    return rng.integers(-2000, 2000, size=(50, len(OTHER_GAINS))).astype(np.int16)


@exercise(mistakes={
    "no baseline": "you divided by the gain but did not subtract the baseline first (the baselines are {baselines}, "
                   "not 0).",
    "no gain": "you subtracted the baseline but did not divide by the gain: these are still digital steps.",
    "times gain": "you multiplied by the gain; the gain is steps per millivolt, so divide by it.",
    "order": "subtract the baseline from the digital values BEFORE dividing by the gain.",
    "one gain": "you used the first signal's gain and baseline for every signal. In record 100 they happen to be "
                "equal; in a header with different gains ({gains}) each column needs its own: "
                "`(d_signal - baseline) / gain` with arrays of one value per signal.",
    "floor": "you used `//`, which rounds down to whole millivolts; use `/`.",
    "rounded": "your function computes the right millivolts, but rounds them {how}. Return them unrounded (round only "
               "when you display them), so that no precision is lost and they can be checked exactly.",
    "result": "you passed what your function returned for record 100 ({kind}); pass the function itself: "
              "`check.to_millivolts(to_millivolts)`, its name without brackets.",
})  # fmt: skip
def to_millivolts(answer):
    if not callable(answer):
        if isinstance(answer, np.ndarray):
            return close(named("result", kind=f"an array of shape {answer.shape}"))
        return incorrect(f"expected your function `to_millivolts`, got {type(answer).__name__}.")
    rec = mit_digital()
    ref = wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=rec.d_signal.shape[0]).p_signal
    other = other_digital()
    gains, bases = np.array(OTHER_GAINS), np.array(OTHER_BASELINES, float)
    want_other = (other - bases) / gains
    given100, given = rec.d_signal.copy(), other.copy()
    try:
        got100 = answer(given100, list(rec.adc_gain), list(rec.baseline))
        got = answer(given, list(OTHER_GAINS), list(OTHER_BASELINES))
    except Exception as exc:  # the student's function raised: say where
        return incorrect(f"your function raised {exc.__class__.__name__}: {exc}. It is called as "
                         "`to_millivolts(d_signal, adc_gain, baseline)` with a (samples x signals) array and two "
                         "lists of one value per signal.")  # fmt: skip
    if got100 is None or got is None:  # the stub is not attempted; a body without `return` is told so
        return returned_none(answer, "to_millivolts", "the array of millivolts (samples x signals)")
    got100, got = np.asarray(got100, dtype=float), np.asarray(got, dtype=float)
    if got100.shape != ref.shape:
        return incorrect(f"for record 100 your function returned shape {got100.shape}; expected {ref.shape} "
                         "(samples x signals), like `d_signal`.")  # fmt: skip
    changed = not (np.array_equal(given100, rec.d_signal) and np.array_equal(given, other))
    if np.allclose(got100, ref, atol=1e-9) and got.shape == want_other.shape and np.allclose(got, want_other):
        note = (" One caution: your function changes the array it receives (an in-place `-=` or `/=` on "
                "`d_signal`), so after a call the caller's digital samples are gone; work on a copy, e.g. "
                "`d_signal - baseline`, which makes a new array." if changed else "")
        return correct("your function gives wfdb's millivolts for record 100, and the right ones for a header with "
                       "three different gains and baselines." + note)  # fmt: skip
    d = other.astype(float)
    mistakes = [
        ("no baseline", d / gains, {"baselines": ", ".join(f"{b:g}" for b in bases)}),
        ("no gain", d - bases, {}),
        ("times gain", (d - bases) * gains, {}),
        ("order", d / gains - bases, {}),
        ("one gain", (d - bases[0]) / gains[0], {"gains": ", ".join(f"{g:g}" for g in gains)}),
        ("floor", (d - bases) // gains, {}),
    ]
    for key, wrong, values in mistakes:
        if got.shape == wrong.shape and np.allclose(got, wrong):
            return close(named(key, **values))
    how = _rounded_array(got, want_other) if got.shape == want_other.shape else None
    if how and _rounded_array(got100, ref, how) is not None:
        return close(named("rounded", how=how))
    if np.allclose(got100, ref, atol=1e-9):
        return incorrect("right for record 100, but not for a header with other gains and baselines: use the "
                         "`adc_gain` and `baseline` your function receives, one per signal (column).")  # fmt: skip
    return incorrect("the values do not match. Use physical = (digital - baseline) / gain, each signal (column) with "
                     "its own gain and baseline.")  # fmt: skip


def _rounded_array(got: np.ndarray, want: np.ndarray, how: str | None = None) -> str | None:
    """How ``got`` is ``want`` rounded ("to 3 decimals", the module's rounding rule over every value), or None; with
    ``how`` given, whether it is rounded that way (or right): then ``how`` or None."""
    if how is not None:
        d = int(how.split()[1])
        ok = np.abs(got - want) <= 0.5 * 10.0**-d + 1e-9
        return how if ok.all() else None
    return feedback.rounding_all(got.ravel(), want.ravel())


# --- exercise 2: heart rate over the first two minutes ----------------------------------------------------------


@exercise(mistakes={
    "rhythm label": "you used every annotation of the first two minutes, including the rhythm label `+` (at "
                    "{t:.2f} s), which is not a beat: its 'interval' to the first beat shortens the mean. Keep only "
                    "the beat symbols (`heartdata.mitdb.BEAT_SYMBOLS`).",
    "samples": "your RR intervals are in samples; divide by the sampling frequency ({fs:g} Hz) to get seconds.",
    "per second": "that is beats per second; the exercise asks for beats per minute.",
    "mean rr": "that is the mean RR interval in seconds; heart rate is 60 divided by it.",
    "mean of rates": "you averaged the beat-by-beat rates (60 / RR). Short intervals weigh more that way; the "
                     "exercise asks for 60 / mean RR.",
    "whole record": "that is the heart rate of the whole record (the lesson's number); keep the beats of the first "
                    "{s} s.",
    "beats per minutes": "that is the number of beats in the first {s} s divided by {m:g} minutes ({n} / {m:g}). "
                         "{n} beats span {k} RR intervals, not {m:g} minutes exactly: take 60 / mean RR.",
})  # fmt: skip
def heart_rate(answer):
    path = str(mitdb.data_dir() / "100")
    ann = wfdb.rdann(path, "atr")
    t_all = ann.sample / ann.fs
    window = t_all < HR_WINDOW_S
    is_beat = np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS))
    t = t_all[is_beat & window]
    rr = np.diff(t)
    every = np.diff(t_all[window])
    rhythm = t_all[window & ~is_beat]
    mistakes = [
        mistake_at("samples", 60 / np.diff(t * ann.fs).mean(), fs=ann.fs),
        mistake_at("per second", 1 / rr.mean()),
        mistake_at("mean rr", rr.mean()),
        mistake_at("mean of rates", (60 / rr).mean()),
        mistake_at("whole record", 60 / np.diff(beat_times()).mean(), s=HR_WINDOW_S),
        mistake_at("beats per minutes", len(t) / (HR_WINDOW_S / 60), s=HR_WINDOW_S, m=HR_WINDOW_S / 60, n=len(t),
                   k=len(t) - 1),
    ]
    if len(rhythm):
        mistakes.insert(0, mistake_at("rhythm label", 60 / every.mean(), t=float(rhythm[0])))
    return check_number(
        answer,
        60 / rr.mean(),
        mistakes=mistakes,
        what="a heart rate in beats per minute",
        hint=f"Take the beat annotations before {HR_WINDOW_S} s, their times in seconds, their differences (RR "
        "intervals), and 60 / mean RR.",
    )


# --- exercise 3: the ECGs with the largest measured baseline wander -----------------------------------


def _as_id_set(answer) -> set[int] | Feedback:
    """The ecg_ids of the answer as a set of ints (whole-number floats such as 292.0 count as ids), or a Feedback
    that says what the answer holds instead."""
    ids = as_ids(answer, f"{TOP_N} ecg_ids (whole numbers), e.g. a list or the index of a Series")
    if isinstance(ids, Feedback):
        return ids
    if isinstance(answer, pd.Series):  # a Series of measures indexed by ecg_id: its index holds the ids
        ids = list(answer.index)
    bad = [i for i in ids if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, float, np.integer, np.floating))
           or not np.isfinite(i) or i != int(i)]  # fmt: skip
    if bad:
        return incorrect(f"expected {TOP_N} ecg_ids (whole numbers); your {type(answer).__name__} holds "
                         f"{bad[0]!r} ({type(bad[0]).__name__}), which is not a whole number. Pass the ids as "
                         "numbers, e.g. the index of your Series (`.index`).")  # fmt: skip
    return {int(i) for i in ids}


@exercise(mistakes={
    "positions": "these look like row positions (0, 1, 2, ...), not ecg_ids. Keep the measure in a Series indexed by "
                 "`meta.index` (the ecg_ids) and take the index of its largest values.",
    "smallest": "these are the smallest; sort in descending order (or use `nlargest`).",
    "median": "you took the median over the 12 leads; the measure of an ECG is its LARGEST lead.",
    "mean": "you took the mean over the 12 leads; the measure of an ECG is its LARGEST lead.",
    "raw": "you measured the range of the raw signal. Low-pass filter it at 0.5 Hz first, so the QRS peaks do not "
           "count.",
    "edges": "you kept the first and last 0.5 s, where the filter has edge effects; take the range over samples 50 "
             "to 949.",
})  # fmt: skip
def top_wander(answer):
    ids = _as_id_set(answer)
    if isinstance(ids, Feedback):
        return ids
    table = wander_table()
    expected = set(top_wander_ids())
    if ids == expected:
        return correct(f"well done: these are the {TOP_N} ECGs whose slow signal travels furthest.")
    if len(ids) != TOP_N:
        return incorrect(f"expected {TOP_N} different ecg_ids, got {len(ids)}.")
    positions = {table.index.get_loc(i) for i in expected}
    if ids == positions or 0 in ids:
        return close(named("positions"))
    per_record = table.max(axis=1)
    wrong_sets = {
        "smallest": {int(i) for i in per_record.nsmallest(TOP_N).index},
        "median": {int(i) for i in table.median(axis=1).nlargest(TOP_N).index},
        "mean": {int(i) for i in table.mean(axis=1).nlargest(TOP_N).index},
        "raw": {int(i) for i in _raw_range().nlargest(TOP_N).index},
        "edges": {int(i) for i in _untrimmed().nlargest(TOP_N).index},
    }
    for key, wrong in wrong_sets.items():
        if ids == wrong:
            return close(named(key))
    n_right = len(ids & expected)
    return incorrect(
        f"{n_right} of your {TOP_N} are among the expected ones. Check each step of the measure: the filter "
        "(2nd-order Butterworth, 0.5 Hz low-pass, `filtfilt` along the time axis, `axis=1`), then per lead the range "
        "(max − min) over samples 50 to 949, then per ECG the largest of its 12 leads."
    )


# --- exercise 4: how many of them are flagged? -------------------------------------------------------


@exercise(mistakes={
    "empty": "that is how many have NO baseline_drift entry; count the filled ones.",
    "rows": "you counted the rows, empty or not; count only the cells that hold text (`.notna()`).",
    "all ecgs": "that is the count over all ECGs; select the rows of your 10 ECGs first (`meta.loc[top10, ...]`).",
})  # fmt: skip
def n_top_flagged(answer):
    all_meta = ptbxl.load_metadata().loc[exercise_ids()]
    meta = all_meta.loc[top_wander_ids()]
    flagged = int(meta["baseline_drift"].notna().sum())
    first = _top_first()
    mistakes = [
        mistake_at("rows", TOP_N),  # ten rows, whatever the ten
        mistake_at("all ecgs", int(all_meta["baseline_drift"].notna().sum())),  # no top ten at all
    ]
    if not first:  # exercise 3 is right, so the student's ten are these: a count of their empty cells is this one
        mistakes.insert(0, mistake_at("empty", TOP_N - flagged))
    return check_number(
        answer,
        flagged,
        mistakes=mistakes,
        what="a whole number of ECGs (0 to 10)",
        hint=first + "Select the rows of your top ECGs in `meta` and count the non-empty `baseline_drift` cells.",
    )


def _top_first() -> str:
    """What to say first when exercise 4's count is off: it counts the flags of exercise 3's top 10, so a wrong top
    10 gives a wrong count however well it is counted (r22-s05 D02-3). Read from this session's verdicts."""
    from .. import _progress

    rec = _progress.RECORDS.get(("02", "top_wander"))
    status = None if rec is None else rec.get("status")
    if status == "correct":
        return ""
    said = ("its check has not said 'Correct' in this session" if status in (None, "not attempted") else
            f"its check's last verdict was '{feedback.LABEL.get(status, status)}'")  # fmt: skip
    return (f"This count is of exercise 3's top {TOP_N}, so exercise 3 must be right first ({said}): with another "
            f"top {TOP_N}, a careful count still differs. Get `check.top_wander` to say 'Correct', then count again. "
            "Otherwise: ")


# --- exercise 5: a figure of a later stretch, converted ------------------------------------------------------


def later_digital() -> wfdb.Record:
    """The stretch of record 100 that exercise 5 draws, as digital samples."""
    path = str(mitdb.data_dir() / "100")
    fs = wfdb.rdheader(path).fs
    return wfdb.rdrecord(path, sampfrom=int(PLOT_FROM_S * fs), sampto=int(PLOT_TO_S * fs), physical=False)


@exercise(figure=True, mistakes={
    "labels": "the data is right, but {labels}.",
    "from zero": "your time axis starts at 0, but this stretch starts {start:g} s into the recording: add "
                 "{start:g} s (or build the times from `sampfrom`), so that the x axis says when it happened.",
    "samples": "your x values are sample numbers; divide by the sampling frequency ({fs:g} Hz) for seconds.",
    "digital": "your y values are digital steps (`d_signal`); plot the millivolts your function computed.",
    "other signal": "that is {other}; plot {name} (column {col}).",
    "first stretch": "that is the first {n:g} seconds of the record (exercise 1's `rec`); plot the stretch of "
                     "`rec_later`, {start:g} to {stop:g} s.",
    "hidden": "{name} is plotted, but {hidden}. Remove `set_xlim`/`set_ylim`, or widen them, so that the stretch "
              "shows.",
    "extra lines": "{name} is there, but the Axes also shows {others}; the exercise asks for {name} alone, so that "
                   "the reader knows which line is which lead.",
    "panel": "your figure has {n} panels with data, and {name} is in panel {k}. Pass that panel's Axes (e.g. "
             "`axes[{i}]`), the one the exercise asks for.",
})  # fmt: skip
def signal_plot(answer):
    from matplotlib.figure import Figure

    panels = [a for a in answer.axes if plotted_xy(a) or a.patches] if isinstance(answer, Figure) else []
    ax = as_axes(answer)
    if ax is None:
        return incorrect(f"expected the matplotlib Axes you drew on, got {type(answer).__name__}.")
    rec = later_digital()
    d = rec.d_signal.astype(float)
    mv = (d - np.asarray(rec.baseline, float)) / np.asarray(rec.adc_gain, float)
    t0 = PLOT_FROM_S
    t = t0 + np.arange(d.shape[0]) / rec.fs
    col, other = PLOT_SIGNAL, 1 - PLOT_SIGNAL
    name = rec.sig_name[col]
    if len(panels) > 1:  # a Figure of several panels: which one holds the signal asked for?
        holding = [k for k, a in enumerate(panels) if any(same_series(x, y, t, mv[:, col]) for x, y in plotted_xy(a))]
        if holding:
            return close(named("panel", n=len(panels), name=name, k=holding[0] + 1, i=holding[0]))
    first = mit_digital()
    first_mv = (first.d_signal - np.asarray(first.baseline, float)) / np.asarray(first.adc_gain, float)
    t_first = np.arange(first.d_signal.shape[0]) / first.fs
    series = plotted_xy(ax)
    if not series:
        if ax.lines or ax.collections or ax.patches or ax.images:  # an attempt: say what it is
            return incorrect(f"your Axes shows {describe_axes(ax)}, but no line of {name} in mV against seconds: "
                             "draw it with `ax.plot(t, y)`.")  # fmt: skip
        return empty_axes(ax, "draw the signal with `ax.plot(t, y)`.")
    right = [i for i, (x, y) in enumerate(series) if same_series(x, y, t, mv[:, col])]
    if right:  # wherever it was drawn: the order of drawing does not matter
        hidden = hidden_by_limits(ax, *series[right[0]])
        if hidden:
            return close(named("hidden", name=name, hidden=hidden))
        others = [s for i, s in enumerate(series) if i not in right]
        if others:
            said = [f"{rec.sig_name[other]} (column {other})" if same_series(x, y, t, mv[:, other])
                    else f"a line of {len(x)} points" for x, y in others]  # fmt: skip
            return close(named("extra lines", name=name, others=" and ".join(said)))
        labels = missing_labels(ax, "second", "millivolt")
        if labels:
            return close(named("labels", labels=labels))
        return correct(f"{name} in millivolts from {PLOT_FROM_S} s to {PLOT_TO_S} s of the record.")
    for x, y in series:
        if same_series(x, y, t - t0, mv[:, col]):
            return close(named("from zero", start=t0))
        samples = np.arange(d.shape[0], dtype=float)
        if any(same_series(x, y, s_, v) for s_ in (samples, samples + t0 * rec.fs) for v in (mv[:, col], d[:, col])):
            return close(named("samples", fs=rec.fs))
        if same_series(x, y, t, d[:, col]) or same_series(x, y, t - t0, d[:, col]):
            return close(named("digital"))
        if same_series(x, y, t, mv[:, other]) or same_series(x, y, t - t0, mv[:, other]):
            return close(named("other signal", other=f"{rec.sig_name[other]} (column {other})",
                               name=name, col=col))  # fmt: skip
        if any(same_series(x, y, t_first, first_mv[:, c]) for c in (0, 1)):
            return close(named("first stretch", n=CONVERT_SECONDS, start=PLOT_FROM_S, stop=PLOT_TO_S))
    return incorrect(
        f"none of the plotted lines holds {name} in mV against the time of the recording in seconds: "
        f"plot column {col} of your millivolts against `{PLOT_FROM_S} + np.arange(n) / {rec.fs:g}`, n the number of "
        "samples (rows) of `rec_later.d_signal`."
    )
