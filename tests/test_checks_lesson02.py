"""Lesson 02's checks: not attempted, the named typical mistakes, and correct; they never raise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import wfdb
from scipy import signal

from heartdata import feedback, mitdb, ptbxl
from heartdata.checks import lesson02

CHECKS = (lesson02.physical, lesson02.heart_rate, lesson02.top_wander, lesson02.n_top_flagged, lesson02.signal_plot)


@pytest.mark.parametrize("check", CHECKS)
def test_none_is_not_attempted(check):
    assert check(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["75", {"a": 1}, object(), True, [1.5, 2.5], pd.DataFrame({"a": [1, 2]})])
@pytest.mark.parametrize("check", CHECKS)
def test_checks_never_raise_on_strange_answers(check, bad):
    assert check(bad).status == feedback.INCORRECT, (check.__name__, bad)


def _digital():
    return wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=3600, physical=False)


def test_physical():
    rec = _digital()
    d, gain, base = rec.d_signal, np.array(rec.adc_gain), np.array(rec.baseline)
    assert lesson02.physical((d - base) / gain).correct
    # a student reading the physical record with wfdb is also right: the values are the same
    assert lesson02.physical(wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=3600).p_signal).correct
    forgot = lesson02.physical(d / gain)
    assert forgot.status == feedback.CLOSE and "baseline" in forgot.message
    assert "divide by the gain" in lesson02.physical(d - base).message
    assert "multiplied" in lesson02.physical((d - base) * gain).message
    assert "first signal" in lesson02.physical(((d - base) / gain)[:, 0]).message
    assert lesson02.physical(np.zeros((3600, 2))).status == feedback.INCORRECT
    assert "shape" in lesson02.physical(np.zeros((100, 2))).message


def test_heart_rate():
    ann = wfdb.rdann(str(mitdb.data_dir() / "100"), "atr")
    beat = np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS))
    rr = np.diff(ann.sample[beat] / ann.fs)
    assert lesson02.heart_rate(60 / rr.mean()).correct
    assert lesson02.heart_rate(np.float64(60 / rr.mean())).correct
    assert "samples" in lesson02.heart_rate(60 / np.diff(ann.sample[beat]).mean()).message
    assert "per second" in lesson02.heart_rate(1 / rr.mean()).message
    assert "rhythm label" in lesson02.heart_rate(60 / np.diff(ann.sample / ann.fs).mean()).message
    assert "60 divided" in lesson02.heart_rate(rr.mean()).message
    assert lesson02.heart_rate(72).status == feedback.INCORRECT


def _student_wander(edge=50, reduce="max", filtered=True):
    ids = lesson02.exercise_ids()
    x = ptbxl.load_signals(ids, fs=100)
    if filtered:
        b, a = signal.butter(2, 0.5, btype="lowpass", fs=100)
        x = signal.filtfilt(b, a, x, axis=1)
    x = x[:, edge : x.shape[1] - edge]
    per_lead = pd.DataFrame(x.max(axis=1) - x.min(axis=1), index=ids)
    return getattr(per_lead, reduce)(axis=1)


def test_top_wander():
    wander = _student_wander()
    assert lesson02.top_wander(wander.nlargest(10).index).correct
    assert lesson02.top_wander(wander.nlargest(10)).correct  # a Series: its index holds the ids
    assert lesson02.top_wander([int(i) for i in wander.nlargest(10).index[::-1]]).correct  # order does not matter
    assert "smallest" in lesson02.top_wander(wander.nsmallest(10).index).message
    assert "median" in lesson02.top_wander(_student_wander(reduce="median").nlargest(10).index).message
    assert "mean" in lesson02.top_wander(_student_wander(reduce="mean").nlargest(10).index).message
    assert "edge" in lesson02.top_wander(_student_wander(edge=0).nlargest(10).index).message
    assert "raw signal" in lesson02.top_wander(_student_wander(edge=0, filtered=False).nlargest(10).index).message
    assert "expected 10" in lesson02.top_wander(wander.nlargest(5).index).message
    some = list(wander.nlargest(9).index) + [int(wander.idxmin())]
    fb = lesson02.top_wander(some)
    assert fb.status == feedback.INCORRECT and "9 of your 10" in fb.message


def test_n_top_flagged():
    meta = ptbxl.load_metadata()
    top = _student_wander().nlargest(10).index
    n = int(meta.loc[top, "baseline_drift"].notna().sum())
    assert lesson02.n_top_flagged(n).correct
    assert "NO baseline_drift" in lesson02.n_top_flagged(10 - n).message
    assert "rows" in lesson02.n_top_flagged(10).message
    assert "all ECGs" in lesson02.n_top_flagged(int(meta["baseline_drift"].notna().sum())).message


def test_heart_rate_mean_of_instantaneous_rates_is_named():
    t = lesson02.beat_times()
    fb = lesson02.heart_rate(float((60 / np.diff(t)).mean()))
    assert fb.status == feedback.CLOSE and "averaged the beat-by-beat rates" in fb.message


def test_top_wander_row_positions_are_named():
    table = lesson02.wander_table()
    positions = [table.index.get_loc(i) for i in lesson02.top_wander_ids()]
    fb = lesson02.top_wander(positions)
    assert fb.status == feedback.CLOSE and "row positions" in fb.message


def test_signal_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec = _digital()
    mv = (rec.d_signal - np.array(rec.baseline)) / np.array(rec.adc_gain)
    t = np.arange(len(mv)) / rec.fs

    def drawn(x, y, xlabel="time (s)", ylabel="MLII (mV)"):
        _, ax = plt.subplots()
        ax.plot(x, y)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    assert lesson02.signal_plot(drawn(t, mv[:, 0])).correct
    assert lesson02.signal_plot(drawn(t, mv[:, 0]).figure).correct
    assert lesson02.signal_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    assert "sample numbers" in lesson02.signal_plot(drawn(np.arange(len(mv)), mv[:, 0])).message
    assert "digital steps" in lesson02.signal_plot(drawn(t, rec.d_signal[:, 0])).message
    assert "second signal" in lesson02.signal_plot(drawn(t, mv[:, 1])).message
    fb = lesson02.signal_plot(drawn(t, mv[:, 0], ylabel="MLII"))
    assert fb.status == feedback.CLOSE and "unit" in fb.message
    assert lesson02.signal_plot(drawn(t, mv[:, 0] * 2)).status == feedback.INCORRECT
    plt.close("all")
