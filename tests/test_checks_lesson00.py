"""Lesson 00 checks: not attempted, the named typical mistakes, correct; never an exception."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from heartdata import challenge2012, feedback  # noqa: E402
from heartdata.checks import lesson00 as check  # noqa: E402

ALL = [check.n_patients, check.death_rate, check.n_beats, check.n_height_missing, check.heart_rate_plot]


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_none_is_not_attempted(fn):
    assert fn(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["x", [1, 2], object(), pd.DataFrame({"a": [1]})])
@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_strange_answers_are_incorrect_not_errors(fn, bad):
    assert fn(bad).status == feedback.INCORRECT


def _drawn(x, y, xlabel="hours since ICU admission", ylabel="heart rate (beats/min)"):
    _, ax = plt.subplots()
    ax.plot(x, y, "o-")
    ax.set(xlabel=xlabel, ylabel=ylabel)
    return ax


def test_heart_rate_plot():
    stays = challenge2012.load_stays()
    rid = check.plot_stay()
    assert rid == stays["RecordID"].min()
    one = stays[stays["RecordID"].eq(rid)]
    hr = one[one["Parameter"].eq("HR")]
    assert check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"])).correct
    _, ax = plt.subplots()
    ax.scatter(hr["Time"] / 60, hr["Value"])
    ax.set(xlabel="time (hours)", ylabel="HR (bpm)")
    assert check.heart_rate_plot(ax).correct
    assert check.heart_rate_plot(plt.subplots()[1]).status == feedback.NOT_ATTEMPTED
    assert "minutes" in check.heart_rate_plot(_drawn(hr["Time"], hr["Value"])).message
    every = stays[stays["Parameter"].eq("HR")]
    assert "every stay" in check.heart_rate_plot(_drawn(every["Time"] / 60, every["Value"])).message
    fb = check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"], ylabel=""))
    assert fb.status == feedback.CLOSE and "y axis has no label" in fb.message
    fb = check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"], xlabel="time"))
    assert fb.status == feedback.CLOSE and "unit" in fb.message
    assert check.heart_rate_plot(_drawn(hr["Time"] / 60, hr["Value"] + 1)).status == feedback.INCORRECT
    plt.close("all")


def test_death_rate_denominator_is_named():
    out = challenge2012.load_outcomes()["In-hospital_death"]
    fb = check.death_rate(out.sum() / len(challenge2012.load_stays()))
    assert fb.status == feedback.CLOSE and "ROWS" in fb.message
    assert check.death_rate(out.mean()).correct
    assert "percentage" in check.death_rate(out.mean() * 100).message
