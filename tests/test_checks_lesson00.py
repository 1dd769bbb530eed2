"""Lesson 00 checks: not attempted, the named typical mistakes, correct; never an exception.

The walkthrough tests hold, for every exercise, the warned mistake, two other plausible wrong answers and one right
answer written another way, each with the status it must get and the words the message must use.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from heartdata import challenge2012, feedback, mitdb, ptbxl, sources  # noqa: E402
from heartdata.checks import lesson00 as check  # noqa: E402

ALL = [check.n_patients, check.death_rate, check.n_beats, check.n_height_missing, check.heart_rate_plot]
CLOSE, INCORRECT, CORRECT = feedback.CLOSE, feedback.INCORRECT, feedback.CORRECT


def expect(fb, status, *words):
    assert fb.status == status, fb
    for w in words:
        assert w in fb.message, (w, fb.message)


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_none_is_not_attempted(fn):
    plt.close("all")
    assert fn(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["x", [1, 2], object(), pd.DataFrame({"a": [1]})])
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_strange_answers_are_incorrect_not_errors(fn, bad):
    assert fn(bad).status == INCORRECT


def test_walkthrough_patients_at_a_site():
    meta = ptbxl.load_metadata()
    site1 = meta[meta["site"].eq(check.EXERCISE_SITE)]
    assert site1["patient_id"].nunique() == 125 and len(site1) == 133  # the lesson printed 419 and 450, not these
    expect(check.n_patients(len(site1)), CLOSE, "number of ECGs", "distinct")  # the warned mistake: rows
    expect(check.n_patients(meta["patient_id"].nunique()), CLOSE, "whole slice")  # the lesson's 419
    expect(check.n_patients(meta.loc[meta["site"].eq(0), "patient_id"].nunique()), CLOSE, "site 0")
    expect(check.n_patients(126), INCORRECT, "site")
    expect(check.n_patients(np.int64(len(set(site1["patient_id"])))), CORRECT)  # a set's size, as numpy


def test_walkthrough_death_rate_of_a_unit():
    out = challenge2012.load_outcomes()["In-hospital_death"]
    units = sources.icu_types(challenge2012.load_stays()).reindex(out.index)
    unit = out[units.eq(check.EXERCISE_ICU_TYPE)]
    assert (int(unit.sum()), len(unit)) == (43, 874)
    expect(check.death_rate(unit.sum() / len(out)), CLOSE, "denominator", "ALL 4,000")  # the warned denominator
    expect(check.death_rate(0.1385), CLOSE, "all 4,000 stays")  # the lesson's 13.9%, typed in
    expect(check.death_rate(unit.mean() * 100), CLOSE, "percentage")
    expect(check.death_rate(unit.sum() / out.sum()), CLOSE, "share of the deaths")
    expect(check.death_rate(0.0492), CLOSE, "rounded")
    expect(check.death_rate(pd.Series([unit.sum() / len(unit)])), CORRECT)  # a one-element Series


def test_walkthrough_beats_in_five_minutes():
    ann = mitdb.load_annotations()
    early = ann[ann["time_s"].lt(check.BEAT_WINDOW_S)]
    beats = early["symbol"].isin(mitdb.BEAT_SYMBOLS)
    assert int(beats.sum()) == 371 and len(early) == 372
    expect(check.n_beats(len(early)), CLOSE, "not every annotation is a beat", "`+`")  # the warned mistake
    expect(check.n_beats(int(ann["symbol"].isin(mitdb.BEAT_SYMBOLS).sum())), CLOSE, "whole record")  # 2273
    expect(check.n_beats(int(early["symbol"].eq("N").sum())), CLOSE, "only the normal beats")
    expect(check.n_beats(300), INCORRECT, "is not it")
    expect(check.n_beats(float(early.loc[early["description"].ne("Rhythm change"), "symbol"].size)), CORRECT)


def test_walkthrough_missing_heights():
    stays = challenge2012.load_stays()
    height = stays.loc[stays["Parameter"].eq("Height") & stays["Time"].eq(0), "Value"]
    assert int(height.eq(-1).sum()) == 1894
    expect(check.n_height_missing(int(height.isna().sum())), CLOSE, "-1")  # the warned mistake: NaN
    expect(check.n_height_missing(height.eq(-1).mean()), CLOSE, "share")
    desc = stays[stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)]
    expect(check.n_height_missing(int(desc["Value"].eq(-1).sum())), CLOSE, "every descriptor")
    expect(check.n_height_missing(int((height.eq(-1) | height.gt(250)).sum())), INCORRECT, "Implausible")
    expect(check.n_height_missing(int((height < 0).sum())), CORRECT)


def _drawn(x, y, fmt="o", xlabel="hours since ICU admission", ylabel="heart rate (beats/min)"):
    _, ax = plt.subplots()
    ax.plot(x, y, fmt)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return ax


def test_walkthrough_heart_rate_plot():
    stays = challenge2012.load_stays()
    rid = check.plot_stay()
    assert challenge2012.ICU_TYPES[int(sources.icu_types(stays)[rid])] == "Coronary Care Unit"
    hr = stays[stays["RecordID"].eq(rid) & stays["Parameter"].eq("HR")]
    expect(check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"], "o-")), CLOSE, "joined")  # the warned one
    expect(check.heart_rate_plot(_drawn(hr["Time"], hr["Value"])), CLOSE, "minutes")
    lesson_rid = int(stays["RecordID"].min())
    lesson = stays[stays["RecordID"].eq(lesson_rid) & stays["Parameter"].eq("HR")]
    expect(check.heart_rate_plot(_drawn(lesson["Time"] / 60, lesson["Value"])), CLOSE, "lesson 00 drew")
    expect(check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"], ylabel="")), CLOSE, "y axis has no label")
    expect(check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"] + 1)), INCORRECT, "none of the plotted")
    _, ax = plt.subplots()
    ax.scatter(hr["Time"] / 60, hr["Value"])
    ax.set(xlabel="time (hours)", ylabel="HR (bpm)")
    expect(check.heart_rate_plot(ax), CORRECT, "separate points")
    assert check.heart_rate_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    every = stays[stays["Parameter"].eq("HR")]
    expect(check.heart_rate_plot(_drawn(every["Time"] / 60, every["Value"])), CLOSE, "every stay")
    plt.close("all")


def test_heart_rate_plot_accepts_the_usual_unit_spellings_and_refuses_none_or_another():
    """Review: ordinary spellings of the units were refused, and the message doubled its parentheses."""
    stays = challenge2012.load_stays()
    hr = stays[stays["RecordID"].eq(check.plot_stay()) & stays["Parameter"].eq("HR")]
    x, y = hr["Time"] / 60, hr["Value"]
    for ylabel in ("Heart rate (beats per minute)", "heart rate, beats per minute", "HR (beats / min)",
                   "HR (beats·min⁻¹)", "HR / min⁻¹", "HR [bpm]"):  # fmt: skip
        expect(check.heart_rate_plot(_drawn(x, y, ylabel=ylabel)), CORRECT)
    for xlabel in ("Time (hrs)", "t / h", "Time [h]", "hours since admission"):
        expect(check.heart_rate_plot(_drawn(x, y, xlabel=xlabel)), CORRECT)
    fb = check.heart_rate_plot(_drawn(x, y, xlabel="Time"))
    expect(fb, CLOSE, "'Time' does not give the unit, hours")
    assert "))" not in fb.message
    expect(check.heart_rate_plot(_drawn(x, y, xlabel="Time (min)")), CLOSE, "does not give the unit, hours")
    expect(check.heart_rate_plot(_drawn(x, y, ylabel="Heart rate")), CLOSE, "unit, beats per minute")
    expect(check.heart_rate_plot(_drawn(x, y, ylabel="Heart rate (beats/s)")), CLOSE, "unit, beats per minute")
    plt.close("all")


def test_a_figure_drawn_but_not_passed_is_read():
    """A student who draws with pyplot and calls the check with None gets the figure judged, not 'not attempted'."""
    stays = challenge2012.load_stays()
    hr = stays[stays["RecordID"].eq(check.plot_stay()) & stays["Parameter"].eq("HR")]
    plt.close("all")
    plt.figure()
    plt.plot(hr["Time"] / 60, hr["Value"], "o")
    plt.xlabel("hours")
    plt.ylabel("beats/min")
    fb = check.heart_rate_plot(None)
    assert fb.status == CORRECT and "you passed None" in fb.message
    plt.close("all")


# --- student walkthrough 8 (exercises/00-welcome-practice.ipynb) ------------------------------------------------


def _hr():
    stays = challenge2012.load_stays()
    one = stays[stays["RecordID"].eq(check.plot_stay()) & stays["Parameter"].eq("HR")]
    return stays, one["Time"] / 60, one["Value"]


def test_walkthrough8_a_line_through_the_gaps_beside_the_points_is_not_separate_points():
    _, x, y = _hr()
    fig, ax = plt.subplots()
    ax.plot(x, y, "o")
    ax.plot(x, y.rolling(3).mean(), "-")
    ax.set(xlabel="hours since ICU admission", ylabel="heart rate (beats/min)")
    expect(check.heart_rate_plot(ax), CLOSE, "also shows a line through 46 other values", "points")
    fig, ax = plt.subplots()  # drawn the other way round: the same verdict
    ax.plot(x, y.rolling(3).mean(), "-")
    ax.plot(x, y, "o")
    ax.set(xlabel="hours since ICU admission", ylabel="heart rate (beats/min)")
    expect(check.heart_rate_plot(ax), CLOSE, "also shows a line through 46 other values")
    fig, ax = plt.subplots()  # the same points drawn as points and as a line: joined
    ax.plot(x, y, "-")
    ax.plot(x, y, "o")
    ax.set(xlabel="hours since ICU admission", ylabel="heart rate (beats/min)")
    expect(check.heart_rate_plot(ax), CLOSE, "joined them with a line")
    expect(check.heart_rate_plot(_drawn(x, y, "o")), CORRECT, "separate points")
    plt.close("all")


def test_walkthrough8_a_bar_chart_is_an_attempt():
    stays, x, y = _hr()
    fig, ax = plt.subplots()
    ax.bar(x, y)
    ax.set(xlabel="hours since ICU admission", ylabel="heart rate (beats/min)")
    expect(check.heart_rate_plot(ax), CLOSE, "as bars", "points")
    other = stays[stays["RecordID"].eq(int(stays["RecordID"].min())) & stays["Parameter"].eq("HR")]
    fig, ax = plt.subplots()
    ax.bar(other["Time"] / 60, other["Value"])
    fb = check.heart_rate_plot(ax)
    expect(fb, INCORRECT, f"{len(other)} bar(s)")
    assert "nothing" not in fb.message
    plt.close("all")


def test_walkthrough8_points_hidden_by_the_axis_limits_are_not_shown():
    _, x, y = _hr()
    ax = _drawn(x, y)
    ax.set_xlim(0, 10)
    expect(check.heart_rate_plot(ax), CLOSE, "hide", "x axis shows 0 to 10")
    ax = _drawn(x, y)
    ax.set_xlim(-1, float(x.max()) + 1)  # every point in view
    expect(check.heart_rate_plot(ax), CORRECT)
    plt.close("all")


def test_walkthrough8_a_death_rate_rounded_to_two_decimals_is_named_rounded():
    out = challenge2012.load_outcomes()["In-hospital_death"]
    units = sources.icu_types(challenge2012.load_stays()).reindex(out.index)
    rate = out[units.eq(check.EXERCISE_ICU_TYPE)].mean()
    fb = check.death_rate(round(rate, 2))
    expect(fb, CLOSE, "0.05 is the right answer rounded to 2 decimals", "unrounded")
    assert "ICUType" not in fb.message  # not sent to redo a right selection
    expect(check.death_rate(round(rate, 3)), CLOSE, "rounded to 3 decimals")
    expect(check.death_rate(0.06), INCORRECT, "is not it")
    expect(check.death_rate(float(rate)), CORRECT)


def test_walkthrough8_no_height_row_missing_is_not_called_counting_nan():
    stays = challenge2012.load_stays()
    h = stays[stays["Time"].eq(0) & stays["Parameter"].eq("Height")]
    zero = stays["RecordID"].nunique() - h["RecordID"].nunique()
    assert zero == 0
    fb = check.n_height_missing(zero)
    expect(fb, CLOSE, "every stay has a Height row", "-1")
    assert "you counted empty (NaN) cells" not in fb.message
    expect(check.n_height_missing(int(h["Value"].eq(-1).sum())), CORRECT)


# --- student walkthrough r25 (A) ---------------------------------------------------------------------------------


def test_r25_heart_rate_plot_in_days_is_named():
    """r25-stuA 00 E5 (weak): times in days (Time / 1440) got the generic message; the unit is named now."""
    stays = challenge2012.load_stays()
    hr = stays[stays["RecordID"].eq(check.plot_stay()) & stays["Parameter"].eq("HR")]
    expect(check.heart_rate_plot(_drawn(hr["Time"] / 1440, hr["Value"], xlabel="days")), CLOSE, "days", "Time / 60")
    expect(check.heart_rate_plot(_drawn(hr["Time"] * 60, hr["Value"], xlabel="s")), CLOSE, "seconds")
    plt.close("all")
