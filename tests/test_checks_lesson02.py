"""Lesson 02's checks: not attempted, the named typical mistakes, and correct; they never raise.

The walkthrough tests hold, for every exercise, the warned mistake, two other plausible wrong answers and one right
answer written another way, each with the status it must get and the words the message must use.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import wfdb
from scipy import signal

from heartdata import feedback, mitdb, ptbxl
from heartdata.checks import lesson02

CHECKS = (
    lesson02.to_millivolts,
    lesson02.heart_rate,
    lesson02.top_wander,
    lesson02.n_top_flagged,
    lesson02.signal_plot,
)
CLOSE, INCORRECT, CORRECT = feedback.CLOSE, feedback.INCORRECT, feedback.CORRECT


def expect(fb, status, *words):
    assert fb.status == status, fb
    for w in words:
        assert w in fb.message, (w, fb.message)


@pytest.mark.parametrize("check", CHECKS)
def test_none_is_not_attempted(check):
    import matplotlib.pyplot as plt

    plt.close("all")
    assert check(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["75", {"a": 1}, object(), True, [1.5, 2.5], pd.DataFrame({"a": [1, 2]})])
@pytest.mark.parametrize("check", CHECKS)
def test_checks_never_raise_on_strange_answers(check, bad):
    assert check(bad).status == feedback.INCORRECT, (check.__name__, bad)


def _digital():
    return wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=3600, physical=False)


def test_walkthrough_to_millivolts():
    def right(d, g, b):
        return (np.asarray(d, float) - np.asarray(b)) / np.asarray(g)

    def one_gain(d, g, b):  # the warned mistake: record 100's two signals share a gain, other headers do not
        return (np.asarray(d, float) - b[0]) / g[0]

    def no_baseline(d, g, b):
        return np.asarray(d, float) / np.asarray(g)

    def with_wfdb(d, g, b):  # the lesson's shortcut: reads record 100 whatever it is given
        return wfdb.rdrecord(str(mitdb.data_dir() / "100"), sampto=3600).p_signal

    def loop(d, g, b):  # right, written another way: column by column, changing its input in place
        d = np.array(d, dtype=float)
        for j in range(d.shape[1]):
            d[:, j] = (d[:, j] - b[j]) / g[j]
        return d

    expect(lesson02.to_millivolts(one_gain), CLOSE, "first signal's gain", "each column")
    expect(lesson02.to_millivolts(no_baseline), CLOSE, "baseline")
    expect(lesson02.to_millivolts(with_wfdb), INCORRECT, "right for record 100")  # p_signal cannot pass
    rec = _digital()
    expect(lesson02.to_millivolts(right(rec.d_signal, rec.adc_gain, rec.baseline)), CLOSE, "function itself")
    expect(lesson02.to_millivolts(lambda d, g, b: None), feedback.NOT_ATTEMPTED, "write the body")

    def stub(d_signal, adc_gain, baseline):  # the notebook's stub, as given
        # your code here
        return None

    def forgot_return(d, g, b):  # an attempt whose body computes the answer but never returns it
        (np.asarray(d, float) - np.asarray(b)) / np.asarray(g)

    def none_for_other_header(d, g, b):  # returns for record 100, falls off the end for three signals
        if np.shape(d)[1] == 2:
            return right(d, g, b)

    expect(lesson02.to_millivolts(stub), feedback.NOT_ATTEMPTED, "write the body of `to_millivolts`")
    expect(lesson02.to_millivolts(forgot_return), INCORRECT, "returned None", "forget `return`", "no line returns")
    expect(lesson02.to_millivolts(none_for_other_header), INCORRECT, "returned None", "without reaching it")
    expect(lesson02.to_millivolts(lambda d: d), INCORRECT, "raised")
    expect(lesson02.to_millivolts(loop), CORRECT)
    expect(lesson02.to_millivolts(right), CORRECT)


def test_walkthrough_heart_rate():
    ann = wfdb.rdann(str(mitdb.data_dir() / "100"), "atr")
    t = ann.sample / ann.fs
    early = t < lesson02.HR_WINDOW_S
    beat = np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS))
    rr = np.diff(t[beat & early])
    expect(lesson02.heart_rate(60 / np.diff(t[early]).mean()), CLOSE, "rhythm label `+`")  # the warned mistake
    expect(lesson02.heart_rate(60 / np.diff(t[beat]).mean()), CLOSE, "whole record")  # the lesson's 75.5
    expect(lesson02.heart_rate((60 / rr).mean()), CLOSE, "averaged the beat-by-beat rates")
    expect(lesson02.heart_rate(1 / rr.mean()), CLOSE, "per second")
    expect(lesson02.heart_rate(60 / np.diff(ann.sample[beat & early]).mean()), CLOSE, "samples")
    expect(lesson02.heart_rate(72), INCORRECT, "before 120 s")
    expect(lesson02.heart_rate(np.float64(60 * len(rr) / (t[beat & early][-1] - t[beat & early][0]))), CORRECT)


def _student_wander(edge=50, reduce="max", filtered=True):
    ids = lesson02.exercise_ids()
    x = ptbxl.load_signals(ids, fs=100)
    if filtered:
        b, a = signal.butter(2, 0.5, btype="lowpass", fs=100)
        x = signal.filtfilt(b, a, x, axis=1)
    x = x[:, edge : x.shape[1] - edge]
    per_lead = pd.DataFrame(x.max(axis=1) - x.min(axis=1), index=ids)
    return getattr(per_lead, reduce)(axis=1)


def test_walkthrough_top_wander():
    wander = _student_wander()
    expect(lesson02.top_wander(_student_wander(edge=0).nlargest(10).index), CLOSE, "edge")  # the warned trim
    expect(lesson02.top_wander(iter(wander.nlargest(10).index)), INCORRECT, "use it up")  # never consumed
    expect(lesson02.top_wander(set(int(i) for i in wander.nlargest(10).index)), CORRECT)  # a set
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


def test_walkthrough_n_top_flagged(monkeypatch):
    from heartdata import _progress

    monkeypatch.setattr(_progress, "RECORDS", {})
    meta = ptbxl.load_metadata()
    top = _student_wander().nlargest(10).index
    assert lesson02.top_wander(top).correct  # the count of empty cells is named only after a right exercise 3
    n = int(meta.loc[top, "baseline_drift"].notna().sum())
    assert lesson02.n_top_flagged(n).correct
    assert lesson02.n_top_flagged(np.int64(meta.loc[list(top), "baseline_drift"].count())).correct
    expect(lesson02.n_top_flagged(9), INCORRECT, "baseline_drift")  # the lesson's 9 (of its top 20)
    assert "NO baseline_drift" in lesson02.n_top_flagged(10 - n).message
    assert "rows" in lesson02.n_top_flagged(10).message
    assert "all ECGs" in lesson02.n_top_flagged(int(meta["baseline_drift"].notna().sum())).message


def test_top_wander_row_positions_are_named():
    table = lesson02.wander_table()
    positions = [table.index.get_loc(i) for i in lesson02.top_wander_ids()]
    fb = lesson02.top_wander(positions)
    assert fb.status == feedback.CLOSE and "row positions" in fb.message


def test_walkthrough_signal_plot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rec = lesson02.later_digital()
    mv = (rec.d_signal - np.array(rec.baseline)) / np.array(rec.adc_gain)
    t = lesson02.PLOT_FROM_S + np.arange(len(mv)) / rec.fs

    def drawn(x, y, xlabel="time (s)", ylabel="V5 (mV)"):
        _, ax = plt.subplots()
        ax.plot(x, y)
        ax.set(xlabel=xlabel, ylabel=ylabel)
        return ax

    expect(lesson02.signal_plot(drawn(t - lesson02.PLOT_FROM_S, mv[:, 1])), CLOSE, "starts 60 s")  # the warned one
    expect(lesson02.signal_plot(drawn(t, mv[:, 0])), CLOSE, "MLII (column 0)", "plot V5")
    expect(lesson02.signal_plot(drawn(t, rec.d_signal[:, 1])), CLOSE, "digital steps")
    expect(lesson02.signal_plot(drawn(np.arange(len(mv)), mv[:, 1])), CLOSE, "sample numbers")
    first = _digital()
    first_mv = (first.d_signal - np.array(first.baseline)) / np.array(first.adc_gain)
    expect(lesson02.signal_plot(drawn(np.arange(len(first_mv)) / first.fs, first_mv[:, 0])), CLOSE, "first 10")
    expect(lesson02.signal_plot(drawn(t, mv[:, 1], ylabel="V5")), CLOSE, "unit")
    expect(lesson02.signal_plot(drawn(t, mv[:, 1] * 2)), INCORRECT, "none of the plotted")
    assert lesson02.signal_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    _, ax = plt.subplots()
    ax.scatter(t, mv[:, 1], s=1)  # points instead of a line, and the Figure passed
    ax.set(xlabel="seconds", ylabel="millivolts")
    expect(lesson02.signal_plot(ax.figure), CORRECT)
    # review: the usual unit spellings were refused, and the message doubled its parentheses
    for xlabel in ("Time [s]", "Time (sec)", "t / s"):
        expect(lesson02.signal_plot(drawn(t, mv[:, 1], xlabel=xlabel, ylabel="Voltage [mV]")), CORRECT)
    fb = lesson02.signal_plot(drawn(t, mv[:, 1], xlabel="Time"))
    expect(fb, CLOSE, "'Time' does not give the unit, seconds")
    assert "((" not in fb.message
    expect(lesson02.signal_plot(drawn(t, mv[:, 1], xlabel="Time (ms)")), CLOSE, "unit, seconds")
    expect(lesson02.signal_plot(drawn(t, mv[:, 1], ylabel="V5 (µV)")), CLOSE, "unit, millivolts")
    plt.close("all")


# --- student walkthrough 8 (exercises/02-ecg-signals-practice.ipynb) -------------------------------------------


def _later():
    rec = lesson02.later_digital()
    mv = (rec.d_signal - np.asarray(rec.baseline)) / np.asarray(rec.adc_gain)
    return mv, lesson02.PLOT_FROM_S + np.arange(len(mv)) / rec.fs


def test_walkthrough8_a_line_hidden_by_set_xlim_is_not_shown():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mv, tt = _later()
    fig, ax = plt.subplots()
    ax.plot(tt, mv[:, 1])
    ax.set(xlabel="time (s)", ylabel="V5 (mV)")
    ax.set_xlim(0, 10)
    expect(lesson02.signal_plot(ax), CLOSE, "hide all 3600 of its points", "x axis shows 0 to 10")
    ax.set_xlim(60, 70)
    expect(lesson02.signal_plot(ax), CORRECT)
    ax.set_ylim(-0.2, 0.2)  # the QRS peaks cut off
    expect(lesson02.signal_plot(ax), CLOSE, "y axis shows -0.2 to 0.2")
    plt.close("all")


def test_walkthrough8_an_extra_lead_is_named_whatever_order_it_was_drawn_in():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mv, tt = _later()
    for order in ((1, 0), (0, 1)):
        fig, ax = plt.subplots()
        for c in order:
            ax.plot(tt, mv[:, c])
        ax.set(xlabel="time (s)", ylabel="voltage (mV)")
        expect(lesson02.signal_plot(ax), CLOSE, "V5 is there", "also shows MLII (column 0)")
    fig, ax = plt.subplots()
    ax.plot(tt, mv)  # both columns at once, MLII first
    ax.set(xlabel="time (s)", ylabel="V5 (mV)")
    expect(lesson02.signal_plot(ax), CLOSE, "also shows MLII (column 0)")
    plt.close("all")


def test_walkthrough8_a_two_panel_figure_names_the_v5_panel():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mv, tt = _later()
    fig, (a1, a2) = plt.subplots(2, 1)
    a1.plot(tt, mv[:, 0])
    a2.plot(tt, mv[:, 1])
    a2.set(xlabel="time (s)", ylabel="V5 (mV)")
    a1.set(ylabel="MLII (mV)")
    fb = lesson02.signal_plot(fig)
    expect(fb, CLOSE, "2 panels", "V5 is in panel 2", "axes[1]")
    assert "that is MLII" not in fb.message
    expect(lesson02.signal_plot(a2), CORRECT)
    plt.close("all")


def test_walkthrough8_a_bar_chart_of_the_signal_is_an_attempt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mv, tt = _later()
    fig, ax = plt.subplots()
    ax.bar(tt[:50], mv[:50, 1], width=1 / 360)
    fb = lesson02.signal_plot(ax)
    expect(fb, INCORRECT, "50 bar(s)")
    assert "nothing" not in fb.message
    plt.close("all")


def test_walkthrough8_whole_number_float_ids_are_ids():
    ids = [292, 332, 200, 336, 214, 343, 410, 421, 331, 315]
    assert set(ids) == set(lesson02.top_wander_ids())
    expect(lesson02.top_wander(np.array(ids, dtype=float)), CORRECT)
    expect(lesson02.top_wander([float(i) for i in ids]), CORRECT)
    fb = lesson02.top_wander([str(i) for i in ids])
    expect(fb, INCORRECT, "'292' (str)", "not a whole number")
    expect(lesson02.top_wander(np.array(ids) + 0.5), INCORRECT, "292.5 (float)")


def test_walkthrough8_a_heart_rate_rounded_to_one_decimal_is_named_rounded():
    ann = wfdb.rdann(str(mitdb.data_dir() / "100"), "atr")
    t = ann.sample / ann.fs
    bt = t[np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS)) & (t < lesson02.HR_WINDOW_S)]
    hr = 60 / np.diff(bt).mean()
    fb = lesson02.heart_rate(round(hr, 1))
    expect(fb, CLOSE, "74.0 is also the right answer rounded to 1 decimal")
    expect(lesson02.heart_rate(round(hr, 2)), CLOSE, "rounded to 2 decimals")
    expect(lesson02.heart_rate(len(bt) / 2), CLOSE, f"{len(bt)} / 2")  # beats per two minutes: named
    expect(lesson02.heart_rate(float(hr)), CORRECT)


def test_r22_n_top_flagged_after_a_wrong_top_ten_says_exercise_3_first(monkeypatch):
    """r22-s05 D02-3: a student whose top 10 (exercise 3) is wrong counts its flags correctly and was told to do
    exactly what they did. The message now says first that exercise 3 must be right; after a right exercise 3 it
    does not."""
    from heartdata import _progress

    monkeypatch.setattr(_progress, "RECORDS", {})
    meta = ptbxl.load_metadata()
    wrong = _student_wander(reduce="mean").nlargest(10).index  # the mean over leads: a wrong top 10
    right_top = _student_wander().nlargest(10).index
    count = int(meta.loc[wrong, "baseline_drift"].notna().sum())
    assert count != int(meta.loc[right_top, "baseline_drift"].notna().sum())
    assert not lesson02.top_wander(wrong).correct
    fb = lesson02.n_top_flagged(count)
    assert fb.status == INCORRECT and "exercise 3 must be right first" in fb.message, fb
    assert "Not yet" in fb.message, fb  # what exercise 3's check said
    assert lesson02.top_wander(right_top).correct
    fb = lesson02.n_top_flagged(count)
    assert "exercise 3 must be right first" not in fb.message, fb


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_a_rounding_function_is_named_rounded():
    """r25-stuA 02 E1: a function that rounds its millivolts to 3 decimals was told to use the `adc_gain` and
    `baseline` it receives, which it did. The rounding is named now; a function that changes the array it receives
    is right, and told so."""

    def rounded(d, g, b):
        return np.round((np.asarray(d, float) - np.asarray(b)) / np.asarray(g), 3)

    fb = lesson02.to_millivolts(rounded)
    expect(fb, CLOSE, "rounds them to 3 decimals", "unrounded")
    assert "adc_gain" not in fb.message

    def rounded2(d, g, b):
        return [[round(v, 2) for v in r] for r in ((np.asarray(d, float) - np.asarray(b)) / np.asarray(g)).tolist()]

    expect(lesson02.to_millivolts(rounded2), CLOSE, "to 2 decimals")

    def in_place(d, g, b):
        d = np.asarray(d)
        d -= np.asarray(b, dtype=d.dtype)
        return d / np.asarray(g)

    expect(lesson02.to_millivolts(in_place), CORRECT, "changes the array it receives")

    def right(d, g, b):
        return (np.asarray(d, float) - np.asarray(b)) / np.asarray(g)

    fb = lesson02.to_millivolts(right)
    assert fb.correct and "changes the array" not in fb.message


def test_r25_n_top_flagged_names_no_mistake_that_depends_on_a_wrong_top_ten(monkeypatch):
    """r25-stuA 02 E4: with exercise 3 answered by row positions (a named mistake), the flags of those rows counted
    right (3) were told 'that is how many have NO baseline_drift entry', because 10 - 7 is 3 too. A count that
    depends on the top 10 is named only once exercise 3 is right; before, the check says exercise 3 comes first."""
    from heartdata import _progress

    monkeypatch.setattr(_progress, "RECORDS", {})
    meta = ptbxl.load_metadata()
    table = lesson02.wander_table()
    right = lesson02.top_wander_ids()
    positions = [table.index.get_loc(i) for i in right]
    expect(lesson02.top_wander(positions), CLOSE, "row positions")
    own = int(meta.iloc[positions]["baseline_drift"].notna().sum())  # the flags of the rows they named
    empty = 10 - int(meta.loc[right, "baseline_drift"].notna().sum())
    fb = lesson02.n_top_flagged(empty)  # whatever the student's count, it is not judged against the right ten
    expect(fb, INCORRECT, "exercise 3 must be right first")
    assert "NO baseline_drift" not in fb.message
    if own != int(meta.loc[right, "baseline_drift"].notna().sum()):
        expect(lesson02.n_top_flagged(own), INCORRECT, "exercise 3 must be right first")
    # the mistakes that do not depend on the ten are still named
    expect(lesson02.n_top_flagged(int(meta["baseline_drift"].notna().sum())), CLOSE, "all ECGs")
    # once exercise 3 is right, the count of empty cells is the named mistake again
    assert lesson02.top_wander(right).correct
    expect(lesson02.n_top_flagged(empty), CLOSE, "NO baseline_drift")


def test_r25_a_nan_heart_rate_says_the_selection_is_empty():
    """r25-stuA 02 E2 (weak): `ann.sample < 120` (samples, not seconds) keeps too few beats and the mean is NaN; the
    check said only "nan is not it"."""
    ann = wfdb.rdann(str(mitdb.data_dir() / "100"), "atr")
    keep = np.isin(ann.symbol, list(mitdb.BEAT_SYMBOLS)) & (ann.sample < 120)
    with pytest.warns(RuntimeWarning):  # numpy says so too: the mean of an empty selection
        hr = 60 / np.diff(ann.sample[keep] / ann.fs).mean()
    assert np.isnan(hr)
    fb = lesson02.heart_rate(hr)
    expect(fb, INCORRECT, "NaN", "empty")
    assert "nan is not it" not in fb.message


def test_r25_top_wander_generic_message_names_every_step():
    """r25-stuA 02 E3 (weak): a top 10 of the standard deviation, or of lead 0 alone, was told to check the filter,
    which was right; the message now walks through every step (filter, range over samples 50 to 949, largest lead)."""
    ids = lesson02.exercise_ids()
    b, a = signal.butter(2, 0.5, btype="lowpass", fs=100)
    slow = signal.filtfilt(b, a, ptbxl.load_signals(ids, fs=100), axis=1)[:, 50:950]
    lead0 = pd.Series(slow[:, :, 0].max(axis=1) - slow[:, :, 0].min(axis=1), index=ids)
    fb = lesson02.top_wander(lead0.nlargest(10).index)
    expect(fb, INCORRECT, "each step", "largest of its 12 leads", "50 to 949")
    std = pd.Series(slow.std(axis=1).max(axis=1), index=ids)
    fb = lesson02.top_wander(std.nlargest(10).index)
    expect(fb, INCORRECT, "each step", "range")


def test_r25_signal_plot_hint_names_no_variable_the_notebook_lacks():
    """r25-stuA 02 E5 (nit): the hint named `mv_later`, the solution's variable, which the practice notebook lacks."""
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ax.plot(np.arange(10), np.arange(10.0))
    ax.set(xlabel="time (s)", ylabel="mV")
    fb = lesson02.signal_plot(ax)
    expect(fb, INCORRECT, "rec_later")
    assert "mv_later" not in fb.message
    plt.close("all")
