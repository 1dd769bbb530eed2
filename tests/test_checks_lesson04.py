"""Lesson 04 checks: not attempted, the named typical mistakes, correct; never raising on strange answers."""

from __future__ import annotations

from functools import cache

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from heartdata import challenge2012, feedback, stats
from heartdata.checks import lesson04 as check

matplotlib.use("Agg")

CHECKS = [
    check.rare_parameters,
    check.lactate_death_rates,
    check.ventilated_fraction,
    check.lactate_24h,
    check.lactate_features,
    check.draws_plot,
]


@cache
def _data():
    stays = challenge2012.load_stays()
    is_desc = stays["Time"].eq(0) & stays["Parameter"].isin(challenge2012.DESCRIPTORS)
    series = stays[~is_desc]
    outcomes = challenge2012.load_outcomes()
    return series, outcomes.index, outcomes["In-hospital_death"]


def _lactate_24h():
    series, ids, _ = _data()
    lac = series[series["Parameter"].eq("Lactate") & series["Time"].le(24 * 60)]
    return lac.sort_values(["RecordID", "Time"]).groupby("RecordID")["Value"].last().reindex(ids)


@pytest.mark.parametrize("check_", CHECKS, ids=lambda c: c.__name__)
def test_none_is_not_attempted(check_):
    assert check_(None).status == feedback.NOT_ATTEMPTED


@pytest.mark.parametrize("bad", ["HR", 3, [1, 2], {"a": 1}, pd.DataFrame({"a": [1, 2]}), object(), True])
@pytest.mark.parametrize("check_", CHECKS, ids=lambda c: c.__name__)
def test_strange_answers_are_incorrect_not_errors(check_, bad):
    fb = check_(bad)
    assert fb.status == feedback.INCORRECT, (check_.__name__, bad, fb)


def test_rare_parameters():
    series, ids, _ = _data()
    n = series.groupby("Parameter")["RecordID"].nunique()
    right = list(n.index[n < len(ids) / 2])
    assert len(right) == 10
    assert check.rare_parameters(right).correct
    assert check.rare_parameters(pd.Series(n / len(ids))[n < len(ids) / 2]).correct  # a Series of fractions
    rows = series["Parameter"].value_counts()
    fb = check.rare_parameters(set(rows.index[rows < len(ids) / 2]))
    assert fb.status == feedback.CLOSE and "rows" in fb.message
    fb = check.rare_parameters([*right, "Height"])
    assert fb.status == feedback.INCORRECT and "descriptor" in fb.message
    fb = check.rare_parameters(right[:-1])
    assert fb.status == feedback.INCORRECT and "1 missing" in fb.message


def test_lactate_death_rates():
    series, ids, died = _data()
    has = pd.Series(ids.isin(series.loc[series["Parameter"].eq("Lactate"), "RecordID"]), index=ids)
    rates = died.groupby(has).mean()
    assert check.lactate_death_rates(rates).correct
    assert check.lactate_death_rates({"measured": rates[True], "not measured": rates[False]}).correct
    assert "percentages" in check.lactate_death_rates(100 * rates).message
    assert "swapped" in check.lactate_death_rates({True: rates[False], False: rates[True]}).message
    assert "numbers of deaths" in check.lactate_death_rates(died.groupby(has).sum()).message
    # starting from the lactate rows loses the stays without a lactate
    fb = check.lactate_death_rates(died[has].groupby(has[has]).mean())
    assert fb.status == feedback.CLOSE and "without" in fb.message
    # averaging over rows weights a stay by its number of lactates
    per_row = series.loc[series["Parameter"].eq("Lactate"), "RecordID"].map(died).mean()
    fb = check.lactate_death_rates({True: per_row, False: rates[False]})
    assert fb.status == feedback.CLOSE and "rows" in fb.message
    assert check.lactate_death_rates({True: 0.5, False: 0.1}).status == feedback.INCORRECT
    # the conditional the wrong way round: share with a lactate among the dead and the survivors
    reverse = has.groupby(died).mean()
    fb = check.lactate_death_rates({True: reverse[1], False: reverse[0]})
    assert fb.status == feedback.CLOSE and "other way round" in fb.message


def test_ventilated_fraction():
    series, ids, _ = _data()
    mv = series[series["Parameter"].eq("MechVent")]
    right = mv["RecordID"].nunique() / len(ids)
    assert check.ventilated_fraction(right).correct
    fb = check.ventilated_fraction(mv["Value"].mean())
    assert fb.status == feedback.CLOSE and "only" in fb.message and "1" in fb.message
    assert "number of ventilated stays" in check.ventilated_fraction(mv["RecordID"].nunique()).message
    assert "rows" in check.ventilated_fraction(len(mv) / len(ids)).message
    assert check.ventilated_fraction(0.2).status == feedback.INCORRECT


def test_lactate_24h():
    series, ids, _ = _data()
    right = _lactate_24h()
    assert right.notna().sum() == 1957
    assert check.lactate_24h(right).correct
    fb = check.lactate_24h(right.dropna())
    assert fb.status == feedback.CLOSE and "all 4,000" in fb.message
    lac = series[series["Parameter"].eq("Lactate")].sort_values(["RecordID", "Time"])
    future = lac.groupby("RecordID")["Value"].last().reindex(ids)
    fb = check.lactate_24h(future)
    assert fb.status == feedback.CLOSE and "leakage" in fb.message
    first = lac[lac["Time"].le(1440)].groupby("RecordID")["Value"].first().reindex(ids)
    assert "first" in check.lactate_24h(first).message
    strict = lac[lac["Time"].lt(1440)].groupby("RecordID")["Value"].last().reindex(ids)
    assert "exactly 24:00" in check.lactate_24h(strict).message
    # forward-filling down the table without grouping carries one stay's lactate into the next
    leaked = right.ffill()
    fb = check.lactate_24h(leaked)
    assert fb.status == feedback.CLOSE and "grouping by RecordID" in fb.message


def test_lactate_features():
    series, ids, _ = _data()
    lac = _lactate_24h()
    right = pd.DataFrame({"lactate_missing": lac.isna(), "lactate": lac.fillna(1.0)})
    assert check.lactate_features(right).correct
    assert check.lactate_features(right.assign(lactate_missing=right["lactate_missing"].astype(int))).correct
    assert check.lactate_features(right.assign(lactate=lac.fillna(lac.median()))).correct
    fb = check.lactate_features(right.assign(lactate=lac))
    assert fb.status == feedback.CLOSE and "still NaN" in fb.message
    fb = check.lactate_features(right.assign(lactate_missing=lac.notna()))
    assert fb.status == feedback.CLOSE and "inverted" in fb.message
    ever = pd.Series(ids.isin(series.loc[series["Parameter"].eq("Lactate"), "RecordID"]), index=ids)
    fb = check.lactate_features(right.assign(lactate_missing=~ever))
    assert fb.status == feedback.CLOSE and "whole 48 h" in fb.message
    later = series[series["Parameter"].eq("Lactate")].sort_values("Time").groupby("RecordID")["Value"].first()
    backfilled = lac.fillna(later.reindex(ids)).fillna(1.0)
    fb = check.lactate_features(right.assign(lactate=backfilled))
    assert fb.status == feedback.CLOSE and "back-fill" in fb.message
    fb = check.lactate_features(right.assign(lactate=right["lactate"] + np.where(lac.notna(), 0.5, 0)))
    assert fb.status == feedback.INCORRECT and "LOCF" in fb.message
    assert check.lactate_features(right.iloc[:100]).status == feedback.INCORRECT


def _draws_table():
    """Death rate by number of lactate draws, computed here without the check's helpers."""
    series, ids, died = _data()
    n = series[series["Parameter"].eq("Lactate")].groupby("RecordID").size().reindex(ids, fill_value=0)
    groups = pd.cut(n, [-1, 0, 1, 3, np.inf], labels=["0", "1", "2-3", "4 or more"])
    return stats.rate_table(died, groups), n


def _axes(y, yerr=None, fmt="o", bottom=0, labels=True, x=None):
    fig, ax = plt.subplots()
    ax.errorbar(np.arange(len(y)) if x is None else x, y, yerr=yerr, fmt=fmt)
    if bottom is not None:
        ax.set_ylim(bottom=bottom)
    if labels:
        ax.set(xlabel="lactate draws", ylabel="death (%)")
    plt.close(fig)
    return ax


def test_draws_plot():
    t, n = _draws_table()
    assert t["n"].tolist() == [1817, 718, 674, 791] and t["count"].tolist() == [169, 112, 109, 164]
    pct, bars = 100 * t["rate"], stats.error_bars(t, 100)
    assert check.draws_plot(_axes(pct, bars)).correct
    assert check.draws_plot(_axes(t["rate"], stats.error_bars(t), x=list(t.index))).correct  # fractions, labels
    # the two traps of the lesson's old figure: a line joining the groups, and a truncated y axis
    fb = check.draws_plot(_axes(pct, bars, fmt="o-"))
    assert fb.status == feedback.CLOSE and "joined by a line" in fb.message
    fb = check.draws_plot(_axes(pct, bars, bottom=8))
    assert fb.status == feedback.CLOSE and "starts at 8" in fb.message
    fb = check.draws_plot(_axes(pct, bars, bottom=None))  # matplotlib's own limits cut the axis above 0
    assert fb.status == feedback.CLOSE and "not 0" in fb.message
    fb = check.draws_plot(_axes(pct))
    assert fb.status == feedback.CLOSE and "no error bars" in fb.message
    fb = check.draws_plot(_axes(pct, bars, labels=False))
    assert fb.status == feedback.CLOSE and "label" in fb.message
    fb = check.draws_plot(_axes(t["count"].astype(float)))
    assert fb.status == feedback.CLOSE and "numbers of deaths" in fb.message
    share = n.pipe(pd.cut, [-1, 0, 1, 3, np.inf]).value_counts(normalize=True, sort=False)
    fb = check.draws_plot(_axes(share.to_numpy()))
    assert fb.status == feedback.CLOSE and "share of stays" in fb.message
    fb = check.draws_plot(_axes(pct.iloc[1:], bars[:, 1:]))  # the stays without lactate rows were lost
    assert fb.status == feedback.CLOSE and "'0' group is missing" in fb.message
    fig, ax = plt.subplots()
    plt.close(fig)
    assert check.draws_plot(ax).status == feedback.INCORRECT  # an empty figure
